package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ProcessChecks;

import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TlsConnection#close()} and {@link TlsConnection#abort()} from another thread while a call
 * runs: the call ends with a SocketException that says so, and everything is freed. Run in a child
 * JVM by {@link CloseTest}: freeing a BIO under a running SSL_write once could crash.
 */
final class CloseCases {
    private CloseCases() {}

    private static final long SETTLE_MILLIS = 300; // long enough for the call to block on the socket

    /** What a call run on another thread threw, once {@code interrupter} has run. */
    private static Throwable failureOf(Call call, Runnable interrupter) throws Exception {
        CompletableFuture<Void> running = Async.run(() -> {
            try {
                call.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(SETTLE_MILLIS);
        assertTrue(!running.isDone(), "the call was still blocked when the other thread stepped in");
        interrupter.run();
        try {
            running.get(10, TimeUnit.SECONDS);
            throw new AssertionError("the call returned although its connection was closed");
        } catch (ExecutionException e) {
            return e.getCause().getCause() != null ? e.getCause().getCause() : e.getCause();
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    private static void assertClosedByAnotherThread(Throwable thrown, String how) {
        assertInstanceOf(SocketException.class, thrown, String.valueOf(thrown));
        assertEquals("the connection was " + how + " by another thread", thrown.getMessage());
    }

    private static void assertAllFreed(long connections, long bios) {
        assertEquals(connections, OpenSsl.liveObjects().connections(), "live SSL*");
        assertEquals(bios, OpenSsl.liveObjects().networkBios(), "live network BIOs");
    }

    static void closeDuringReadWriteAndHandshake() throws Exception {
        try (Loopback loopback = new Loopback()) {
            long connections = OpenSsl.liveObjects().connections();
            long bios = OpenSsl.liveObjects().networkBios();

            try (Loopback.Pair pair = loopback.connect()) { // the server stays silent
                assertClosedByAnotherThread(failureOf(() -> pair.client.read(new byte[100]), pair.client::close),
                        "closed");
            }
            assertAllFreed(connections, bios);

            try (Loopback.Pair pair = loopback.connect()) { // the server never reads: the write blocks
                byte[] data = new byte[64 << 20];
                assertClosedByAnotherThread(failureOf(() -> pair.client.write(data), pair.client::close), "closed");
            }
            assertAllFreed(connections, bios);

            Socket[] silent = loopback.silentPeer();
            try (TlsConnection client = TlsConnection.over(loopback.clientContext.newSsl(), silent[0],
                    Loopback.TIMEOUT)) {
                assertClosedByAnotherThread(failureOf(() -> client.handshake(Loopback.TIMEOUT), client::close),
                        "closed");
                assertClosedByAnotherThread(failureOf(() -> {
                    Thread.sleep(SETTLE_MILLIS * 2);
                    client.read(new byte[1]);
                }, () -> { }), "closed");
            } finally {
                silent[1].close();
            }
            assertAllFreed(connections, bios);
        }
    }

    /**
     * close() racing a write that is just starting: the write either completes or ends with the
     * SocketException that says another thread closed the connection, never OpenSSL's "protocol is shutdown".
     */
    static void closeRacingAWriteThatStarts() throws Exception {
        try (Loopback loopback = new Loopback()) {
            long connections = OpenSsl.liveObjects().connections();
            long bios = OpenSsl.liveObjects().networkBios();
            for (int round = 0; round < 300; round++) {
                try (Loopback.Pair pair = loopback.connect()) {
                    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                    CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                        try {
                            go.await();
                            pair.client.write(new byte[10]);
                            return null;
                        } catch (Exception e) {
                            return e;
                        }
                    });
                    go.countDown();
                    pair.client.close();
                    Throwable thrown = writer.get(10, TimeUnit.SECONDS);
                    if (thrown != null) {
                        assertInstanceOf(SocketException.class, thrown, "round " + round + ": " + thrown);
                        assertTrue(thrown.getMessage().startsWith("the connection was closed"), thrown.getMessage());
                    }
                }
            }
            assertAllFreed(connections, bios);
        }
    }

    static void abortThenCloseAndCloseTwiceAtOnce() throws Exception {
        try (Loopback loopback = new Loopback()) {
            long connections = OpenSsl.liveObjects().connections();
            long bios = OpenSsl.liveObjects().networkBios();

            try (Loopback.Pair pair = loopback.connect()) {
                assertClosedByAnotherThread(failureOf(() -> pair.client.read(new byte[100]), pair.client::abort),
                        "aborted");
                pair.client.close(); // after abort(): frees, and throws nothing
                pair.client.close();
            }
            assertAllFreed(connections, bios);

            for (int round = 0; round < 20; round++) {
                try (Loopback.Pair pair = loopback.connect()) {
                    CompletableFuture<Void> reader = Async.run(() -> {
                        try {
                            pair.client.read(new byte[100]);
                        } catch (Exception expected) {
                            // ended by the close
                        }
                    });
                    CompletableFuture<Void> writer = Async.run(() -> {
                        try {
                            while (true) {
                                pair.client.write(new byte[1000]);
                            }
                        } catch (Exception expected) {
                            // ended by the close
                        }
                    });
                    Thread.sleep(20);
                    CompletableFuture<Void> one = Async.run(pair.client::close);
                    CompletableFuture<Void> other = Async.run(pair.client::close);
                    CompletableFuture.allOf(one, other, reader, writer).get(10, TimeUnit.SECONDS);
                }
            }
            assertAllFreed(connections, bios);
        }
    }
}
