package io.github.ossltickets;

import io.github.ossltickets.ffi.StackProof;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rules of a stack proof ({@link StackProof}) that the in-memory pump and the server's selector
 * thread rely on, seen where they matter: near the stack's end, where a check that probes overflows and
 * a check that uses an armed proof does not. No native call is made here, so no upcall can end the JVM.
 */
class StackProofTest {
    /** Frames returned from the deepest point before a check: room for the check, not for its probe. */
    private static final int FRAMES_LEFT_FOR_THE_CHECK = 90;
    private static int framesToUnwind;

    @BeforeAll
    static void installTheProver() throws IllegalAccessException {
        MethodHandles.lookup().ensureInitialized(SslContext.class); // it installs StackHeadroom's prover
    }

    @Test
    void anArmedProofSparesOneCheckItsProbeAndDisarmTakesTheArmingBack() throws Exception {
        AtomicReference<String> results = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            Object proof = StackProof.open();
            try {
                results.set(String.join(", ",
                        // armed: the check uses the proof, and passes where a probe cannot
                        atTheStackEnd(() -> {
                            StackProof.arm(proof);
                            StackHeadroom.ensureBeforeAStateMachineCall();
                        }),
                        // never armed: the check probes, and overflows
                        atTheStackEnd(StackHeadroom::ensureBeforeAStateMachineCall),
                        // the check before an allocation uses it too
                        atTheStackEnd(() -> {
                            StackProof.arm(proof);
                            StackHeadroom.ensureBeforeAnAllocation();
                        }),
                        // one arming, two checks: the second probes
                        atTheStackEnd(() -> {
                            StackProof.arm(proof);
                            StackHeadroom.ensureBeforeAnAllocation();
                            StackHeadroom.ensureBeforeAStateMachineCall();
                        }),
                        // armed, then disarmed because no call used it: the check probes
                        atTheStackEnd(() -> {
                            StackProof.arm(proof);
                            StackProof.disarm(proof);
                            StackHeadroom.ensureBeforeAStateMachineCall();
                        }),
                        // a check before a callback into Java never uses a proof, and disarms it
                        atTheStackEnd(() -> {
                            StackProof.arm(proof);
                            try {
                                StackHeadroom.ensureForACallbackIntoJava();
                            } catch (StackOverflowError expected) {
                                // it probed; the arming must be gone all the same
                            }
                            StackHeadroom.ensureBeforeAStateMachineCall();
                        })));
            } finally {
                StackProof.close(proof);
            }
        }, "deep", 512 * 1024);
        thread.start();
        thread.join();
        assertEquals("passed, overflowed, passed, overflowed, overflowed, overflowed", results.get());
    }

    /** Recurses to the stack's end, returns a few frames, and runs {@code check} there: "passed" or "overflowed". */
    private static String atTheStackEnd(Runnable check) {
        String result;
        try {
            result = atTheStackEnd(check);
        } catch (StackOverflowError end) {
            framesToUnwind = FRAMES_LEFT_FOR_THE_CHECK;
            return null;
        }
        if (result != null || --framesToUnwind > 0) {
            return result;
        }
        try {
            check.run();
            return "passed";
        } catch (StackOverflowError overflowed) {
            return "overflowed";
        }
    }
}
