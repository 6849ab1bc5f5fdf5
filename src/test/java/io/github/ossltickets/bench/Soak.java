package io.github.ossltickets.bench;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TlsVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The soak of scripts/bench: N resumed TLS 1.3 handshakes with the ticket callbacks (HandshakeBench's
 * workload a), reporting resident memory, the Java heap after a GC and the library's live native
 * objects after a warm-up and at the end. Not a test.
 *
 * <pre>Soak [HANDSHAKES] [WARM_UP]</pre>
 */
public final class Soak {
    private static final long MIB = 1024 * 1024;

    private Soak() {
    }

    public static void main(String[] args) throws IOException {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long warmUp = args.length > 1 ? Long.parseLong(args[1]) : 20_000;
        SelfSignedCertificate certificate = SelfSignedCertificate.generate("localhost");
        try (SslContext server = SslContext.forServer().certificate(certificate.certificatePem(), certificate.privateKeyPem())
                .protocol(TlsVersion.TLS1_3).serverSessionCache(false).numTickets(1).build();
             SslContext client = SslContext.forClient().protocol(TlsVersion.TLS1_3).build()) {
            server.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(HandshakeBench.APP_DATA);
                return true;
            }, (ssl, session, keyName, status) -> session.isPresent()
                    && session.get().ticketAppData().length != HandshakeBench.APP_DATA.length
                    ? TicketReturn.ABORT : TicketReturn.defaultFor(status));
            SslSession session = HandshakeBench.connect(server, client, null);
            long start = System.nanoTime();
            long[] warm = null;
            for (long i = 1; i <= total; i++) {
                SslSession next = HandshakeBench.connect(server, client, session);
                session.close();
                session = next;
                if (i == warmUp) {
                    warm = report("after warm-up", i, start);
                } else if (i % 100_000 == 0 && i != total) {
                    report("progress", i, start);
                }
            }
            session.close();
            long[] end = report("at the end", total, start);
            if (warm != null) {
                System.out.printf(Locale.ROOT, "growth after warm-up: RSS %+.1f MiB, heap %+.1f MiB (limit 16 MiB): %s%n",
                        (end[0] - warm[0]) / (double) MIB, (end[1] - warm[1]) / (double) MIB,
                        end[0] - warm[0] < 16 * MIB ? "within" : "OVER");
            }
            System.out.println("tickets generated " + server.ticketStats().ticketsGenerated() + ", decrypted "
                    + server.ticketStats().decrypts());
        }
    }

    /** Prints and returns {RSS bytes, heap used after GC}. */
    private static long[] report(String what, long handshakes, long start) throws IOException {
        System.gc();
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%-13s %,9d handshakes  %6.0f/s  RSS %6.1f MiB  heap %5.1f MiB  live %s%s%n", what,
                handshakes, handshakes / seconds, rss / (double) MIB, heap / (double) MIB, OpenSsl.liveObjects(),
                upcallStubs());
        return new long[] {rss, heap};
    }

    /** On the FFM backend, how many upcall stubs are live (FfmBackend.liveUpcalls, a Java 22 class). */
    private static String upcallStubs() {
        if (!OpenSsl.backend().equals("ffm")) {
            return " (" + OpenSsl.backend() + ")";
        }
        try {
            return " (ffm, upcall stubs " + Class.forName("io.github.ossltickets.ffi.ffm.FfmBackend")
                    .getMethod("liveUpcalls").invoke(null) + ")";
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
