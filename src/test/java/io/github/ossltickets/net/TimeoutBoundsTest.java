package io.github.ossltickets.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A careless user of {@link TlsClient} and {@link TlsServer}: timeouts of every size. Real handshakes. */
@Timeout(30)
class TimeoutBoundsTest {
    @RegisterExtension
    static final SelfSignedContexts contexts = new SelfSignedContexts();

    /** A timeout that cannot bound anything is refused when the client is made, not at its first connect. */
    @Test
    void aTimeoutThatIsNotPositiveIsRefusedAtOnce() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1)}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new TlsClient(contexts.client, bad));
            assertTrue(refused.getMessage().contains("timeout must be positive"), refused.getMessage());
        }
    }

    /**
     * A timeout under a millisecond is positive, but is 0 ms to Socket.connect, which is no bound at all:
     * a server whose accept queue is full drops the SYN, and the connect waited for the kernel's SYN
     * retries (about two minutes). It is at least a millisecond, as a TlsConnection's read timeout is.
     */
    @Test
    void aTimeoutUnderAMillisecondStillBoundsTheConnect() throws Exception {
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             TlsClient client = new TlsClient(contexts.client, Duration.ofNanos(500_000))) {
            java.util.List<java.net.Socket> queued = new java.util.ArrayList<>();
            try {
                // Nothing accepts: once the accept queue is full, the kernel drops every new SYN.
                for (int i = 0; i < 8; i++) {
                    java.net.Socket socket = new java.net.Socket();
                    queued.add(socket);
                    try {
                        socket.connect(full.getLocalSocketAddress(), 200);
                    } catch (java.net.SocketTimeoutException queueFull) {
                        break;
                    }
                }
                // Preemptive: the unbounded connect would not answer an interrupt for two minutes.
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                        assertThrows(java.io.IOException.class, () -> client.connect("127.0.0.1", full.getLocalPort())),
                        "the connect is bounded");
            } finally {
                for (java.net.Socket socket : queued) {
                    socket.close();
                }
            }
        }
    }

    /** A timeout longer than a socket takes is cut to TlsConnection.MAX_TIMEOUT, as TlsConnection does. */
    @Test
    void aVeryLongTimeoutConnects() throws Exception {
        TlsServer.Handler echo = connection -> {
            byte[] buffer = new byte[64];
            int n = connection.read(buffer);
            if (n > 0) {
                connection.write(Arrays.copyOf(buffer, n));
            }
        };
        try (TlsServer server = TlsServer.builder(contexts.server, echo).port(0).build();
             TlsClient client = new TlsClient(contexts.client, Duration.ofDays(30));
             TlsConnection connection = client.connect("127.0.0.1", server.port())) {
            connection.write("ping".getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[64];
            assertEquals("ping", new String(buffer, 0, connection.read(buffer), StandardCharsets.UTF_8));
        }
    }

    /** The longest Duration there is, as the server's timeouts: cut to TlsConnection.MAX_TIMEOUT, and it serves. */
    @Test
    void theLongestDurationsAsServerTimeoutsServe() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        TlsServer.Handler echo = connection -> {
            byte[] buffer = new byte[64];
            int n = connection.read(buffer);
            if (n > 0) {
                connection.write(Arrays.copyOf(buffer, n));
            }
        };
        try (TlsServer server = TlsServer.builder(contexts.server, echo).port(0).handshakeTimeout(forever)
                .readTimeout(forever).grace(forever).build();
             TlsClient client = new TlsClient(contexts.client, Duration.ofSeconds(5));
             TlsConnection connection = client.connect("127.0.0.1", server.port())) {
            connection.write("ping".getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[64];
            assertEquals("ping", new String(buffer, 0, connection.read(buffer), StandardCharsets.UTF_8));
            connection.close();
            server.close(); // the handler is done: the grace is not waited for
        }
    }
}
