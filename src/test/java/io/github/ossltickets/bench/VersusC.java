package io.github.ossltickets.bench;

import com.sun.jna.Native;
import io.github.ossltickets.OpenSsl;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The binding against C, measured so that a virtual machine whose speed drifts cannot fake it: one
 * thread alternates short rounds of resumed handshakes run by C inside this JVM (native/upcall_bench.c's
 * {@code c_resumed_loop}, resume_bench.c's loop: one JNA call a round) and through the binding with the
 * ticket callbacks (HandshakeBench's workload (a)), so both see the same load at almost the same
 * moment; the ratio is the median of the paired rounds' ratios. Run by {@code scripts/bench --vs-c},
 * on whichever backend the JVM chose. Not a test.
 *
 * <p>Arguments: rounds per protocol (default 30) and handshakes per round for TLS 1.2 (default 3,000;
 * TLS 1.3 runs a quarter as many).
 */
public final class VersusC {
    static {
        OpenSsl.ensureLoaded(); // the same libssl first, so the helper links to the copy the binding uses
        Native.register(VersusC.class, Path.of("native", "build", "libupcall_bench.so").toAbsolutePath().toString());
    }

    /** resume_bench.c's loop of resumed handshakes with its callbacks; returns handshakes per second. */
    static native double c_resumed_loop(int tls12, long iterations);

    private VersusC() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        System.out.printf(Locale.ROOT, "backend %s, Java %s%n", OpenSsl.backend(), System.getProperty("java.version"));
        for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
            boolean tls12 = protocol.equals("TLSv1.2");
            int iterations = tls12 ? perRound : perRound / 4;
            HandshakeBench binding = new HandshakeBench();
            binding.protocol = protocol;
            binding.mode = "resumed";
            binding.variant = "callbacks";
            binding.setUp();
            for (int warm = 0; warm < 4; warm++) { // the JIT, and OpenSSL's caches for both
                c_resumed_loop(tls12 ? 1 : 0, iterations);
                rate(binding, iterations);
            }
            double[] ratios = new double[rounds];
            double[] cRates = new double[rounds];
            double[] javaRates = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                boolean cFirst = i % 2 == 0; // a trend in the load favours neither side
                if (cFirst) {
                    cRates[i] = c_resumed_loop(tls12 ? 1 : 0, iterations);
                    javaRates[i] = rate(binding, iterations);
                } else {
                    javaRates[i] = rate(binding, iterations);
                    cRates[i] = c_resumed_loop(tls12 ? 1 : 0, iterations);
                }
                ratios[i] = javaRates[i] / cRates[i];
            }
            binding.tearDown();
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "%s  C %7.0f/s  binding %7.0f/s  (medians of %d paired rounds of %d handshakes)%n",
                    protocol, median(cRates), median(javaRates), rounds, iterations);
            System.out.printf(Locale.ROOT, "resumed %s binding/C = %.3f  (paired rounds: quartiles %.3f-%.3f)%n",
                    protocol, median(ratios), ratios[rounds / 4], ratios[(3 * rounds) / 4]);
        }
    }

    /** Resumed handshakes per second through the binding, over {@code iterations} handshakes. */
    private static double rate(HandshakeBench binding, int iterations) {
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            binding.handshake();
        }
        return iterations * 1e9 / (System.nanoTime() - start);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
