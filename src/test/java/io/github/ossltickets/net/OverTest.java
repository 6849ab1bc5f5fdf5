package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.Ssl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TlsConnection#over}: every refusal closes the Ssl and socket it was handed, and leaks no file
 * descriptor or native object; huge timeouts are cut, not overflowed.
 */
@Timeout(60)
class OverTest {
    private static Loopback loopback;

    @BeforeAll
    static void start() throws Exception {
        loopback = new Loopback();
    }

    @AfterAll
    static void stop() throws Exception {
        loopback.close();
    }

    private static boolean isClosed(Ssl ssl) {
        try {
            ssl.isServer();
            return false;
        } catch (IllegalStateException closed) {
            return true;
        }
    }

    /**
     * Runs {@code refused} 10 more times: no more file descriptors or native objects live after than
     * before. (Not "exactly as many": the Cleaner may free what earlier test classes dropped meanwhile.)
     */
    private static void assertNothingLeaks(Executable refused) throws Throwable {
        refused.execute(); // the first round may load classes that open files
        long fds = ProcessChecks.openFileDescriptors();
        OpenSsl.LiveObjects before = OpenSsl.liveObjects();
        for (int i = 0; i < 10; i++) {
            refused.execute();
        }
        OpenSsl.LiveObjects after = OpenSsl.liveObjects();
        // 2 of slack for the JVM's own (a jar or /dev/random opened meanwhile); a leak would show 10.
        assertTrue(ProcessChecks.openFileDescriptors() <= fds + 2, "open file descriptors: " + fds + " before, "
                + ProcessChecks.openFileDescriptors() + " after");
        assertTrue(after.connections() <= before.connections(), "live SSL*: " + before + " before, " + after + " after");
        assertTrue(after.networkBios() <= before.networkBios(), "live network BIOs: " + before + " before, " + after
                + " after");
    }

    @Test
    void aNullSslClosesTheSocket() throws Throwable {
        assertNothingLeaks(() -> {
            Socket[] sockets = loopback.silentPeer();
            NullPointerException e = assertThrows(NullPointerException.class,
                    () -> TlsConnection.over(null, sockets[0], Duration.ofSeconds(1)));
            assertEquals("ssl", e.getMessage());
            assertTrue(sockets[0].isClosed(), "the socket was closed");
            sockets[1].close();
        });
    }

    @Test
    void aNullSocketClosesTheSsl() throws Throwable {
        assertNothingLeaks(() -> {
            Ssl ssl = loopback.clientContext.newSsl();
            assertEquals("socket", assertThrows(NullPointerException.class,
                    () -> TlsConnection.over(ssl, null, Duration.ofSeconds(1))).getMessage());
            assertTrue(isClosed(ssl), "the Ssl was closed");
        });
    }

    @Test
    void aNullZeroOrNegativeTimeoutClosesBoth() throws Throwable {
        for (Duration timeout : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
            assertNothingLeaks(() -> {
                Socket[] sockets = loopback.silentPeer();
                Ssl ssl = loopback.clientContext.newSsl();
                RuntimeException e = assertThrows(RuntimeException.class,
                        () -> TlsConnection.over(ssl, sockets[0], timeout));
                assertTrue(e.getMessage().contains("readTimeout"), e.getMessage());
                assertTrue(sockets[0].isClosed() && isClosed(ssl), "both were closed");
                sockets[1].close();
            });
        }
    }

    @Test
    void anSslThatAlreadyHasATransportIsRefused() throws Throwable {
        assertNothingLeaks(() -> {
            Socket[] sockets = loopback.silentPeer();
            Ssl joined = loopback.clientContext.newSsl();
            Ssl other = loopback.serverContext.newSsl();
            joined.joinWithBioPair(other);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TlsConnection.over(joined, sockets[0], Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("already has a transport"), e.getMessage());
            assertTrue(sockets[0].isClosed() && isClosed(joined), "both were closed");
            other.close();
            sockets[1].close();
        });
    }

    @Test
    void theSameSslOverASecondSocketIsRefused() throws Throwable {
        assertNothingLeaks(() -> {
            Socket[] first = loopback.silentPeer();
            Socket[] second = loopback.silentPeer();
            Ssl ssl = loopback.clientContext.newSsl();
            TlsConnection connection = TlsConnection.over(ssl, first[0], Duration.ofSeconds(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TlsConnection.over(ssl, second[0], Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("already has a transport"), e.getMessage());
            assertTrue(second[0].isClosed(), "the second socket was closed");
            connection.close();
            first[1].close();
            second[1].close();
        });
    }

    @Test
    void aSocketThatIsNotConnectedClosesTheSsl() throws Throwable {
        assertNothingLeaks(() -> {
            Ssl ssl = loopback.clientContext.newSsl();
            Socket socket = new Socket();
            assertThrows(java.net.SocketException.class, () -> TlsConnection.over(ssl, socket, Duration.ofSeconds(1)));
            assertTrue(socket.isClosed() && isClosed(ssl), "both were closed");
        });
    }

    @Test
    void hugeTimeoutsAreCutToTheLongestASocketTakes() throws Throwable {
        for (Duration huge : new Duration[] {Duration.ofDays(30), Duration.ofSeconds(Long.MAX_VALUE)}) {
            assertNothingLeaks(() -> {
                try (Loopback.Pair pair = loopback.connectWithoutHandshake(huge)) {
                    Thread server = new Thread(() -> {
                        try {
                            pair.server.handshake(huge);
                            pair.server.write(new byte[] {42});
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    server.start();
                    pair.client.handshake(huge);
                    assertEquals(1, pair.client.read(new byte[1]));
                    server.join(10_000);
                    // The read's deadline is MAX_TIMEOUT from its start: what is left of it, a moment later.
                    int soTimeout = pair.client.socket().getSoTimeout();
                    assertTrue(soTimeout > Integer.MAX_VALUE - 60_000, "the read waited at most"
                            + " TlsConnection.MAX_TIMEOUT, not an overflowed figure: " + soTimeout);
                }
            });
        }
    }

    @Test
    void handshakeRefusesANullOrNegativeTimeoutClearly() throws Exception {
        try (Loopback.Pair pair = loopback.connectWithoutHandshake()) {
            assertEquals("timeout", assertThrows(NullPointerException.class,
                    () -> pair.client.handshake(null)).getMessage());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pair.client.handshake(Duration.ofSeconds(-5)));
            assertTrue(e.getMessage().contains("timeout must be positive"), e.getMessage());
        }
    }
}
