package io.github.ossltickets.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One large {@link TlsConnection#write(byte[])} takes time in proportion to its size: within a small
 * factor of the same bytes written 16 KiB at a time. (It once passed the whole array to OpenSSL again
 * after each full BIO pair: 16 MiB took 20 times as long as in 16 KiB writes, 64 MiB minutes.)
 */
class WriteScalingTest {
    private static final int CHUNK = 16 * 1024;
    private static final double FACTOR = 8.0; // quadratic writes were 20 to 100 times slower; a busy machine gives 3 to 5 at worst
    /** Timer noise on a busy machine, added to the allowance so that the 1 MiB case is not flaky. */
    private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    @Timeout(120)
    void oneLargeWriteTakesTimeInProportionToItsSize() throws Exception {
        try (Loopback loopback = new Loopback(); Loopback.Pair pair = loopback.connect()) {
            StringBuilder figures = new StringBuilder();
            for (int mebibytes : new int[] {1, 16, 64}) {
                byte[] data = new byte[mebibytes << 20];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i * 31 + (i >>> 12));
                }
                long chunked = Long.MAX_VALUE;
                long single = Long.MAX_VALUE;
                int rounds = mebibytes < 64 ? 2 : 1; // the best of two, against a neighbour's burst
                for (int round = 0; round < rounds; round++) {
                    chunked = Math.min(chunked, timed(pair, data, true));
                    single = Math.min(single, timed(pair, data, false));
                }
                figures.append(String.format("%d MiB: one write %d ms, 16 KiB writes %d ms%n", mebibytes,
                        single / 1_000_000, chunked / 1_000_000));
                assertTrue(single <= FACTOR * chunked + SLACK_NANOS, "one write of " + mebibytes + " MiB took "
                        + single / 1_000_000 + " ms, more than " + FACTOR + " times the " + chunked / 1_000_000
                        + " ms of the same bytes in 16 KiB writes\n" + figures);
            }
            System.out.print(figures);
        }
    }

    /** Time from the first write until the server has read every byte (checked afterwards by CRC). */
    private static long timed(Loopback.Pair pair, byte[] data, boolean inChunks) throws Exception {
        CRC32 crc = new CRC32();
        CompletableFuture<Long> received = Async.supply(() -> {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            try {
                while (total < data.length) {
                    int n = pair.server.read(buffer);
                    assertTrue(n > 0, "the client's bytes ended after " + total);
                    crc.update(buffer, 0, n);
                    total += n;
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return total;
        });
        CRC32 sent = new CRC32();
        sent.update(data);
        long start = System.nanoTime();
        if (inChunks) {
            for (int offset = 0; offset < data.length; offset += CHUNK) {
                pair.client.write(data, offset, CHUNK);
            }
        } else {
            pair.client.write(data);
        }
        assertEquals(data.length, received.get(60, TimeUnit.SECONDS));
        long elapsed = System.nanoTime() - start;
        assertEquals(sent.getValue(), crc.getValue(), "the server read exactly the bytes written");
        return elapsed;
    }
}
