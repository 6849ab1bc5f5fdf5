package io.github.ossltickets.net;

import io.github.ossltickets.Ssl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile or careless {@link TlsServer.Builder#handshakeListener}: one that throws anything, blocks, or
 * closes the Ssl; and peers that leave while a handler writes. Real TLS clients on real sockets.
 */
@Timeout(60)
class HandshakeListenerTest {
    @RegisterExtension
    static final SelfSignedContexts contexts = new SelfSignedContexts();

    private final RecordingLogger logger = new RecordingLogger();

    private static void echo(TlsConnection connection) throws IOException {
        byte[] buffer = new byte[256];
        int n = connection.read(buffer);
        if (n > 0) {
            connection.write(Arrays.copyOf(buffer, n));
        }
    }

    private static String roundTrip(int port, String text) throws IOException {
        try (TlsClient client = new TlsClient(contexts.client, Duration.ofSeconds(5));
             TlsConnection connection = client.connect("127.0.0.1", port)) {
            connection.write(text.getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[256];
            int n = connection.read(buffer);
            return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    private static Consumer<Ssl> throwing(String kind) {
        return ssl -> {
            switch (kind) {
                case "assertion" -> throw new AssertionError("listener bug");
                case "stack-overflow" -> recurse(0);
                case "no-class-def" -> throw new NoClassDefFoundError("com/example/Missing");
                case "sneaky-checked" -> HandshakeListenerTest.<RuntimeException>sneakyThrow(new IOException("checked"));
                case "runtime" -> throw new IllegalStateException("listener bug");
                default -> throw new IllegalArgumentException(kind);
            }
        };
    }

    /** Whatever the listener throws, the server and each connection go on, and the log names the listener. */
    @ParameterizedTest
    @ValueSource(strings = {"assertion", "stack-overflow", "no-class-def", "sneaky-checked", "runtime"})
    void aThrowingListenerIsLoggedAndTheConnectionGoesOn(String kind) throws Exception {
        try (TlsServer server = TlsServer.builder(contexts.server, HandshakeListenerTest::echo).port(0)
                .logger(logger).handshakeListener(throwing(kind)).build()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("ping " + i, roundTrip(server.port(), "ping " + i), kind);
            }
            assertTrue(server.isRunning(), kind);
            assertEquals(0, server.stats().connectionsFailed(), kind + ": " + logger.entries);
            long warned = logger.entries.stream().filter(entry -> entry.level() == System.Logger.Level.WARNING
                    && entry.message().contains("handshake listener threw") && entry.thrown() != null).count();
            assertEquals(3, warned, logger.entries.toString());
        }
    }

    /** A listener that blocks: close() interrupts it after the grace period, returns on time, and the thread ends. */
    @Test
    void closeInterruptsABlockedListener() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicReference<Thread> listenerThread = new AtomicReference<>();
        CountDownLatch never = new CountDownLatch(1);
        Duration grace = Duration.ofMillis(500);
        TlsServer server = TlsServer.builder(contexts.server, HandshakeListenerTest::echo).port(0).logger(logger)
                .grace(grace).handshakeListener(ssl -> {
                    listenerThread.set(Thread.currentThread());
                    entered.countDown();
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                }).build();
        Thread client = new Thread(() -> {
            try {
                roundTrip(server.port(), "x");
            } catch (IOException | RuntimeException expected) {
                // the server never answers, then closes
            }
        });
        client.setDaemon(true);
        client.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the listener never ran");
        long started = System.nanoTime();
        server.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis < grace.toMillis() + 1000, "close() took " + tookMillis + " ms");
        assertTrue(interrupted.await(2, TimeUnit.SECONDS), "the listener was not interrupted");
        listenerThread.get().join(2000);
        assertFalse(listenerThread.get().isAlive(), "the selector thread lives on");
        assertFalse(server.isRunning());
        client.join(10_000);
    }

    /**
     * A logger that throws loses its lines, not the server's work: a connection timed out in its handshake
     * is still freed, and the selector thread goes on. Before, the timeout's log line threw past the free,
     * and the selector loop's own log line of that failure threw past the loop: the server stopped.
     */
    @Test
    void aThrowingLoggerLosesItsLinesNotTheServersWork() throws Exception {
        System.Logger throwing = new System.Logger() {
            @Override
            public String getName() {
                return "throwing";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String message, Throwable thrown) {
                throw new IllegalStateException("this logger throws");
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
                throw new IllegalStateException("this logger throws");
            }
        };
        try (TlsServer server = TlsServer.builder(contexts.server, HandshakeListenerTest::echo).port(0)
                .logger(throwing).handshakeTimeout(Duration.ofMillis(200)).build();
             java.nio.channels.SocketChannel silent = java.nio.channels.SocketChannel.open(
                     new InetSocketAddress("127.0.0.1", server.port()))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((server.stats().connectionsTimedOut() == 0 || server.stats().connectionsOpen() != 0)
                    && System.nanoTime() < deadline) { // counted as timed out just before it is freed
                Thread.sleep(20);
            }
            assertEquals(1, server.stats().connectionsTimedOut(), "the silent connection timed out");
            assertEquals(0, server.stats().connectionsOpen(), "the timed-out connection was freed");
            assertTrue(server.isRunning(), "the selector thread goes on");
            assertEquals("ping", roundTrip(server.port(), "ping"));
        }
    }

    /** A listener that closes the Ssl ends that connection: logged as the listener's doing, not a failure. */
    @Test
    void aListenerThatClosesTheSslEndsTheConnectionCleanly() throws Exception {
        try (TlsServer server = TlsServer.builder(contexts.server, HandshakeListenerTest::echo).port(0)
                .logger(logger).handshakeListener(Ssl::close).build()) {
            for (int i = 0; i < 3; i++) {
                try {
                    assertEquals("", roundTrip(server.port(), "ping"));
                } catch (IOException | io.github.ossltickets.OpenSslException expected) {
                    // the server closed the socket without close_notify: the client's end of stream
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.stats().connectionsOpen() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            TlsServer.Stats stats = server.stats();
            assertEquals(0, stats.connectionsOpen(), stats.toString());
            assertEquals(0, stats.connectionsFailed(), logger.entries.toString());
            assertTrue(server.isRunning());
            assertEquals(3, logger.entries.stream().filter(entry -> entry.message().contains("the handshake listener"
                    + " closed its Ssl")).count(), logger.entries.toString());
            assertTrue(logger.entries.stream().noneMatch(entry -> entry.message().contains("the handler failed")),
                    logger.entries.toString());
        }
    }

    /**
     * A peer that resets (SO_LINGER 0, no close_notify) while the handler writes a long response: counted
     * as abandoned, not failed, as a close without close_notify after a whole response is no failure.
     */
    @Test
    void aPeerThatResetsDuringAResponseIsAbandonedNotFailed() throws Exception {
        byte[] block = new byte[64 * 1024];
        try (TlsServer server = TlsServer.builder(contexts.server, connection -> {
            byte[] request = new byte[16];
            connection.read(request);
            for (int i = 0; i < 1600; i++) { // 100 MB: far more than the socket buffers hold
                connection.write(block);
            }
        }).port(0).logger(logger).build()) {
            SSLContext jdk = SSLContext.getInstance("TLS");
            jdk.init(null, new TrustManager[] {new TrustingAnyCertificate()}, null);
            for (int i = 0; i < 2; i++) {
                Socket raw = new Socket();
                raw.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                SSLSocket tls = (SSLSocket) jdk.getSocketFactory().createSocket(raw, "localhost", server.port(), false);
                tls.getOutputStream().write('x');
                tls.getOutputStream().flush();
                InputStream in = tls.getInputStream();
                in.readNBytes(100_000); // the response is under way
                if (i == 0) {
                    raw.setSoLinger(true, 0); // RST
                } else {
                    raw.shutdownOutput(); // FIN without close_notify; unread data makes the close a reset too
                }
                raw.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (server.stats().connectionsOpen() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            TlsServer.Stats stats = server.stats();
            assertEquals(0, stats.connectionsOpen(), stats.toString());
            assertEquals(0, stats.connectionsFailed(), logger.entries.toString());
            assertEquals(2, stats.connectionsAbandoned(), stats + " " + logger.entries);
        }
    }

    /** Test only: the server's certificate is self-signed for this test. */
    private static final class TrustingAnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
