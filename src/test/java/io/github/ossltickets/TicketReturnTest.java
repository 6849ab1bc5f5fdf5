package io.github.ossltickets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@link TicketReturn} for every status the decrypt callback can see, through real handshakes,
 * checked against docs/openssl-behaviour.md#what-each-return-does: resumed or not, generator calls, NewSessionTicket
 * messages the client received, and the alert on failure.
 */
class TicketReturnTest {
    /** How the second connection's ticket is made, and so which status the decrypt callback sees. */
    enum Source {
        /** TLS 1.2 first connection: the client sends an empty ticket extension. */
        EMPTY_TLS12(TlsVersion.TLS1_2, TicketStatus.EMPTY),
        /** A ticket sealed by another server's built-in keys. */
        NO_DECRYPT_TLS12(TlsVersion.TLS1_2, TicketStatus.NO_DECRYPT),
        NO_DECRYPT_TLS13(TlsVersion.TLS1_3, TicketStatus.NO_DECRYPT),
        /** Built-in keys: TLS 1.2 gives SUCCESS, TLS 1.3 SUCCESS_RENEW. */
        BUILTIN_TLS12(TlsVersion.TLS1_2, TicketStatus.SUCCESS),
        BUILTIN_TLS13(TlsVersion.TLS1_3, TicketStatus.SUCCESS_RENEW),
        /** A key callback that answers "use" gives SUCCESS, "renew" gives SUCCESS_RENEW, in either protocol. */
        KEYCB_USE_TLS13(TlsVersion.TLS1_3, TicketStatus.SUCCESS),
        KEYCB_RENEW_TLS12(TlsVersion.TLS1_2, TicketStatus.SUCCESS_RENEW);

        final TlsVersion version;
        final TicketStatus status;

        Source(TlsVersion version, TicketStatus status) {
            this.version = version;
            this.status = status;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Source source : Source.values()) {
            for (TicketReturn answer : TicketReturn.values()) {
                cases.add(Arguments.of(source, answer));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("cases")
    void eachReturnForEachStatus(Source source, TicketReturn answer) {
        List<TicketStatus> seen = new ArrayList<>();
        int[] generated = {0};
        try (SslContext server = Tls.server(source.version); SslContext client = Tls.client(source.version);
             SslContext otherServer = Tls.server(source.version)) {
            if (source == Source.KEYCB_USE_TLS13 || source == Source.KEYCB_RENEW_TLS12) {
                server.setTicketKeyCallback(oneKey(TicketKey.random(), source == Source.KEYCB_RENEW_TLS12));
            }
            SslSession offered = null;
            if (source != Source.EMPTY_TLS12) {
                offered = Tls.firstSession(source.status == TicketStatus.NO_DECRYPT ? otherServer : server, client);
            }
            server.setTicketCallbacks((ssl, session) -> {
                generated[0]++;
                return true;
            }, (ssl, session, keyName, status) -> {
                seen.add(status);
                assertEquals(status.isSuccess(), session.isPresent(), "session present only on success");
                return answer;
            });

            Tls.Outcome outcome = Tls.connect(server, client, offered);

            assertEquals(List.of(source.status), seen, "statuses the decrypt callback saw");
            boolean fails = answer == TicketReturn.ABORT || (answer.resumes() && !source.status.isSuccess());
            if (fails) {
                assertFalse(outcome.ok(), "handshake should fail");
                assertEquals(Optional.of("internal_error"), outcome.alertSent, "alert the server sent");
                assertEquals(Optional.of("internal_error"), outcome.alertReceived, "alert the client received");
                assertEquals(0, generated[0], "generator calls");
                assertEquals(0, outcome.ticketsReceived, "tickets");
                if (answer.resumes()) {
                    assertInstanceOf(TicketCallbackException.class, outcome.failure.getCause());
                    assertTrue(outcome.failure.getMessage().contains("only for SUCCESS and SUCCESS_RENEW"),
                            outcome.failure.getMessage());
                } else {
                    assertNull(outcome.failure.getCause(), "ABORT chosen by the callback is not a Java failure");
                }
            } else {
                assertTrue(outcome.ok(), () -> "handshake should succeed: " + outcome);
                assertEquals(answer.resumes(), outcome.reused, "resumed");
                int expectedTickets = answer == TicketReturn.IGNORE || answer == TicketReturn.USE ? 0
                        : answer == TicketReturn.USE_RENEW ? 1
                        : source.version == TlsVersion.TLS1_2 ? 1 : server.numTickets();
                assertEquals(expectedTickets, outcome.ticketsReceived, "NewSessionTickets received");
                assertEquals(expectedTickets, generated[0], "generator calls, one per ticket");
                assertEquals(Optional.empty(), outcome.alertSent);
            }
            if (offered != null) {
                offered.close();
            }
            if (outcome.session != null) {
                outcome.session.close();
            }
        }
    }

    static TicketKeyCallback oneKey(TicketKey key, boolean renew) {
        return new TicketKeyCallback() {
            @Override
            public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                return Optional.of(key);
            }

            @Override
            public Lookup findKey(Ssl connection, byte[] keyName) {
                if (!key.hasName(keyName)) {
                    return Lookup.notFound();
                }
                return renew ? Lookup.useAndRenew(key) : Lookup.use(key);
            }
        };
    }

    /** docs/openssl-behaviour.md#single-use-tls-13-sessions: without a client cache, a session resumes again. */
    @org.junit.jupiter.api.Test
    void aTls13SessionOfferedAgainResumesAgainWithoutAClientCache() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             SslSession first = Tls.firstSession(server, client)) {
            for (int offer = 0; offer < 3; offer++) {
                Tls.Outcome again = Tls.connect(server, client, first);
                assertTrue(again.reused, "offer " + offer);
                again.session.close();
            }
            assertTrue(first.isResumable());
        }
    }
}
