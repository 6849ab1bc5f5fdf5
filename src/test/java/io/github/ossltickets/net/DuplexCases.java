package io.github.ossltickets.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads sharing one {@link TlsConnection}, each case run in a child JVM by {@link DuplexTest}: before
 * the connection guarded its native calls, these crashed the JVM under SSL_write or garbled records.
 * Only {@code read(byte[])} and {@code write(byte[])} are used, so that the cases run on old code too.
 */
final class DuplexCases {
    private DuplexCases() {}

    static final int CONNECTIONS = 50;
    static final int BLOCK = 8 * 1024;
    static final int BLOCKS = 64;

    /** The server's side: sends back everything it reads, until the client's close_notify. */
    private static Thread echo(TlsConnection server, ConcurrentLinkedQueue<Throwable> failures) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[BLOCK];
            try (server) {
                for (int n; (n = server.read(buffer)) > 0; ) {
                    server.write(Arrays.copyOf(buffer, n));
                }
            } catch (IOException | RuntimeException e) {
                failures.add(e);
            }
        }, "echo");
        thread.start();
        return thread;
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(60_000);
            assertTrue(!thread.isAlive(), thread.getName() + " did not finish");
        }
    }

    private static void assertNoFailures(ConcurrentLinkedQueue<Throwable> failures) {
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " threads failed; the first: " + failures.peek());
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    /** 50 connections, each with a writer and a reader thread on the client's end, against echoing servers. */
    static void readerAndWriterOnEachOfFiftyConnections() throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        long[] sentCrc = new long[CONNECTIONS];
        long[] receivedCrc = new long[CONNECTIONS];
        List<Thread> threads = new ArrayList<>();
        List<Thread> echoes = new ArrayList<>();
        List<Loopback.Pair> pairs = new ArrayList<>();
        try (Loopback loopback = new Loopback()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                pairs.add(loopback.connect());
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                int index = i;
                TlsConnection client = pairs.get(i).client;
                echoes.add(echo(pairs.get(i).server, failures));
                Thread writer = new Thread(() -> {
                    Random random = new Random(index);
                    CRC32 crc = new CRC32();
                    try {
                        for (int block = 0; block < BLOCKS; block++) {
                            byte[] data = new byte[BLOCK];
                            random.nextBytes(data);
                            crc.update(data);
                            client.write(data);
                        }
                    } catch (IOException | RuntimeException e) {
                        failures.add(e);
                    }
                    sentCrc[index] = crc.getValue();
                }, "writer-" + i);
                Thread reader = new Thread(() -> {
                    CRC32 crc = new CRC32();
                    byte[] buffer = new byte[BLOCK];
                    try {
                        long total = 0;
                        while (total < (long) BLOCK * BLOCKS) {
                            int n = client.read(buffer);
                            assertTrue(n > 0, "the echo ended after " + total + " bytes");
                            crc.update(buffer, 0, n);
                            total += n;
                        }
                    } catch (IOException | RuntimeException | AssertionError e) {
                        failures.add(e);
                    }
                    receivedCrc[index] = crc.getValue();
                }, "reader-" + i);
                threads.add(writer);
                threads.add(reader);
                writer.start();
                reader.start();
            }
            joinAll(threads);
            pairs.forEach(pair -> pair.client.close()); // close_notify: each echo ends
            joinAll(echoes);
        } finally {
            pairs.forEach(Loopback.Pair::close);
        }
        assertNoFailures(failures);
        for (int i = 0; i < CONNECTIONS; i++) {
            assertEquals(sentCrc[i], receivedCrc[i], "connection " + i + " echoed exactly what it sent");
        }
    }

    static final int FRAMES_PER_WRITER = 200;

    /** One 8 KiB frame: the writer, its sequence number, then bytes that both determine. */
    static byte[] frame(int writer, int sequence) {
        byte[] frame = new byte[BLOCK];
        ByteBuffer.wrap(frame).putInt(writer).putInt(sequence);
        for (int i = 8; i < BLOCK; i++) {
            frame[i] = (byte) (writer * 131 + sequence * 7 + i);
        }
        return frame;
    }

    /** Two writer threads and a reader on one connection: each frame arrives whole, each writer's in order. */
    static void twoWritersAndAReaderOnOneConnection() throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        int[] nextSequence = new int[2];
        try (Loopback loopback = new Loopback(); Loopback.Pair pair = loopback.connect()) {
            TlsConnection client = pair.client;
            Thread echo = echo(pair.server, failures);
            for (int w = 0; w < 2; w++) {
                int writer = w;
                threads.add(new Thread(() -> {
                    try {
                        for (int sequence = 0; sequence < FRAMES_PER_WRITER; sequence++) {
                            client.write(frame(writer, sequence));
                        }
                    } catch (IOException | RuntimeException e) {
                        failures.add(e);
                    }
                }, "writer-" + w));
            }
            threads.add(new Thread(() -> {
                byte[] frame = new byte[BLOCK];
                try {
                    for (int frames = 0; frames < 2 * FRAMES_PER_WRITER; frames++) {
                        for (int filled = 0; filled < BLOCK; ) {
                            byte[] buffer = new byte[BLOCK - filled];
                            int n = client.read(buffer);
                            assertTrue(n > 0, "the echo ended after " + frames + " frames");
                            System.arraycopy(buffer, 0, frame, filled, n);
                            filled += n;
                        }
                        ByteBuffer header = ByteBuffer.wrap(frame);
                        int writer = header.getInt();
                        int sequence = header.getInt();
                        assertTrue(writer == 0 || writer == 1, "frame " + frames + " names writer " + writer);
                        assertEquals(nextSequence[writer], sequence, "writer " + writer + "'s frames in order");
                        assertTrue(Arrays.equals(frame(writer, sequence), frame), "frame " + sequence + " of writer "
                                + writer + " arrived whole, not interleaved with the other writer's");
                        nextSequence[writer]++;
                    }
                } catch (IOException | RuntimeException | AssertionError e) {
                    failures.add(e);
                }
            }, "reader"));
            threads.forEach(Thread::start);
            joinAll(threads);
            client.close(); // close_notify: the echo ends
            joinAll(List.of(echo));
        }
        assertNoFailures(failures);
        assertEquals(FRAMES_PER_WRITER, nextSequence[0]);
        assertEquals(FRAMES_PER_WRITER, nextSequence[1]);
    }
}
