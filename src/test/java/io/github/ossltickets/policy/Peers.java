package io.github.ossltickets.policy;

import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.ffi.ClientServerName;
import io.github.ossltickets.net.InMemoryConnection;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Test helpers for the binding: servers with their own certificates, and in-memory handshakes with SNI. */
final class Peers {
    private Peers() {}

    static final SelfSignedCertificate X = SelfSignedCertificate.generate("x.example");
    static final SelfSignedCertificate Y = SelfSignedCertificate.generate("y.example");

    static SslContext server(SelfSignedCertificate certificate, TlsVersion version) {
        return SslContext.forServer().certificate(certificate.certificatePem(), certificate.privateKeyPem())
                .protocol(version).serverSessionCache(false).alpnProtocols("h2", "http/1.1").build();
    }

    static SslContext client(TlsVersion version, String... alpn) {
        SslContext.Builder builder = SslContext.forClient().protocol(version);
        return (alpn.length == 0 ? builder : builder.alpnProtocols(alpn)).build();
    }

    /** What a handshake did. */
    record Outcome(OpenSslException failure, boolean reused, SslSession session) {
        boolean ok() {
            return failure == null;
        }
    }

    /** One handshake, the client sending {@code serverName} and offering {@code offered} (each may be null). */
    static Outcome connect(SslContext server, SslContext client, String serverName, SslSession offered) {
        Ssl serverSsl = server.newSsl();
        Ssl clientSsl = client.newSsl();
        if (serverName != null) {
            ClientServerName.set(clientSsl.address(), serverName);
        }
        if (offered != null) {
            clientSsl.setSession(offered);
        }
        try (InMemoryConnection connection = InMemoryConnection.join(serverSsl, clientSsl)) {
            try {
                connection.handshake();
            } catch (OpenSslException e) {
                return new Outcome(e, false, null);
            }
            return new Outcome(null, clientSsl.isSessionReused(), clientSsl.session().orElse(null));
        }
    }

    /** A full handshake that must succeed; the client's session. */
    static SslSession ticket(SslContext server, SslContext client, String serverName) {
        Outcome outcome = connect(server, client, serverName, null);
        if (!outcome.ok()) {
            throw new AssertionError("first handshake failed", outcome.failure());
        }
        return outcome.session();
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-30T10:00:00Z");

        void advance(java.time.Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
