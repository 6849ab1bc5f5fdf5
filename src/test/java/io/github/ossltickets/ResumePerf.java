package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;

import java.nio.charset.StandardCharsets;

/**
 * Resumed handshakes (TLS 1.3, or 1.2 with "tls1.2") per second on one thread through the binding,
 * with the ticket callbacks installed, in a plain loop: what scripts/bench --profile runs under
 * async-profiler (the measured figures come from HandshakeBench). Not a test.
 * Prints "java ITERATIONS SECONDS RATE" after an untimed warm-up of the same length; a line "measuring"
 * on stderr marks the end of the warm-up, where scripts/bench --cpu-split attaches perf.
 */
public final class ResumePerf {
    private static final byte[] APP_DATA = "user=alice;policy=v1".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        TlsVersion version = args.length > 1 && args[1].equals("tls1.2") ? TlsVersion.TLS1_2 : TlsVersion.TLS1_3;
        SelfSignedCertificate certificate = SelfSignedCertificate.generate("localhost");
        try (SslContext server = SslContext.forServer()
                .certificate(certificate.certificatePem(), certificate.privateKeyPem())
                .protocol(version).serverSessionCache(false).numTickets(1).build();
             SslContext client = SslContext.forClient().protocol(version).build()) {
            server.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(APP_DATA);
                return true;
            }, (ssl, session, keyName, status) -> {
                if (session.isPresent() && session.get().ticketAppData().length != APP_DATA.length) {
                    return TicketReturn.ABORT;
                }
                return TicketReturn.defaultFor(status);
            });
            SslSession session = connect(server, client, null);
            session = loop(server, client, session, iterations); // warm-up: let the JIT compile the path
            System.err.println("measuring");
            pauseForAProfiler();
            long start = System.nanoTime();
            session = loop(server, client, session, iterations);
            double seconds = (System.nanoTime() - start) / 1e9;
            session.close();
            System.out.printf("java\t%d\t%.3f\t%.0f%n", iterations, seconds, iterations / seconds);
        }
    }

    /** Half a second with no work, so that a profiler attached at "measuring" misses none of the loop. */
    private static void pauseForAProfiler() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SslSession loop(SslContext server, SslContext client, SslSession session, int iterations) {
        for (int i = 0; i < iterations; i++) {
            SslSession next = connect(server, client, session);
            session.close(); // TLS 1.3 tickets are single-use: resume with the newest
            session = next;
        }
        return session;
    }

    /** One connection without message tracking (the C twin has none): join, not open. */
    private static SslSession connect(SslContext server, SslContext client, SslSession offered) {
        Ssl clientSide = client.newSsl();
        if (offered != null) {
            clientSide.setSession(offered);
        }
        try (InMemoryConnection connection = InMemoryConnection.join(server.newSsl(), clientSide)) {
            connection.handshake();
            if (offered != null && !clientSide.isSessionReused()) {
                throw new IllegalStateException("resumption failed");
            }
            return clientSide.session().orElseThrow();
        }
    }
}
