package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of peers that connect and say nothing, or send their ClientHello a byte at a time, while a
 * good client resumes: it must be served within a second, and afterwards the server must hold no more
 * file descriptors or native objects than before. The hostile peers run in a child JVM ({@link FloodPeers}),
 * so that their sockets do not count against this process's descriptor limit. The suite runs 3,000 idle
 * and 1,000 slow peers; {@code scripts/flood-serve} runs the same test with 10,000
 * ({@code -Dflood.idle=8000 -Dflood.slow=2000}).
 */
class TlsServerFloodTest {
    private static final int IDLE = Integer.getInteger("flood.idle", 3_000);
    private static final int SLOW = Integer.getInteger("flood.slow", 1_000);
    /** Below the server's default maxPerClient (256): the flood comes from several addresses, as a botnet's would. */
    private static final int PER_ADDRESS = 200;

    @Test
    @Timeout(120)
    void aGoodClientResumesWithinOneSecondWhilePeersSitIdleOrCrawl() throws Exception {
        int flood = IDLE + SLOW;
        long descriptorsBefore;
        OpenSsl.LiveObjects objectsBefore;
        List<Long> resumeMillis = new ArrayList<>();
        long descriptorsDuring;
        int openDuring;
        long heapDuring;
        try (SslContext serverContext = SslContext.forServer().selfSignedCertificate().serverSessionCache(false).build();
             SslContext clientContext = SslContext.forClient().build();
             TlsServer server = TlsServer.builder(serverContext, TlsServerFloodTest::answer).port(0)
                     .maxConnections(flood + 100).logger(new RecordingLogger()).build();
             TlsClient good = new TlsClient(clientContext, Duration.ofSeconds(10))) {
            request(good, server.port()); // a full handshake: the session to resume
            TlsServerHostileTest.waitFor(() -> server.stats().connectionsOpen() == 0, "the first connection was freed");
            descriptorsBefore = TlsServerHostileTest.openDescriptors();
            objectsBefore = TlsServerHostileTest.settledLiveObjects();
            long heapBefore = heapAfterGc();

            Process peers = startPeers(server.port());
            try {
                BufferedReader output = new BufferedReader(new InputStreamReader(peers.getInputStream(),
                        StandardCharsets.UTF_8));
                String ready = output.readLine();
                assertEquals("READY " + flood, ready, "the flood's child JVM");
                TlsServerHostileTest.waitFor(() -> server.stats().connectionsAccepted() >= flood + 1,
                        "the server accepted the flood: " + server.stats());
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    assertTrue(request(good, server.port()), "resumed");
                    resumeMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
                descriptorsDuring = TlsServerHostileTest.openDescriptors();
                openDuring = server.stats().connectionsOpen();
                heapDuring = heapAfterGc();
                assertTrue(openDuring >= flood, "the flood's connections are open: " + server.stats());
            } finally {
                peers.getOutputStream().close(); // the child closes every socket and exits
                if (!peers.waitFor(20, TimeUnit.SECONDS)) {
                    peers.destroyForcibly();
                }
            }
            TlsServerHostileTest.waitFor(() -> server.stats().connectionsOpen() == 0, "the flood's connections were freed: "
                    + server.stats());
            // A channel closed while registered with the selector keeps its descriptor until the next select.
            TlsServerHostileTest.waitFor(() -> descriptors() <= descriptorsBefore + 5, "the descriptors were closed: "
                    + descriptors() + ", before the flood " + descriptorsBefore);
            long descriptorsAfter = TlsServerHostileTest.openDescriptors();
            System.out.printf("flood: %d idle + %d slowloris; good client resumed in %s ms; server descriptors before"
                    + " %d, during %d, after %d; heap after GC before %d KiB, during %d KiB, after %d KiB; open"
                    + " connections during %d; %s%n", IDLE, SLOW, resumeMillis, descriptorsBefore, descriptorsDuring,
                    descriptorsAfter, heapBefore, heapDuring, heapAfterGc(), openDuring, server.stats());
            assertTrue(resumeMillis.stream().allMatch(millis -> millis < 1_000), "each resumption within 1 s: "
                    + resumeMillis);
            TlsServerHostileTest.assertLiveObjectsReturnTo(objectsBefore);
        }
    }

    private static long heapAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return (runtime.totalMemory() - runtime.freeMemory()) / 1024;
    }

    private static long descriptors() {
        try {
            return TlsServerHostileTest.openDescriptors();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void answer(TlsConnection connection) throws IOException {
        byte[] buffer = new byte[64];
        if (connection.read(buffer) > 0) {
            connection.write(new byte[] {(byte) (connection.ssl().isSessionReused() ? 'y' : 'n')});
        }
    }

    /** One request; true if the connection resumed. */
    private static boolean request(TlsClient client, int port) throws IOException {
        try (TlsConnection connection = client.connect("127.0.0.1", port)) {
            connection.write(new byte[] {'?'});
            byte[] answer = new byte[1];
            assertEquals(1, connection.read(answer));
            assertEquals(connection.ssl().isSessionReused(), answer[0] == 'y');
            return connection.ssl().isSessionReused();
        }
    }

    private static Process startPeers(int port) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xss256k", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))));
        for (String property : List.of("ossltickets.libssl", "ossltickets.libcrypto")) {
            if (System.getProperty(property) != null) {
                command.add(1, "-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(List.of(FloodPeers.class.getName(), String.valueOf(port), String.valueOf(IDLE),
                String.valueOf(SLOW), String.valueOf(PER_ADDRESS)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
