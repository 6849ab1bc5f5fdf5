package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TlsVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's worker pool, timeouts and graceful shutdown, with our client over loopback. */
@Timeout(60)
class TlsServerTest {
    private static SslContext serverContext;
    private static SslContext clientContext;

    @BeforeAll
    static void contexts() {
        serverContext = SslContext.forServer().selfSignedCertificate().serverSessionCache(false).build();
        clientContext = SslContext.forClient().build();
    }

    @AfterAll
    static void close() {
        serverContext.close();
        clientContext.close();
    }

    private static final System.Logger QUIET = new RecordingLogger();

    private static TlsServer.Builder server(TlsServer.Handler handler) {
        return TlsServer.builder(serverContext, handler).port(0).logger(QUIET);
    }

    /** The handler's echo of one line. */
    private static void echo(TlsConnection connection) throws IOException {
        byte[] buffer = new byte[256];
        int n = connection.read(buffer);
        if (n > 0) {
            connection.write(java.util.Arrays.copyOf(buffer, n));
        }
    }

    private static String roundTrip(TlsClient client, int port, String text) throws IOException {
        try (TlsConnection connection = client.connect("127.0.0.1", port)) {
            connection.write(text.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[256];
            for (int n; (n = connection.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void closeLetsRunningConnectionsFinishWithinTheGrace() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        TlsServer server = server(connection -> {
            started.countDown();
            sleep(300);
            echo(connection);
        }).grace(Duration.ofSeconds(5)).build();
        try (TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10))) {
            Thread closer = new Thread(() -> {
                await(started);
                server.close();
            });
            closer.start();
            assertEquals("ping", roundTrip(client, server.port(), "ping"), "answered although close() began");
            closer.join(10_000);
        }
        assertEquals(0, server.stats().connectionsOpen());
    }

    @Test
    void afterTheGraceTheRestAreClosedAndEverythingIsFreed() throws Exception {
        OpenSsl.LiveObjects before = OpenSsl.liveObjects();
        CountDownLatch reading = new CountDownLatch(1);
        TlsServer server = server(connection -> {
            connection.read(new byte[16]); // the client's one byte
            reading.countDown();
            connection.read(new byte[16]); // the client writes no more: blocks until the server closes it
        }).grace(Duration.ofMillis(200)).readTimeout(Duration.ofMinutes(5)).build();
        try (TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10));
             TlsConnection silent = client.connect("127.0.0.1", server.port())) {
            silent.write(new byte[] {'x'});
            assertTrue(reading.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            server.close();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close() ends after the grace");
            boolean ended;
            try {
                ended = silent.read(new byte[16]) < 0;
            } catch (IOException | OpenSslException closedUnderIt) {
                ended = true; // a reset, or an end without close_notify
            }
            assertTrue(ended, "the server closed the connection");
        }
        assertEquals(0, server.stats().connectionsOpen());
        for (int i = 0; i < 50 && !ProcessChecks.noMoreThan(before); i++) {
            System.gc();
            sleep(50);
        }
        assertTrue(ProcessChecks.noMoreThan(before), "every connection and BIO of the server and client freed: before "
                + before + ", after " + OpenSsl.liveObjects());
    }

    /** With every worker busy, new connections still complete their handshakes, and wait for a worker. */
    @Test
    void busyWorkersDoNotHoldUpHandshakes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        try (TlsServer server = server(connection -> {
            busy.countDown();
            await(release);
            echo(connection);
        }).workers(1).build();
             TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10));
             TlsConnection first = client.connect("127.0.0.1", server.port())) {
            first.write("one".getBytes(StandardCharsets.UTF_8)); // its request takes the only worker
            assertTrue(busy.await(10, TimeUnit.SECONDS));
            try (TlsConnection second = client.connect("127.0.0.1", server.port())) {
                for (int i = 0; i < 500 && server.stats().handshakes() < 2; i++) {
                    sleep(10); // the server's handshake ends when the client's last flight arrives
                }
                assertEquals(2, server.stats().handshakes(), "the second handshake ran while the worker was busy");
                second.write("two".getBytes(StandardCharsets.UTF_8));
                release.countDown();
                byte[] buffer = new byte[16];
                assertEquals("one", new String(buffer, 0, first.read(buffer), StandardCharsets.UTF_8));
                assertEquals("two", new String(buffer, 0, second.read(buffer), StandardCharsets.UTF_8));
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Four TLS 1.3 tickets of 60,000 bytes each, far more than one BIO pair buffer: the server sends them all. */
    @Test
    void aFlightLargerThanTheBioPairIsSentWhole() throws Exception {
        try (SslContext bigTickets = SslContext.forServer().selfSignedCertificate().numTickets(4)
                .serverSessionCache(false).build()) {
            byte[] appData = new byte[60_000];
            java.util.Arrays.fill(appData, (byte) 'x');
            int[] offered = {0};
            bigTickets.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(appData);
                return true;
            }, (ssl, session, keyName, status) -> {
                offered[0] = session.map(s -> s.ticketAppData().length).orElse(0);
                return io.github.ossltickets.TicketReturn.defaultFor(status);
            });
            try (TlsServer server = TlsServer.builder(bigTickets, TlsServerTest::echo).port(0).logger(QUIET)
                    .handshakeTimeout(Duration.ofSeconds(5)).build();
                 TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10))) {
                assertEquals("hello", roundTrip(client, server.port(), "hello"));
                try (TlsConnection resumed = client.connect("127.0.0.1", server.port())) {
                    assertTrue(resumed.ssl().isSessionReused());
                }
                assertEquals(60_000, offered[0], "the ticket carried all its app data");
            }
        }
    }

    /**
     * Peers that leave right after their handshake, as openssl s_time does (a reset: SO_LINGER 0), or with
     * a FIN and no close_notify: the selector frees them without a worker, and neither counts as failed.
     * A peer whose request and FIN arrive together still reaches the handler: readable with bytes to
     * read is a request, and only readable with none is the peer's end. TLS 1.2, so that the client's
     * handshake ends after the server's last flight (in TLS 1.3 a reset may meet the server's tickets).
     */
    @Test
    void peersLeavingAfterTheHandshakeAreFreedAndARequestBeforeAFinIsServed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
        try (SslContext tls12 = SslContext.forClient().protocols(TlsVersion.TLS1_2, TlsVersion.TLS1_2).build();
             TlsServer server = server(connection -> {
                 handled.incrementAndGet();
                 echo(connection);
             }).build(); TlsClient client = new TlsClient(tls12, Duration.ofSeconds(10))) {
            try (TlsConnection resets = client.connect("127.0.0.1", server.port())) {
                resets.socket().setSoLinger(true, 0);
                resets.abort(); // closes the socket: a reset, no close_notify
            }
            try (TlsConnection leaves = client.connect("127.0.0.1", server.port())) {
                leaves.socket().shutdownOutput(); // a FIN without close_notify
            }
            awaitOpen(server, 0);
            assertEquals(0, handled.get(), "no handler ran for peers that sent no request");
            try (TlsConnection asksAndLeaves = client.connect("127.0.0.1", server.port())) {
                asksAndLeaves.write("bye".getBytes(StandardCharsets.US_ASCII));
                asksAndLeaves.socket().shutdownOutput(); // the FIN right behind the request
                byte[] answer = new byte[16];
                int n = asksAndLeaves.read(answer);
                assertEquals("bye", new String(answer, 0, Math.max(0, n), StandardCharsets.US_ASCII));
            }
            awaitOpen(server, 0);
            TlsServer.Stats stats = server.stats();
            assertEquals(1, handled.get());
            assertEquals(3, stats.handshakes(), stats.toString());
            assertEquals(0, stats.connectionsFailed(), stats.toString());
        }
    }

    private static void awaitOpen(TlsServer server, int open) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.stats().connectionsOpen() != open && System.nanoTime() < deadline) {
            sleep(10);
        }
        assertEquals(open, server.stats().connectionsOpen(), server.stats().toString());
    }

    /** One megabyte each way: SSL_write is retried many times, each time from a fresh copy of the array. */
    @Test
    void aMegabyteGoesThroughBothWays() throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(7).nextBytes(data);
        try (TlsServer server = server(connection -> {
            byte[] received = new byte[data.length];
            int total = 0;
            byte[] buffer = new byte[16 * 1024];
            while (total < received.length) {
                int n = connection.read(buffer);
                System.arraycopy(buffer, 0, received, total, n);
                total += n;
            }
            connection.write(received);
        }).build(); TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(20));
             TlsConnection connection = client.connect("127.0.0.1", server.port())) {
            connection.write(data);
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            while (echoed.size() < data.length) {
                echoed.write(buffer, 0, connection.read(buffer));
            }
            assertTrue(java.util.Arrays.equals(data, echoed.toByteArray()));
        }
    }
}
