package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user who stops the server from the server's own callbacks: the handshake listener (the selector
 * thread itself), and the logger while close() itself logs. Real TLS clients on real sockets.
 */
@Timeout(30)
class CloseFromCallbacksTest {
    @RegisterExtension
    static final SelfSignedContexts contexts = new SelfSignedContexts();

    /**
     * close() from the handshake listener runs on the selector thread, which it would wait for: it must
     * start the shutdown and return at once, not wait the whole grace period for itself and interrupt itself.
     */
    @Test
    void closeFromTheHandshakeListenerReturnsAtOnceAndFreesEverything() throws Exception {
        OpenSsl.LiveObjects before = TlsServerHostileTest.settledLiveObjects();
        RecordingLogger logger = new RecordingLogger();
        AtomicReference<TlsServer> self = new AtomicReference<>();
        CountDownLatch closeReturned = new CountDownLatch(1);
        long[] closeMillis = new long[1];
        TlsServer server = TlsServer.builder(contexts.server, connection -> { }).port(0).logger(logger)
                .grace(Duration.ofSeconds(10)).handshakeListener(ssl -> {
                    long start = System.nanoTime();
                    self.get().close();
                    closeMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    closeReturned.countDown();
                }).build();
        self.set(server);
        try (TlsClient client = new TlsClient(contexts.client, Duration.ofSeconds(5))) {
            try {
                client.connect("127.0.0.1", server.port()).close();
            } catch (IOException endedByTheClose) {
                // the server may close the connection before the client sees the end of the handshake
            }
        }
        assertTrue(closeReturned.await(15, TimeUnit.SECONDS), "close() from the listener returned");
        assertTrue(closeMillis[0] < 2000, "close() from the listener took " + closeMillis[0] + " ms of a 10 s grace");
        long start = System.nanoTime();
        server.close(); // waits for the shutdown the listener started
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2000, "the shutdown ended quickly");
        assertFalse(server.isRunning());
        assertTrue(logger.entries.stream().noneMatch(entry -> entry.level() == System.Logger.Level.WARNING),
                "no warning: " + logger.entries);
        TlsServerHostileTest.assertLiveObjectsReturnTo(before);
        TlsServerHostileTest.waitFor(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().endsWith("-" + server.port())
                        && thread.getName().startsWith("ossl-tickets-")), "no thread of the server is left");
    }

    /**
     * A logger that stops the server whenever it logs, called by close() itself (a handler that ignores
     * the interrupt is reported at WARNING): the nested close() must not wait for the close it runs in.
     */
    @Test
    void closeFromTheLoggerDuringCloseDoesNotWaitForItself() throws Exception {
        AtomicReference<TlsServer> self = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch serving = new CountDownLatch(1);
        RecordingLogger recorded = new RecordingLogger();
        System.Logger closing = new System.Logger() {
            @Override
            public String getName() {
                return "closing";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String message, Throwable thrown) {
                recorded.log(level, bundle, message, thrown);
                self.get().close();
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
                recorded.log(level, bundle, format, params);
                self.get().close();
            }
        };
        TlsServer.Handler stubborn = connection -> {
            serving.countDown();
            while (!release.get()) {
                Thread.onSpinWait(); // ignores the interrupt
            }
        };
        TlsServer server = TlsServer.builder(contexts.server, stubborn).port(0).logger(closing)
                .grace(Duration.ofMillis(100)).build();
        self.set(server);
        try (TlsClient client = new TlsClient(contexts.client, Duration.ofSeconds(5));
             TlsConnection connection = client.connect("127.0.0.1", server.port())) {
            connection.write(new byte[] {1});
            assertTrue(serving.await(5, TimeUnit.SECONDS), "the handler runs");
            long start = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(recorded.entries.stream().anyMatch(entry -> entry.message().contains("ignored the interrupt")),
                    "close() logged the stubborn handler: " + recorded.entries);
            assertTrue(millis < 3000, "close() took " + millis + " ms with a grace of 100 ms");
        } finally {
            release.set(true);
        }
    }
}
