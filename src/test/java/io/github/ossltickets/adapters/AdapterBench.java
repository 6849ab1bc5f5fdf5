package io.github.ossltickets.adapters;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.TlsClient;
import io.github.ossltickets.net.TlsConnection;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Resumed handshakes per second against two servers side by side, in alternating rounds: one with our
 * callbacks attached, one without. Not a test: scripts/bench-adapters runs it against the containers.
 *
 * <pre>AdapterBench TLS PORT_WITH PORT_WITHOUT ROUNDS MILLIS_PER_ROUND</pre>
 */
public final class AdapterBench {
    private AdapterBench() {
    }

    public static void main(String[] args) throws Exception {
        TlsVersion version = args[0].equals("1.2") ? TlsVersion.TLS1_2 : TlsVersion.TLS1_3;
        int[] ports = {Integer.parseInt(args[1]), Integer.parseInt(args[2])};
        int rounds = Integer.parseInt(args[3]);
        long roundNanos = Duration.ofMillis(Long.parseLong(args[4])).toNanos();
        double[][] rates = new double[2][rounds];
        try (SslContext context = SslContext.forClient().protocol(version).build();
             TlsClient client = new TlsClient(context, Duration.ofSeconds(10))) {
            for (int port : ports) {
                // One request, read to the end, so that the TLS 1.3 tickets arrive; then warm-up.
                try (TlsConnection connection = client.connect("127.0.0.1", port)) {
                    connection.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    byte[] buffer = new byte[4096];
                    while (connection.read(buffer) > 0) {
                        // the response: the example server's report
                    }
                }
                for (int i = 0; i < 200; i++) {
                    client.connect("127.0.0.1", port).close();
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int which = 0; which < 2; which++) {
                    long start = System.nanoTime();
                    long handshakes = 0;
                    while (System.nanoTime() - start < roundNanos) {
                        try (TlsConnection connection = client.connect("127.0.0.1", ports[which])) {
                            if (!connection.ssl().isSessionReused()) {
                                throw new IllegalStateException("not resumed on port " + ports[which]);
                            }
                        }
                        handshakes++;
                    }
                    rates[which][round] = handshakes * 1e9 / (System.nanoTime() - start);
                }
            }
        }
        double with = median(rates[0]);
        double without = median(rates[1]);
        System.out.printf(Locale.ROOT, "TLSv%s resumed handshakes/s, median of %d rounds: with callbacks %.0f (min %.0f, max %.0f),"
                        + " without %.0f (min %.0f, max %.0f), with/without = %.3f%n", args[0], rounds,
                with, min(rates[0]), max(rates[0]), without, min(rates[1]), max(rates[1]), with / without);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
