package io.github.ossltickets;

import org.junit.jupiter.api.Test;

/** {@link HostileUseCases}, each in a JVM of its own: before the fixes, two crashed and two leaked. */
class HostileUseTest {

    @Test
    void anOwnerClosingAtTheEndOfItsStack() {
        ChildJvm.run(HostileUseCases.class, "anOwnerClosingAtTheEndOfItsStack");
    }

    @Test
    void addressRacingTheLastFree() {
        ChildJvm.run(HostileUseCases.class, "addressRacingTheLastFree");
    }

    @Test
    void twoThreadsOnOneSession() {
        ChildJvm.run(HostileUseCases.class, "twoThreadsOnOneSession");
    }

    @Test
    void readOnlyCallsWhileAnotherThreadDrives() {
        ChildJvm.run(HostileUseCases.class, "readOnlyCallsWhileAnotherThreadDrives");
    }
}
