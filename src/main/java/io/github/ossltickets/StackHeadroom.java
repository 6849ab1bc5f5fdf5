package io.github.ossltickets;

import io.github.ossltickets.ffi.StackProof;

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
     * A StackOverflowError raised as a callback enters Java, before any handler of ours can catch it,
     * is not survivable: on FFM it ends the JVM; JNA prints it from native code, and on JDK 21 and later
     * an overflow inside System.err's lock can leave that lock held, so that every later print hangs
     * (seen with JDK 21 in the trixie image). It happens when code that caught a StackOverflowError
     * drives a connection while the stack is still nearly full. So every call into OpenSSL's state
     * machine, which may call back, proves the stack first.
     */
    static void ensureBeforeAStateMachineCall() {
        if (usesArmedProof()) {
            return;
        }
        if (probe(FRAMES_BEFORE_A_STATE_MACHINE_CALL, 1, 2, 3, 4, 5, 6, 7, 8) == 42) {
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
    }

    /**
     * On FFM about 12 KiB, for an upcall's entry and OpenSSL's frames above it: twice what ended the JVM
     * no more in BackendHostileTest (64 frames did, 32 did not), and half the free's probe, since this
     * one runs on every call and costs in proportion (256 frames took about 1 µs). JNA's callback entry
     * (JNI, its dispatch) needs more: the free's full probe.
     */
    private static final int FRAMES_BEFORE_A_STATE_MACHINE_CALL = "ffm".equals(OPENSSL.name()) ? 128 : FRAMES;

    /**
     * A proof made by our own code at one place ({@link StackProof}), with {@link #PROOF_MARGIN} more
     * frames for our frames between that place and the calls it covers. It covers one call at a time:
     * that place arms it just before each call of ours it makes, and the call's check disarms it. So
     * no user code can run between the arming and the check, and nothing that user code calls later
     * (a callback, the failure listener, an exception's toString, all of which run inside or after the
     * call) finds it armed. It also holds only under the Java call into OpenSSL it was made under
     * ({@code under}, null at the top), never inside a callback of a call it covered.
     */
    private static final class Proof {
        final CallFrame under;
        final Proof outer;
        boolean armed;
        boolean closed;

        Proof(CallFrame under, Proof outer) {
            this.under = under;
            this.outer = outer;
        }
    }

    private static final ThreadLocal<Proof> PROOF = new ThreadLocal<>();

    /**
     * True if this thread's open proof was armed for the call now checking, under the same Java call into
     * OpenSSL: the check then needs no probe. The proof covers more frames than any check that uses it.
     */
    private static boolean usesArmedProof() {
        Proof proof = PROOF.get();
        if (proof != null && proof.armed && proof.under == CallFrame.innermostActive()) {
            proof.armed = false; // for this call only: once it starts, user code may run (see Proof)
            return true;
        }
        return false;
    }

    /** Our frames between a proof and the calls it covers, with room to spare (about 7 KiB). */
    private static final int PROOF_MARGIN = 32;

    static final StackProof.Prover PROVER = new StackProof.Prover() {
        @Override
        public Object open() {
            // Always probes: a proof made higher up this stack says nothing about this depth.
            CallFrame under = CallFrame.innermostActive();
            if (probe(FRAMES_BEFORE_A_STATE_MACHINE_CALL + PROOF_MARGIN, 1, 2, 3, 4, 5, 6, 7, 8) == 42) {
                throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
            }
            Proof proof = new Proof(under, PROOF.get());
            PROOF.set(proof);
            return proof;
        }

        @Override
        public void arm(Object token) {
            Proof current = PROOF.get();
            if (current != null && current == token && !current.closed) {
                current.armed = true;
            }
        }

        @Override
        public void disarm(Object token) {
            Proof current = PROOF.get();
            if (current != null && current == token) {
                current.armed = false;
            }
        }

        @Override
        public void close(Object token) {
            Proof current = PROOF.get();
            if (current != null && current == token && !current.closed) { // anything else: not ours to close
                current.closed = true;
                current.armed = false;
                PROOF.set(current.outer);
            }
        }
    };

    static void ensureForACallbackIntoJava() {
        Proof proof = PROOF.get();
        if (proof != null) {
            proof.armed = false; // this check never uses a proof; the call it was armed for is done with it
        }
        if (probe(FRAMES, 1, 2, 3, 4, 5, 6, 7, 8) == 42) {
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
    }

    /**
     * Before a free that cannot call back: the stack for the few calls between taking the pointer and the
     * native free (the live count, the free function, the backend's method), so that an Error cannot
     * strike between them and lose the pointer. Each Java call's entry already checks the JVM's shadow
     * zone; these frames prove the calls themselves fit beyond it.
     */
    static void ensureBeforeAFree() {
        if (usesArmedProof()) {
            return;
        }
        if (probe(FRAMES_BEFORE_A_FREE, 1, 2, 3, 4, 5, 6, 7, 8) == 42) {
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
    }

    /** Four times the calls from taking the pointer to the native free. */
    private static final int FRAMES_BEFORE_A_FREE = 16;

    /**
     * Before making a native object that a new owned handle will wrap: the stack for the calls between
     * the allocation and the handle's registration with the Cleaner (setting it up, counting it, the
     * handle's constructors), so that an Error cannot strike between them and leave the object with no
     * handle to free it.
     */
    static void ensureBeforeAnAllocation() {
        if (usesArmedProof()) {
            return;
        }
        if (probe(FRAMES_BEFORE_AN_ALLOCATION, 1, 2, 3, 4, 5, 6, 7, 8) == 42) {
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
    }

    /** About four times the calls from the allocation to the Cleaner's registration. */
    private static final int FRAMES_BEFORE_AN_ALLOCATION = 64;

    private static long probe(int frames, long a, long b, long c, long d, long e, long f, long g, long h) {
        if (frames == 0) {
            return a ^ h;
        }
        return probe(frames - 1, b, c, d, e, f, g, h, a) + a + b + c + d + e + f + g + h;
    }
}
