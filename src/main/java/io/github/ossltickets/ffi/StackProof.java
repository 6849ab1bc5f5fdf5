package io.github.ossltickets.ffi;

/**
 * One stack proof for several calls into OpenSSL's state machine that the library's own code makes in
 * a row, with no user code between them except the callbacks those calls run (the in-memory pump of
 * {@code net.InMemoryConnection}). The root package proves the stack before every such call
 * ({@code StackHeadroom}); this lets a caller in another package prove it once, a little deeper, for
 * the calls it makes until it closes the proof. The root package installs the prover when its
 * connections first load; before that, {@link #open()} proves nothing and every call probes as usual.
 * Internal: not part of the API, and not exported from the module.
 */
public final class StackProof {
    private StackProof() {
    }

    /** What the root package installs. */
    public interface Prover {
        /** Proves the stack for calls made from here; a token for {@link #close}, or null if there is nothing to close. */
        Object open();

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
     * Proves the stack for the state-machine calls this thread makes until {@link #close}, or throws
     * StackOverflowError if it is too short for them. Call {@code close(token)} in a {@code finally}
     * that follows at once.
     */
    public static Object open() {
        Prover installed = prover;
        return installed == null ? null : installed.open();
    }

    public static void close(Object token) {
        if (token != null) {
            prover.close(token);
        }
    }
}
