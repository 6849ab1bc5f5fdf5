package io.github.ossltickets.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The key ring's cost, measured so that a busy machine cannot fake it: one thread alternates short
 * rounds of resumed handshakes with a three-key ring ({@code ring}) and on OpenSSL's built-in keys
 * ({@code none}), so both see the same load at almost the same moment, and the ratio is the median of
 * the paired rounds' ratios. Run by {@code scripts/bench --keys}; never by the tests.
 *
 * <p>Arguments: rounds per protocol (default 40) and milliseconds per round (default 250).
 */
public final class KeyRingSideBySide {
    private KeyRingSideBySide() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        long roundNanos = (args.length > 1 ? Long.parseLong(args[1]) : 250) * 1_000_000L;
        for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
            KeyRingBench ring = setUp(protocol, "ring");
            KeyRingBench none = setUp(protocol, "none");
            for (int warm = 0; warm < 4; warm++) { // JIT and OpenSSL's caches, for both sides
                rate(ring, roundNanos);
                rate(none, roundNanos);
            }
            double[] ratios = new double[rounds];
            double[] ringRates = new double[rounds];
            double[] noneRates = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                // Which side goes first alternates, so a trend in the load favours neither.
                boolean ringFirst = i % 2 == 0;
                double first = rate(ringFirst ? ring : none, roundNanos);
                double second = rate(ringFirst ? none : ring, roundNanos);
                ringRates[i] = ringFirst ? first : second;
                noneRates[i] = ringFirst ? second : first;
                ratios[i] = ringRates[i] / noneRates[i];
            }
            ring.tearDown();
            none.tearDown();
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "%s  ring %7.0f/s  none %7.0f/s  (medians of %d rounds of %d ms)%n",
                    protocol, median(ringRates), median(noneRates), rounds, roundNanos / 1_000_000);
            System.out.printf(Locale.ROOT, "resumed %s ring/none = %.3f  (paired rounds: quartiles %.3f-%.3f)%n",
                    protocol, median(ratios), ratios[rounds / 4], ratios[(3 * rounds) / 4]);
        }
    }

    private static KeyRingBench setUp(String protocol, String variant) {
        KeyRingBench bench = new KeyRingBench();
        bench.protocol = protocol;
        bench.variant = variant;
        bench.setUp();
        return bench;
    }

    /** Resumed handshakes per second over one round. */
    private static double rate(KeyRingBench bench, long roundNanos) {
        long start = System.nanoTime();
        long deadline = start + roundNanos;
        int handshakes = 0;
        long now;
        do {
            bench.resumed();
            handshakes++;
            now = System.nanoTime();
        } while (now < deadline);
        return handshakes * 1e9 / (now - start);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
