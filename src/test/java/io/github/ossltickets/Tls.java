package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Test helpers: real contexts and real in-memory handshakes through the system's OpenSSL. */
final class Tls {
    private Tls() {}

    /** One certificate for the whole run: generating it is cheap, but there is no need to repeat it. */
    static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.generate("localhost");

    /** A server for one protocol with the session-ID cache off, so that only tickets resume. */
    static SslContext server(TlsVersion version) {
        return SslContext.forServer().certificate(CERTIFICATE.certificatePem(), CERTIFICATE.privateKeyPem())
                .protocol(version).serverSessionCache(false).build();
    }

    static SslContext client(TlsVersion version) {
        return SslContext.forClient().protocol(version).build();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** What one connection did, as its peers saw it. */
    static final class Outcome {
        final OpenSslException failure; // null if the handshake succeeded
        final boolean reused;
        final int ticketsReceived;
        final Optional<String> alertSent;
        final Optional<String> alertReceived;
        final SslSession session; // the client's session, owned; null if none

        Outcome(OpenSslException failure, boolean reused, int ticketsReceived, Optional<String> alertSent,
                Optional<String> alertReceived, SslSession session) {
            this.failure = failure;
            this.reused = reused;
            this.ticketsReceived = ticketsReceived;
            this.alertSent = alertSent;
            this.alertReceived = alertReceived;
            this.session = session;
        }

        boolean ok() {
            return failure == null;
        }

        @Override
        public String toString() {
            return "Outcome[ok=" + ok() + ", reused=" + reused + ", tickets=" + ticketsReceived + ", alertSent="
                    + alertSent + ", alertReceived=" + alertReceived + ", failure=" + failure + "]";
        }
    }

    /** One handshake, a client read for TLS 1.3 tickets, and a proper shutdown. Failures are captured. */
    static Outcome connect(SslContext server, SslContext client, SslSession offered) {
        try (InMemoryConnection connection = InMemoryConnection.open(server, client, offered)) {
            OpenSslException failure = null;
            try {
                connection.handshake();
            } catch (OpenSslException e) {
                failure = e;
            }
            return new Outcome(failure, connection.client().isSessionReused(),
                    connection.clientLog().ticketsReceived(), connection.serverLog().fatalAlertSent(),
                    connection.clientLog().fatalAlertReceived(), connection.client().session().orElse(null));
        }
    }

    /** A full handshake that must succeed; returns the client's session for resumption. */
    static SslSession firstSession(SslContext server, SslContext client) {
        Outcome outcome = connect(server, client, null);
        if (!outcome.ok()) {
            throw new AssertionError("first handshake failed", outcome.failure);
        }
        return outcome.session;
    }
}
