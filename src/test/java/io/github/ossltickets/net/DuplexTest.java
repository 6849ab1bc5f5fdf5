package io.github.ossltickets.net;

import io.github.ossltickets.ProcessChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several threads on one {@link TlsConnection}, each case in a child JVM ({@link DuplexCases}). */
class DuplexTest {
    @Test
    @Timeout(120)
    void aReaderAndAWriterOnEachOfFiftyConnections() {
        ProcessChecks.runInChildJvm(DuplexCases.class, "readerAndWriterOnEachOfFiftyConnections");
    }

    @Test
    @Timeout(120)
    void twoWritersAndAReaderOnOneConnection() {
        ProcessChecks.runInChildJvm(DuplexCases.class, "twoWritersAndAReaderOnOneConnection");
    }
}
