package io.github.ossltickets;

import org.junit.jupiter.api.Test;

/**
 * An Error inside a callback, from inside the library's own calls, leaves no count, lock or loan held:
 * before, a StackOverflowError left a lent session's use counted and the callback's thread waited for
 * it forever. Each case runs in a child JVM (a hang or crash fails that case by name) and, inside it,
 * on threads with a stack of 256 KiB, 1 MiB and the JVM's default, five handshakes each with the
 * overflow moved a few frames every time, so that it strikes at different points of the library.
 */
class CallbackErrorTest {

    @Test
    void generatorOverflowsTheStack() {
        ChildJvm.run(CallbackErrorCases.class, "generatorOverflowsTheStack");
    }

    @Test
    void decryptorOverflowsTheStack() {
        ChildJvm.run(CallbackErrorCases.class, "decryptorOverflowsTheStack");
    }

    @Test
    void keyCallbackOverflowsTheStack() {
        ChildJvm.run(CallbackErrorCases.class, "keyCallbackOverflowsTheStack", "-Xss256k");
    }

    @Test
    void closesThatTheStacksEndInterruptsAreFinishedByTheCleaner() {
        ChildJvm.run(CallbackErrorCases.class, "closesThatTheStacksEndInterruptsAreFinishedByTheCleaner");
    }

    @Test
    void outOfMemoryInsideTheLibrary() {
        ChildJvm.run(CallbackErrorCases.class, "outOfMemoryInsideTheLibrary", "-Xmx32m");
    }
}
