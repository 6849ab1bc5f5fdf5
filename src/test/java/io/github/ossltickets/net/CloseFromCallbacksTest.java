package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user who stops the server from the server's own callbacks: the handshake listener (the selector
 * thread itself). Real TLS clients on real sockets.
 */
@Timeout(30)
class CloseFromCallbacksTest {
    private static SslContext serverContext;
    private static SslContext clientContext;

    @BeforeAll
    static void contexts() {
        serverContext = SslContext.forServer().selfSignedCertificate().build();
        clientContext = SslContext.forClient().build();
    }

    @AfterAll
    static void close() {
        serverContext.close();
        clientContext.close();
    }

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
        TlsServer server = TlsServer.builder(serverContext, connection -> { }).port(0).logger(logger)
                .grace(Duration.ofSeconds(10)).handshakeListener(ssl -> {
                    long start = System.nanoTime();
                    self.get().close();
                    closeMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    closeReturned.countDown();
                }).build();
        self.set(server);
        try (TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(5))) {
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
}
