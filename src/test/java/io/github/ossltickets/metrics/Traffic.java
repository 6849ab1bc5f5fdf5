package io.github.ossltickets.metrics;

import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStatus;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import io.github.ossltickets.net.InMemoryConnection;

import java.util.HexFormat;

/**
 * Real TLS 1.3 handshakes in memory through the system's OpenSSL, built with the public API only: a
 * server with a key ring and ticket callbacks, and the three connections whose counts the tests expect.
 */
final class Traffic {
    private Traffic() {}

    static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.generate("localhost");

    /**
     * A TLS 1.3 server, session-ID cache off, sealing with {@code active}; its decryptor renews every
     * ticket it resumes (USE_RENEW) and otherwise returns OpenSSL's default.
     */
    static SslContext server(TicketKey active) {
        SslContext server = SslContext.forServer()
                .certificate(CERTIFICATE.certificatePem(), CERTIFICATE.privateKeyPem()).protocol(TlsVersion.TLS1_3).serverSessionCache(false).build();
        server.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(active)));
        server.setTicketCallbacks((connection, session) -> true, (connection, session, keyName, status) ->
                status == TicketStatus.SUCCESS || status == TicketStatus.SUCCESS_RENEW ? TicketReturn.USE_RENEW
                        : TicketReturn.defaultFor(status));
        return server;
    }

    static SslContext client() {
        return SslContext.forClient().protocol(TlsVersion.TLS1_3).build();
    }

    /** One handshake; returns the client's newest session (close it), or null if it holds none. */
    static SslSession connect(SslContext server, SslContext client, SslSession offered) {
        try (InMemoryConnection connection = InMemoryConnection.open(server, client, offered)) {
            connection.handshake();
            return connection.client().session().orElse(null);
        }
    }

    /**
     * Three connections to {@code server}: a full handshake (2 tickets sealed), its resumption (1 opened,
     * 1 renewed ticket sealed), and one offering a ticket under a key {@code server} does not know (a full
     * handshake, 2 tickets). Expected afterwards: 5 generated; decrypts SUCCESS_RENEW 1 (the ring renews
     * every TLS 1.3 ticket), NO_DECRYPT 1; returns USE_RENEW 1, IGNORE_RENEW 1; the active key sealed 5,
     * opened 1, renewed 1; 1 unknown key name.
     */
    static void fullResumedAndForeign(SslContext server) {
        try (SslContext client = client(); SslContext stranger = server(TicketKey.random())) {
            SslSession first = connect(server, client, null);
            SslSession resumed = connect(server, client, first);
            SslSession foreign = connect(stranger, client, null);
            SslSession last = connect(server, client, foreign);
            for (SslSession session : new SslSession[] {first, resumed, foreign, last}) {
                session.close();
            }
        }
    }

    static String hex(TicketKey key) {
        return HexFormat.of().formatHex(key.name());
    }
}
