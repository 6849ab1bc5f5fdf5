package io.github.ossltickets.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TlsServer.Builder#maxWorkersPerClient}: one client address cannot hold every worker, however many
 * of its connections stall theirs. Real TLS on real sockets; the other address is 127.0.0.2, which Linux
 * routes over loopback like 127.0.0.1.
 */
@Timeout(30)
class WorkersPerClientTest {
    @RegisterExtension
    static final SelfSignedContexts contexts = new SelfSignedContexts();

    private static final String ATTACKER = "127.0.0.1";
    private static final String OTHER = "127.0.0.2";

    /** Handlers started, by kind. */
    private final AtomicInteger flooding = new AtomicInteger();
    private final AtomicInteger holding = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    /** Lets the "hold" handlers end. */
    private final CountDownLatch letGo = new CountDownLatch(1);

    /**
     * "flood": writes far more than the socket buffers hold to a peer that reads nothing, so the worker
     * blocks until the read timeout (the stalled reader of {@link StalledReaderTest}), or until the peer
     * leaves; "hold": keeps its worker until the test lets go; anything else: answers "served".
     */
    private final TlsServer.Handler handler = connection -> {
        byte[] request = new byte[64];
        int n = connection.read(request);
        String what = n > 0 ? new String(request, 0, n, StandardCharsets.US_ASCII) : "";
        if (what.equals("flood")) {
            flooding.incrementAndGet();
            byte[] megabyte = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                connection.write(megabyte);
            }
        } else if (what.equals("hold")) {
            holding.incrementAndGet();
            try {
                letGo.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            answered.incrementAndGet();
            connection.write("served".getBytes(StandardCharsets.US_ASCII));
        }
    };

    private TlsServer.Builder server(int workers) {
        return TlsServer.builder(contexts.server, handler).port(0).workers(workers).grace(Duration.ofMillis(200))
                .logger(new RecordingLogger());
    }

    /** A TLS connection from {@code localAddress}, its handshake done, that sends {@code request}. */
    private static TlsConnection send(String localAddress, TlsServer server, String request) throws IOException {
        TlsConnection connection = handshaken(localAddress, server);
        connection.write(request.getBytes(StandardCharsets.US_ASCII));
        return connection;
    }

