package io.github.ossltickets;

import java.util.function.Consumer;

/**
 * One Java call into OpenSSL's state machine on this thread ({@link Ssl#handshake()}, {@code read},
 * {@code write}): which connection it drives, and what that connection's callbacks reported during
 * it. OpenSSL runs every callback on the thread that drives the connection, so a callback finds its
 * frame here and leaves its failure where the driving call will rethrow it. Frames nest: a callback
 * may drive another connection.
 */
final class CallFrame {
    private static final ThreadLocal<CallFrame> CURRENT = new ThreadLocal<>();
    /** Bounds what a handshake with many PSK offers can pile up. */
    private static final int MAX_DIAGNOSTICS = 4;

    final Ssl ssl;
    final long address;
    /**
     * False once the call has returned. The driving call clears it inline before {@link #exit()}, so a
     * frame whose exit an Error (StackOverflowError) prevented is never found again.
     */
    boolean active = true;
    private final CallFrame outer;
    private Throwable failure;
    private Consumer<Throwable> failureListener;
    private String diagnostics;
    private int diagnosticCount;

    private CallFrame(Ssl ssl, long address, CallFrame outer) {
        this.ssl = ssl;
        this.address = address;
        this.outer = outer;
    }

    static CallFrame enter(Ssl ssl, long address) {
        CallFrame frame = new CallFrame(ssl, address, innermostActive());
        CURRENT.set(frame);
        return frame;
    }

    static CallFrame innermostActive() {
        CallFrame frame = CURRENT.get();
        while (frame != null && !frame.active) {
            frame = frame.outer;
        }
        return frame;
    }

    void exit() {
        active = false;
        CURRENT.set(outer);
    }

    /** True if this thread is inside a Java call into OpenSSL's state machine (so, in a callback). */
    static boolean insideACall() {
        return innermostActive() != null;
    }

    /** The frame of the Java call driving {@code sslAddress} on this thread, or null (another library drives it). */
    static CallFrame of(long sslAddress) {
        CallFrame frame = innermostActive();
        return frame != null && frame.address == sslAddress ? frame : null;
    }

    /**
     * Keeps a callback's failure for the driving call; the first one is the cause, later ones are
     * suppressed. {@code listener} hears the first one if the call goes on despite it.
     */
    void fail(Throwable thrown, Consumer<Throwable> listener) {
        if (failure == null) {
            failure = thrown;
            failureListener = listener;
        } else if (failure != thrown) {
            failure.addSuppressed(thrown);
        }
    }

    /** A fact that explains a failure OpenSSL may report later in this call, such as a callback's own ABORT. */
    void diagnose(String diagnostic) {
        if (diagnosticCount++ < MAX_DIAGNOSTICS) {
            diagnostics = diagnostics == null ? diagnostic : diagnostics + "; " + diagnostic;
        }
    }

    Throwable failure() {
        return failure;
    }

    String diagnostics() {
        return diagnostics;
    }

    /** The call went on despite a failure (the decryptor's fallback let it): tell the listener. */
    void reportUnthrownFailure() {
        if (failure != null) {
            failureListener.accept(failure);
        }
    }
}
