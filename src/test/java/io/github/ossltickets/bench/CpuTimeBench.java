package io.github.ossltickets.bench;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.UpcallBench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * HandshakeBench (resumed, with callbacks) and UpcallBench timed by this thread's CPU time instead of
 * the wall clock, for a machine shared with other work, where a descheduled thread would count as slow
 * (scripts/bench --cpu, which times the C program by its user + system time alike). JIT and GC threads
 * are not counted, which flatters Java slightly: compare backends with each other first. Not a test.
 */
public final class CpuTimeBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 5;

    private CpuTimeBench() {}

    public static void main(String[] args) {
        int scale = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        StringBuilder line = new StringBuilder("backend=" + OpenSsl.backend());
        for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
            HandshakeBench bench = new HandshakeBench();
            bench.protocol = protocol;
            bench.mode = "resumed";
            bench.variant = "callbacks";
            bench.setUp();
            int iterations = (protocol.equals("TLSv1.2") ? 4000 : 800) * scale;
            double[] perSecond = new double[ROUNDS];
            for (int i = 0; i < iterations; i++) {
                bench.handshake(); // warm-up
            }
            for (int round = 0; round < ROUNDS; round++) {
                long start = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < iterations; i++) {
                    bench.handshake();
                }
                perSecond[round] = iterations / ((THREADS.getCurrentThreadCpuTime() - start) / 1e9);
            }
            bench.tearDown();
            line.append(String.format(Locale.ROOT, " %s=%.0f", protocol, median(perSecond)));
        }
        UpcallBench upcalls = new UpcallBench();
        upcalls.setUp();
        int calls = 200 * scale; // each 1,000 pairs
        double[] nanos = new double[ROUNDS];
        for (int i = 0; i < calls; i++) {
            upcalls.generateAndDecrypt();
        }
        for (int round = 0; round < ROUNDS; round++) {
            long start = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                upcalls.generateAndDecrypt();
            }
            nanos[round] = (THREADS.getCurrentThreadCpuTime() - start) / (calls * 1000.0);
        }
        upcalls.tearDown();
        line.append(String.format(Locale.ROOT, " upcall-pair-ns=%.0f", median(nanos)));
        System.out.println(line);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
