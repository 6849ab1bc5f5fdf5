package io.github.ossltickets;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * Makes sure a native call that calls back into Java has the stack to do it. When OpenSSL frees a
 * context, it calls the ex_data free callback ({@link ContextCallbacks}) from inside
 * {@code SSL_CTX_free}; if the thread has too little stack left for JNA to enter Java, JNA drops the
 * callback ("error handling callback exception, continuing") and OpenSSL frees the context anyway:
 * the borrowed handles on it would never learn, and would read freed memory. So before a free that
 * may free a context, this proves enough stack by using it, while nothing has been freed yet: if it
 * overflows, the free is not attempted, the handle stays closing, and a later {@code close()} frees.
 */
final class StackHeadroom {
    private StackHeadroom() {}

    /**
     * Frames to use: with eight longs live across each call, every frame spills them, so this proves
     * about 24 KiB beyond the JVM's own shadow zone, far more than SSL_CTX_free, JNA's callback
     * dispatch and the JNI upcall take (the shadow zone is what each Java frame's entry already checks).
     */
    private static final int FRAMES = 256;

    /**
     * On the FFM backend a StackOverflowError raised as an upcall enters Java, before any handler of
     * ours can catch it, ends the JVM (JNA drops the callback instead). That happens when code that
     * caught a StackOverflowError drives a connection while the stack is still nearly full. So on FFM
     * every call into OpenSSL's state machine, which may call back, proves the stack first.
     */
    private static final boolean BEFORE_EVERY_STATE_MACHINE_CALL = "ffm".equals(OPENSSL.name());

    /**
     * Before {@code SSL_do_handshake}, {@code SSL_read}, {@code SSL_write}, {@code SSL_shutdown} and
     * {@code SSL_free}: see above. Throws StackOverflowError, in Java, where the call would have ended the JVM.
     */
    static void ensureBeforeAStateMachineCall() {
        if (BEFORE_EVERY_STATE_MACHINE_CALL && probe(FRAMES_BEFORE_A_STATE_MACHINE_CALL, 1, 2, 3, 4, 5, 6, 7, 8) == 42) {
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
    }

    /**
     * About 12 KiB, for an FFM upcall's entry and OpenSSL's frames above it: twice what ended the JVM
     * no more in BackendHostileTest (64 frames did, 32 did not), and half the free's probe, since this
     * one runs on every call and costs in proportion (256 frames took about 1 µs).
     */
    private static final int FRAMES_BEFORE_A_STATE_MACHINE_CALL = 128;

    static void ensureForACallbackIntoJava() {
        if (probe(FRAMES, 1, 2, 3, 4, 5, 6, 7, 8) == 42) {
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
    }

    private static long probe(int frames, long a, long b, long c, long d, long e, long f, long g, long h) {
        if (frames == 0) {
            return a ^ h;
        }
        return probe(frames - 1, b, c, d, e, f, g, h, a) + a + b + c + d + e + f + g + h;
    }
}