    /** A TLS connection from {@code localAddress}, its handshake done, that has sent nothing yet. */
    private static TlsConnection handshaken(String localAddress, TlsServer server) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096); // a stalled reader's buffer fills at once
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        TlsConnection connection = TlsConnection.over(contexts.client.newSsl(), socket, Duration.ofSeconds(20));
        connection.handshake(Duration.ofSeconds(5));
        return connection;
    }

    /** The answer to a request sent, read on a thread of its own. */
    private static CompletableFuture<String> answer(TlsConnection connection) {
        return Async.supply(() -> {
            try {
                byte[] buffer = new byte[64];
                int n = connection.read(buffer);
                return n < 0 ? "closed" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The review's attack, scaled down: as many stalled readers from one address as there are workers.
     * Without the cap they hold every worker, and another address waits for the read timeout (10 s here);
     * with the default cap (a quarter of 4 workers: 1), one stalls, three wait, and the other address is
     * answered at once.
     */
    @Test
    void stalledReadersFromOneAddressDoNotStallAnother() throws Exception {
        try (TlsServer server = server(4).readTimeout(Duration.ofSeconds(10)).build();
             TlsConnection stalled1 = send(ATTACKER, server, "flood");
             TlsConnection stalled2 = send(ATTACKER, server, "flood");
             TlsConnection stalled3 = send(ATTACKER, server, "flood");
             TlsConnection stalled4 = send(ATTACKER, server, "flood")) {
            TlsServerHostileTest.waitFor(() -> flooding.get() + server.stats().connectionsQueuedPerClient() == 4,
                    "every stalled reader holds a worker or waits for one");
            try (TlsConnection other = send(OTHER, server, "ping")) {
                long start = System.nanoTime();
                assertEquals("served", answer(other).get(5, TimeUnit.SECONDS));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 2000, "the other address was answered after " + millis + " ms");
            }
            assertEquals(1, flooding.get(), "workers held by the stalled address");
            assertEquals(3, server.stats().connectionsQueuedPerClient());
        }
    }

    /**
     * The cap itself, from one address: 2 stalled readers hold 2 of 4 workers; a third connection of theirs
     * waits while 2 workers are free (another address is served meanwhile), and is served once a stalled one
     * leaves and frees its worker.
     */
    @Test
    void aThirdConnectionWaitsForOneOfItsAddressesWorkers() throws Exception {
        try (TlsServer server = server(4).maxWorkersPerClient(2).readTimeout(Duration.ofSeconds(10)).build();
             TlsConnection stalled1 = send(ATTACKER, server, "flood");
             TlsConnection stalled2 = send(ATTACKER, server, "flood")) {
            TlsServerHostileTest.waitFor(() -> flooding.get() == 2, "two stalled readers hold a worker each");
            try (TlsConnection third = send(ATTACKER, server, "ping")) {
                CompletableFuture<String> thirdAnswer = answer(third);
                assertThrows(TimeoutException.class, () -> thirdAnswer.get(500, TimeUnit.MILLISECONDS),
                        "the third connection was served while its address's two workers stalled");
                TlsServerHostileTest.waitFor(() -> server.stats().connectionsQueuedPerClient() == 1,
                        "the third connection is counted as waiting");
                try (TlsConnection other = send(OTHER, server, "ping")) {
                    assertEquals("served", answer(other).get(5, TimeUnit.SECONDS), "a free worker serves others");
                }
                assertFalse(thirdAnswer.isDone(), "the third connection was served while its address's workers stalled");
                assertEquals(1, answered.get());
                stalled1.abort(); // its handler's next write fails: its worker frees
                long start = System.nanoTime();
                assertEquals("served", thirdAnswer.get(5, TimeUnit.SECONDS));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 3000, "served " + millis + " ms after a stalled reader left");
            }
        }
    }

    /**
     * A connection that waits for a worker longer than the read timeout is closed and counted as timed
     * out; it keeps no turn, and the worker it waited for, once free, serves the next connection at once.
     */
    @Test
    void aConnectionThatWaitsPastTheReadTimeoutIsClosedAndLeavesNoTurnBehind() throws Exception {
        try (TlsServer server = server(2).maxWorkersPerClient(1).readTimeout(Duration.ofMillis(700)).build();
             TlsConnection holder = send(ATTACKER, server, "hold")) {
            TlsServerHostileTest.waitFor(() -> holding.get() == 1, "the first connection holds a worker");
            try (TlsConnection waiting = send(ATTACKER, server, "ping")) {
                String answer = answer(waiting).handle((text, e) -> text != null ? text : "closed: " + e)
                        .get(5, TimeUnit.SECONDS);
                assertTrue(answer.startsWith("closed"), "the waiting connection got " + answer);
            }
            TlsServerHostileTest.waitFor(() -> server.stats().connectionsTimedOut() == 1
                    && server.stats().connectionsOpen() == 1, "the waiting connection timed out and was freed");
            assertEquals(0, answered.get(), "the connection that timed out waiting was served");
            letGo.countDown();
            TlsServerHostileTest.waitFor(() -> server.stats().connectionsOpen() == 0, "the holder is freed");
            try (TlsConnection next = send(ATTACKER, server, "ping")) {
                assertEquals("served", answer(next).get(5, TimeUnit.SECONDS));
            }
            assertEquals(1, server.stats().connectionsQueuedPerClient(), "only the one that timed out waited");
        }
    }

    /**
     * A connection whose request comes late, and then waits for a worker of its address, must not hold back
     * the first-request deadline of the connections queued behind it. An audit found that it could: its
     * wait's deadline overwrote the one its entry in the first-request queue was queued with, and once the
     * entries ahead of it had gone, the silent connections behind it lived until then.
     */
    @Test
    void aLateRequestWaitingForAWorkerDoesNotDelayTheTimeoutOfOthers() throws Exception {
        try (TlsServer server = server(2).maxWorkersPerClient(1).readTimeout(Duration.ofMillis(2000)).build();
             TlsConnection holder = send(ATTACKER, server, "hold")) {
            TlsServerHostileTest.waitFor(() -> holding.get() == 1, "the first connection holds a worker");
            long first = System.nanoTime();
            try (TlsConnection ahead = handshaken(OTHER, server); // at the head of the queue, silent
                 TlsConnection late = afterAPause(() -> handshaken(ATTACKER, server));
                 TlsConnection silent = afterAPause(() -> handshaken(OTHER, server))) {
                long silentSince = System.nanoTime();
                CompletableFuture<String> silentEnd = answer(silent).handle((text, e) -> text != null ? text : "closed");
                Thread.sleep(Math.max(0, 1800 - TimeUnit.NANOSECONDS.toMillis(silentSince - first)));
                // Within its 2 s, while the first is still queued ahead of it: it then waits for its address's worker.
                late.write("ping".getBytes(StandardCharsets.US_ASCII));
                assertEquals("closed", silentEnd.get(10, TimeUnit.SECONDS));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSince);
                assertTrue(millis < 2700, "the silent connection was closed " + millis + " ms after its handshake,"
                        + " with a read timeout of 2000 ms");
            } finally {
                letGo.countDown();
            }
        }
    }

    private interface Connect {
        TlsConnection connect() throws IOException;
    }

    /** Lets the server finish the handshakes of earlier connections first, and so queue them first. */
    private static TlsConnection afterAPause(Connect connect) throws IOException, InterruptedException {
        Thread.sleep(300);
        return connect.connect();
    }

    /** close() frees connections that wait for a worker, within its grace period, and serves none of them. */
    @Test
    void closeFreesConnectionsWaitingForAWorker() throws Exception {
        TlsServer server = server(2).maxWorkersPerClient(1).readTimeout(Duration.ofSeconds(10)).build();
        try (TlsConnection holder = send(ATTACKER, server, "hold");
             TlsConnection waiting1 = send(ATTACKER, server, "ping");
             TlsConnection waiting2 = send(ATTACKER, server, "ping")) {
            TlsServerHostileTest.waitFor(() -> holding.get() == 1, "one holds a worker");
            CompletableFuture<String> answer1 = answer(waiting1).handle((text, e) -> text != null ? text : "closed");
            CompletableFuture<String> answer2 = answer(waiting2).handle((text, e) -> text != null ? text : "closed");
            assertThrows(TimeoutException.class, () -> answer1.get(300, TimeUnit.MILLISECONDS),
                    "a connection was served while its address's one worker was busy");
            TlsServerHostileTest.waitFor(() -> server.stats().connectionsQueuedPerClient() == 2,
                    "both are counted as waiting");
            long start = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 2000, "close() took " + millis + " ms");
            assertEquals(0, server.stats().connectionsOpen(), "connections left open after close()");
            assertEquals("closed", answer1.get(5, TimeUnit.SECONDS));
            assertEquals("closed", answer2.get(5, TimeUnit.SECONDS));
            assertEquals(0, answered.get(), "a waiting connection was served after close() began");
            assertFalse(server.isRunning());
        } finally {
            letGo.countDown();
            server.close();
        }
    }
}
