package io.github.ossltickets.keys;

import com.sun.jna.Pointer;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.InMemoryConnection;

import java.util.HexFormat;
import static io.github.ossltickets.ffi.Raw.OPENSSL;

/** Real in-memory handshakes through the system's OpenSSL, for the key tests. */
final class Handshakes {
    private Handshakes() {}

    static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.generate("localhost");

    /** A server with the session-ID cache off, so that only tickets resume. */
    static SslContext server(TlsVersion version) {
        return SslContext.forServer().certificate(CERTIFICATE.certificatePem(), CERTIFICATE.privateKeyPem())
                .protocol(version).serverSessionCache(false).build();
    }

    static SslContext client(TlsVersion version) {
        return SslContext.forClient().protocol(version).build();
    }

    /** What one connection did. */
    record Outcome(OpenSslException failure, boolean reused, int ticketsReceived, SslSession session) {
        boolean ok() {
            return failure == null;
        }

        /** The name at the start of the client's newest ticket, in hex; empty if it holds none. */
        String ticketKeyName() {
            return session == null ? "" : ticketKeyNameOf(session);
        }
    }

    /** One handshake with a client read for TLS 1.3 tickets; failures are captured, not thrown. */
    static Outcome connect(SslContext server, SslContext client, SslSession offered) {
        try (InMemoryConnection connection = InMemoryConnection.open(server, client, offered)) {
            OpenSslException failure = null;
            try {
                connection.handshake();
            } catch (OpenSslException e) {
                failure = e;
            }
            return new Outcome(failure, connection.client().isSessionReused(), connection.clientLog().ticketsReceived(),
                    connection.client().session().orElse(null));
        }
    }

    /** A full handshake that must succeed and leave a ticket; returns the client's session. */
    static SslSession firstSession(SslContext server, SslContext client) {
        Outcome outcome = connect(server, client, null);
        if (!outcome.ok() || outcome.ticketsReceived() == 0) {
            throw new AssertionError("first handshake failed or sent no ticket: " + outcome, outcome.failure());
        }
        return outcome.session();
    }

    /** The key name a session's ticket carries in clear ({@code SSL_SESSION_get0_ticket}), in hex. */
    static String ticketKeyNameOf(SslSession session) {
        long[] ticket = new long[1];
        long[] length = new long[1];
        OPENSSL.SSL_SESSION_get0_ticket(session.address(), ticket, length);
        if (ticket[0] == 0 || length[0] < TicketKey.NAME_LENGTH) {
            return "";
        }
        return HexFormat.of().formatHex(new Pointer(ticket[0]).getByteArray(0, TicketKey.NAME_LENGTH));
    }

    static String hex(TicketKey key) {
        return HexFormat.of().formatHex(key.name());
    }

    /** A random key with a 16-byte AES key (AES-128-CBC) and a 16-byte HMAC key, as nginx's 48-byte files hold. */
    static TicketKey randomAes128() {
        TicketKey random = TicketKey.random();
        return new TicketKey(random.name(), java.util.Arrays.copyOf(random.hmacKey(), 16),
                java.util.Arrays.copyOf(random.aesKey(), 16));
    }
}
