package io.github.ossltickets.keys;

import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TicketKeyCallback;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.ffi.SslMacros;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * The facts docs/openssl-behaviour.md#the-ticket-key-callback records about
 * {@code SSL_CTX_set_tlsext_ticket_key_evp_cb} and {@code SSL_CTX_set_tlsext_ticket_keys}, through real
 * handshakes: what each return of the key callback does when a ticket is opened and when one is sealed.
 */
@Timeout(30)
class KeyCallbackFactsTest {
    /** What the callback answers when opening: 1 (use), 2 (use and renew), 0 (unknown), -1 (an exception). */
    enum Answer { USE_1, RENEW_2, NOT_FOUND_0, FAIL_MINUS_1 }

    private static TicketKeyCallback answering(TicketKey key, Answer answer) {
        return new TicketKeyCallback() {
            @Override
            public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                return Optional.of(key);
            }

            @Override
            public Lookup findKey(Ssl connection, byte[] keyName) {
                return switch (answer) {
                    case USE_1 -> Lookup.use(key);
                    case RENEW_2 -> Lookup.useAndRenew(key);
                    case NOT_FOUND_0 -> Lookup.notFound();
                    case FAIL_MINUS_1 -> throw new IllegalStateException("the key store is down");
                };
            }
        };
    }

    private static Handshakes.Outcome resumeAnswering(TlsVersion version, Answer answer) {
        TicketKey key = TicketKey.random();
        try (SslContext server = Handshakes.server(version); SslContext client = Handshakes.client(version)) {
            server.setTicketKeyCallback(answering(key, Answer.USE_1));
            SslSession session = Handshakes.firstSession(server, client);
            server.setTicketKeyCallback(answering(key, answer));
            return Handshakes.connect(server, client, session);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void returningOneResumes(TlsVersion version) {
        Handshakes.Outcome outcome = resumeAnswering(version, Answer.USE_1);
        assertTrue(outcome.ok() && outcome.reused(), outcome.toString());
        assertEquals(0, outcome.ticketsReceived(), "no new ticket in either protocol: " + outcome);
    }

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void returningTwoResumesAndSendsANewTicket(TlsVersion version) {
        Handshakes.Outcome outcome = resumeAnswering(version, Answer.RENEW_2);
        assertTrue(outcome.ok() && outcome.reused(), outcome.toString());
        assertEquals(1, outcome.ticketsReceived(), outcome.toString());
    }

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void returningZeroGivesAFullHandshakeWithNewTickets(TlsVersion version) {
        Handshakes.Outcome outcome = resumeAnswering(version, Answer.NOT_FOUND_0);
        assertTrue(outcome.ok(), outcome.toString());
        assertFalse(outcome.reused(), outcome.toString());
        assertEquals(version == TlsVersion.TLS1_2 ? 1 : 2, outcome.ticketsReceived(), outcome.toString());
    }

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void returningMinusOneFailsTheHandshake(TlsVersion version) {
        Handshakes.Outcome outcome = resumeAnswering(version, Answer.FAIL_MINUS_1);
        assertFalse(outcome.ok(), outcome.toString());
        assertNotNull(outcome.failure().getCause(), "the callback's exception is the cause");
        assertEquals("the key store is down", outcome.failure().getCause().getMessage());
    }

    /**
     * Sealing: returning 0 (Optional.empty) and the handshake goes on without a usable ticket. TLS 1.3
     * sends no NewSessionTicket; TLS 1.2, which announced one in its ServerHello, sends it with an
     * empty ticket.
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void sealingWithNoKeySendsNoTicket(TlsVersion version) {
        try (SslContext server = Handshakes.server(version); SslContext client = Handshakes.client(version)) {
            server.setTicketKeyCallback(new TicketKeyCallback() {
                @Override
                public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                    return Optional.empty();
                }

                @Override
                public Lookup findKey(Ssl connection, byte[] keyName) {
                    return Lookup.notFound();
                }
            });
            Handshakes.Outcome outcome = Handshakes.connect(server, client, null);
            assertTrue(outcome.ok(), outcome.toString());
            assertEquals(version == TlsVersion.TLS1_2 ? 1 : 0, outcome.ticketsReceived(), outcome.toString());
            assertEquals("", outcome.ticketKeyName(), "the client holds no ticket");
            assertEquals(version == TlsVersion.TLS1_2 ? 1 : 2, server.ticketKeyStats().noTicket());
        }
    }

    /**
     * {@code SSL_CTX_set_tlsext_ticket_keys} takes exactly 80 bytes on OpenSSL 3 (name 16, HMAC 32, AES 32)
     * and returns 0 for the 48 bytes OpenSSL 1.0 took, which older Tomcat and tomcat-native pass.
     */
    @Test
    void builtInKeysTakeExactly80Bytes() {
        try (SslContext server = Handshakes.server(TlsVersion.TLS1_2)) {
            long ctx = server.address();
            assertEquals(1, SslMacros.SSL_CTX_set_tlsext_ticket_keys(ctx, new byte[80], 80));
            assertEquals(0, SslMacros.SSL_CTX_set_tlsext_ticket_keys(ctx, new byte[48], 48));
            assertEquals(0, SslMacros.SSL_CTX_set_tlsext_ticket_keys(ctx, new byte[96], 96));
            OPENSSL.ERR_clear_error();
        }
    }
}
