package io.github.ossltickets;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One context's callback objects handed to OpenSSL, and where their failures go. It never refers to
 * its {@link SslContext} strongly, so a dropped context can still be collected and freed; every
 * {@link Ssl} made from the context holds this object until {@code SSL_free}, so OpenSSL never calls
 * a collected callback.
 */
final class ContextCallbacks {
    private static final System.Logger LOG = System.getLogger(SslContext.class.getName());
    /** Callbacks a borrowed context uninstalled on close: another library's handshake may still be in them. */
    private static final Set<ContextCallbacks> PINNED_FOREVER = ConcurrentHashMap.newKeySet();
    /** Weak, so that the context can be collected; used only to lend an Ssl to a foreign handshake. */
    private final WeakReference<SslContext> owner;
    /** Every bridge ever handed to OpenSSL, replaced ones too: a handshake on another thread may still be in one. */
    private final List<Object> handedToOpenSsl = new ArrayList<>();
    volatile Consumer<Throwable> failureListener = failure -> LOG.log(System.Logger.Level.WARNING,
            "a session-ticket callback failed and its fallback went to OpenSSL", failure);

    ContextCallbacks(WeakReference<SslContext> owner) {
        this.owner = owner;
    }

    synchronized void keep(Object... bridges) {
        Collections.addAll(handedToOpenSsl, bridges);
    }

    /** The Java connection for a callback: the one this thread drives, or a borrowed wrapper. */
    Ssl connection(long ssl) {
        Ssl driving = CurrentCall.driving(ssl);
        if (driving != null) {
            return driving;
        }
        SslContext context = owner.get();
        if (context == null) {
            throw new IllegalStateException("the SslContext of this callback was garbage-collected");
        }
        return Ssl.borrowed(context, ssl);
    }

    /** Keeps a callback's failure for the call that drives {@code ssl}, or reports it. */
    void fail(long ssl, Throwable failure) {
        Ssl driving = CurrentCall.driving(ssl);
        if (driving != null) {
            driving.recordCallbackFailure(failure);
        } else {
            report(failure);
        }
    }

    /** Notes a fact that explains a failure OpenSSL may report later in the call driving {@code ssl}. */
    void diagnose(long ssl, String diagnostic) {
        Ssl driving = CurrentCall.driving(ssl);
        if (driving != null) {
            driving.recordCallbackDiagnostic(diagnostic);
        }
    }

    void report(Throwable failure) {
        try {
            failureListener.accept(failure);
        } catch (Throwable ignored) {
            // A listener that throws must not turn a handled failure into a crash.
        }
    }

    void pinForever() {
        PINNED_FOREVER.add(this);
    }
}
