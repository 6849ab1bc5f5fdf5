package io.github.ossltickets.net;

import io.github.ossltickets.ProcessChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing a connection from another thread during its calls, each case in a child JVM ({@link CloseCases}). */
class CloseTest {
    @Test
    @Timeout(120)
    void closeDuringAReadAWriteOrTheHandshakeSaysSo() {
        ProcessChecks.runInChildJvm(CloseCases.class, "closeDuringReadWriteAndHandshake");
    }

    @Test
    @Timeout(120)
    void closeRacingAWriteThatStartsEndsItWithSocketException() {
        ProcessChecks.runInChildJvm(CloseCases.class, "closeRacingAWriteThatStarts");
    }

    @Test
    @Timeout(120)
    void abortThenCloseAndTwoClosesAtOnceFreeEverything() {
        ProcessChecks.runInChildJvm(CloseCases.class, "abortThenCloseAndCloseTwiceAtOnce");
    }
}
