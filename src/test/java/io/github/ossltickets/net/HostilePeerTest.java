package io.github.ossltickets.net;

import io.github.ossltickets.OpenSslException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peers that stall, send garbage or stay silent while the other direction is busy; the stream views. */
@Timeout(60)
class HostilePeerTest {
    private static Loopback loopback;

    @BeforeAll
    static void start() throws Exception {
        loopback = new Loopback();
    }

    @AfterAll
    static void stop() throws Exception {
        loopback.close();
    }

    @Test
    void aReadWaitingOnASilentPeerDoesNotHoldUpWrites() throws Exception {
        try (Loopback.Pair pair = loopback.connect()) {
            CompletableFuture<Integer> reader = Async.supply(() -> {
                try {
                    return pair.client.read(new byte[10]);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200); // the reader now waits on the socket
            byte[] data = new byte[4 << 20];
            new Random(1).nextBytes(data);
            CompletableFuture<byte[]> received = Async.supply(() -> {
                try {
                    return new DataInputStream(pair.server.inputStream()).readNBytes(data.length);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            pair.client.write(data);
            assertArrayEquals(data, received.get(20, TimeUnit.SECONDS), "written while the reader waited");
            assertTrue(!reader.isDone(), "the reader still waits");
            pair.server.write(new byte[] {7});
            assertEquals(1, reader.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPeerThatStopsInTheMiddleOfARecordTimesTheReadOut() throws Exception {
        try (Loopback.Pair pair = loopback.connect(Duration.ofMillis(300))) {
            OutputStream raw = pair.server.socket().getOutputStream();
            raw.write(new byte[] {0x17, 0x03, 0x03, 0x40, 0x00}); // an application record of 16 KiB...
            raw.write(new byte[100]); // ...of which 100 bytes come
            long start = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                    () -> pair.client.read(new byte[100]));
            assertTrue(e.getMessage().contains("a read did not complete within the read timeout of 300 ms"), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "bounded by the read timeout");
        }
    }

    @Test
    void garbageFailsTheReadAndThePeerGetsTheAlert() throws Exception {
        try (Loopback.Pair pair = loopback.connect()) {
            byte[] forged = new byte[5 + 64];
            new Random(2).nextBytes(forged);
            forged[0] = 0x17; // application data, TLS 1.2 on the wire, 64 bytes that no key encrypted
            forged[1] = 0x03;
            forged[2] = 0x03;
            forged[3] = 0x00;
            forged[4] = 64;
            pair.server.socket().getOutputStream().write(forged);
            OpenSslException refused = assertThrows(OpenSslException.class, () -> pair.client.read(new byte[100]));
            assertTrue(refused.getMessage().contains("bad record mac"), refused.getMessage());
            OpenSslException alert = assertThrows(OpenSslException.class, () -> pair.server.read(new byte[100]));
            assertTrue(alert.getMessage().contains("alert bad record mac"), "the server read the client's alert: "
                    + alert.getMessage());
        }
    }

    @Test
    void theStreamViewsCarryDataAndClosingOneClosesTheConnection() throws Exception {
        try (Loopback.Pair pair = loopback.connect()) {
            CompletableFuture<Void> echo = Async.run(() -> {
                try (InputStream in = pair.server.inputStream(); OutputStream out = pair.server.outputStream()) {
                    in.transferTo(out); // until the client's close_notify
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] data = new byte[100_000];
            new Random(3).nextBytes(data);
            CompletableFuture<byte[]> back = Async.supply(() -> {
                try {
                    return pair.client.inputStream().readNBytes(data.length);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(pair.client.outputStream()))) {
                for (int i = 0; i < data.length; i += 1000) {
                    out.write(data, i, 1000);
                }
                out.flush();
                assertArrayEquals(data, back.get(20, TimeUnit.SECONDS));
                assertEquals(pair.client.inputStream(), pair.client.inputStream(), "one view");
            } // closes the connection: close_notify ends the echo
            echo.get(20, TimeUnit.SECONDS);
            SocketException closed = assertThrows(SocketException.class, () -> pair.client.write(new byte[1]));
            assertEquals("the connection was closed", closed.getMessage());
            SocketException alsoClosed = assertThrows(SocketException.class, () -> pair.server.inputStream().read());
            assertEquals("the connection was closed by another thread", alsoClosed.getMessage(),
                    "the echo's try-with-resources closed the server's connection");
        }
    }

    @Test
    void closeReturnsWithinTheReadTimeoutWhenThePeerStoppedReading() throws Exception {
        try (Loopback.Pair pair = loopback.connect(Duration.ofMillis(300))) {
            CompletableFuture<Void> filler = Async.run(() -> {
                try { // raw bytes that fill the socket until it blocks: the peer reads nothing
                    OutputStream raw = pair.client.socket().getOutputStream();
                    while (true) {
                        raw.write(new byte[64 * 1024]);
                    }
                } catch (Exception expected) {
                    // the socket was closed
                }
            });
            Thread.sleep(300);
            CompletableFuture<Void> closing = Async.run(pair.client::close); // close_notify cannot get out
            try {
                closing.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                pair.client.abort(); // unblocks the test's threads
                throw new AssertionError("close() was still blocked after 5 s", e);
            }
            filler.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void emptyAndOutOfRangeCallsAreClear() throws Exception {
        try (Loopback.Pair pair = loopback.connect()) {
            pair.client.write(new byte[0]);
            assertEquals(0, pair.client.read(new byte[0]));
            assertThrows(IndexOutOfBoundsException.class, () -> pair.client.write(new byte[10], 5, 6));
            assertThrows(IndexOutOfBoundsException.class, () -> pair.client.read(new byte[10], -1, 2));
            assertThrows(NullPointerException.class, () -> pair.client.write(null));
            pair.client.write(Arrays.copyOf("ok".getBytes(), 2));
            byte[] two = new byte[2];
            assertEquals(2, new DataInputStream(pair.server.inputStream()).read(two));
        }
    }
}
