package io.github.ossltickets.ffi;

/**
 * One stack proof for several calls into OpenSSL that the library's own code makes from one place: the
 * in-memory pump of {@code net.InMemoryConnection}, for one handshake, and the server's selector thread
 * ({@code net.HandshakeSelector}), for its whole life, since its calls all come from a few frames below
 * its loop. The root package proves the stack before every call that may call back, allocate or free
 * ({@code StackHeadroom}); this lets a caller in another package prove it once, a little deeper, and
 * {@link #arm} it just before each call it makes: the call's own check then skips its probe, once. The
 * root package installs the prover when {@code SslContext} loads; before that, {@link #open()} proves
 * nothing and every call probes as usual.
 *
 * <p>Internal: not part of the API, and not exported from the module. Arming a proof at a deeper
 * place than it was made can end the JVM (an upcall that enters Java without stack is fatal on FFM).
 */
public final class StackProof {
    private StackProof() {
    }

    /** What the root package installs. */
    public interface Prover {
        /** Proves the stack for calls made from here; a token for {@link #close}, or null if there is nothing to close. */
        Object open();

        void arm(Object token);

        void disarm(Object token);

        void close(Object token);
    }

    private static volatile Prover prover;

    /** Installs the prover; the first one wins (there is one, StackHeadroom's). */
    public static synchronized void install(Prover installed) {
        if (prover == null) {
            prover = installed;
        }
    }

    /**
     * Proves the stack for state-machine calls made from here until {@link #close}, or throws
     * StackOverflowError if it is too short. Call {@code close(token)} in a {@code finally} that follows
     * at once; nothing is covered until {@link #arm}.
     */
    public static Object open() {
        Prover installed = prover;
        return installed == null ? null : installed.open();
    }

    /**
     * Lets the next checked call into OpenSSL on this thread (its state machine, an allocation, a free)
     * skip its own probe. Call it at the place that opened the proof, right before a call of the
     * library's that makes one such call before any user code can run; that call disarms it. A token
     * that is not this thread's open proof is ignored.
     */
    public static void arm(Object token) {
        if (token != null) {
            prover.arm(token);
        }
    }

    /**
     * Takes back an arming that no call used (the call returned early, or threw before its check), so that
     * no later call, made by user code at another depth, finds it armed. Call it in a {@code finally} after
     * each armed call when the proof stays open while user code runs on the thread.
     */
    public static void disarm(Object token) {
        if (token != null) {
            prover.disarm(token);
        }
    }

    /** Ends the proof; a token that is not this thread's open proof is ignored. */
    public static void close(Object token) {
        if (token != null) {
            prover.close(token);
        }
    }
}
