package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientHelloCallback} through real in-memory handshakes: what it sees, what the ticket callbacks
 * of the same handshake see of its decisions, and the rules it shares with them (fails closed, lent
 * view, no re-entry).
 */
@Timeout(30)
class ClientHelloTest {
    private static SslContext server(TlsVersion version) {
        return SslContext.forServer().certificate(Tls.CERTIFICATE.certificatePem(), Tls.CERTIFICATE.privateKeyPem())
                .protocol(version).serverSessionCache(false).alpnProtocols("http/1.1", "h2").build();
    }

    private static SslContext client(TlsVersion version) {
        return SslContext.forClient().protocol(version).alpnProtocols("h2", "http/1.1").build();
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void theCallbackSeesTheClientHello(TlsVersion version) {
        AtomicReference<ClientHelloInfo> seen = new AtomicReference<>();
        try (SslContext server = server(version); SslContext client = client(version)) {
            server.setClientHelloCallback((connection, hello) -> {
                seen.set(hello.info());
                assertEquals(hello.serverName(), hello.extension(0).flatMap(ClientHello::hostName));
                return ClientHelloDecision.proceed();
            });
            Tls.Outcome outcome = Hellos.connect(server, client, "tenant-a.example", null);
            assertTrue(outcome.ok(), outcome.toString());
        }
        ClientHelloInfo info = seen.get();
        assertNotNull(info);
        assertEquals(Optional.of("tenant-a.example"), info.serverName());
        assertEquals(List.of("h2", "http/1.1"), info.alpnOffers());
        assertEquals(0x0303, info.legacyVersion());
        assertFalse(info.sslV2Format());
        assertTrue(info.extensionTypes().containsAll(List.of(0, 16)), info.toString());
        assertFalse(info.cipherSuites().isEmpty());
        if (version == TlsVersion.TLS1_3) {
            assertEquals(List.of(0x0304), info.supportedVersions());
            assertTrue(info.cipherSuites().contains(0x1301), info.toString());
            assertTrue(info.extensionTypes().contains(43), info.toString());
        } else {
            assertEquals(List.of(), info.supportedVersions()); // a TLS 1.2-only client sends none
        }
    }

    @Test
    void theServerChoosesItsOwnFirstAlpnProtocolTheClientOffered() {
        try (SslContext server = server(TlsVersion.TLS1_3); SslContext client = client(TlsVersion.TLS1_3)) {
            AtomicReference<Optional<String>> chosen = new AtomicReference<>();
            server.setTicketCallbacks((connection, session) -> {
                chosen.set(connection.alpnProtocol());
                return true;
            }, (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
            assertTrue(Hellos.connect(server, client, null, null).ok());
            assertEquals(Optional.of("http/1.1"), chosen.get());
        }
    }

    /** TLS 1.3 reads the ticket before the server name: only the ClientHello callback's copy has it there. */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void whatItDecidesIsSeenByTheTicketCallbacksOfTheSameHandshake(TlsVersion version) {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (SslContext server = server(version); SslContext client = client(version)) {
            server.setClientHelloCallback((connection, hello) -> {
                connection.setHandshakeAttribute("tenant", "tenant-of-" + hello.serverName().orElse("?"));
                return ClientHelloDecision.proceed();
            });
            server.setTicketCallbacks((connection, session) -> {
                seen.add("generate " + connection.handshakeAttribute("tenant"));
                return true;
            }, (connection, session, keyName, status) -> {
                seen.add("decrypt " + status + " " + connection.handshakeAttribute("tenant") + " "
                        + connection.clientHello().flatMap(ClientHelloInfo::serverName).orElse("none")
                        + " serverName()=" + connection.serverName().orElse("none"));
                return TicketReturn.defaultFor(status);
            });
            Tls.Outcome first = Hellos.connect(server, client, "a.example", null);
            assertTrue(first.ok(), first.toString());
            Tls.Outcome second = Hellos.connect(server, client, "a.example", first.session);
            assertTrue(second.reused, second.toString());
        }
        assertTrue(seen.contains("generate tenant-of-a.example"), seen.toString());
        assertTrue(seen.stream().anyMatch(line -> line.matches("decrypt SUCCESS(_RENEW)? tenant-of-a.example a.example"
                + " serverName\\(\\)=none")), seen.toString()); // both versions: OpenSSL reads the ticket first
        assertFalse(seen.contains("generate null"), seen.toString());
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void aThrowingCallbackFailsTheHandshakeClosedWithInternalError(TlsVersion version) {
        try (SslContext server = server(version); SslContext client = client(version)) {
            server.setClientHelloCallback((connection, hello) -> {
                throw new IllegalStateException("no tenant for " + hello.serverName().orElse("?"));
            });
            Tls.Outcome outcome = Hellos.connect(server, client, "x.example", null);
            assertFalse(outcome.ok());
            assertEquals(Optional.of("internal error"), outcome.alertSent.map(a -> a.replace('_', ' ')));
            Throwable cause = causeOf(outcome.failure);
            assertInstanceOf(IllegalStateException.class, cause, String.valueOf(outcome.failure));
            assertEquals("no tenant for x.example", cause.getMessage());
            assertEquals(1, server.ticketStats().callbackFailures(), server.ticketStats().toString());
        }
    }

    @Test
    void aRefusalSendsTheChosenAlert() {
        try (SslContext server = server(TlsVersion.TLS1_3); SslContext client = client(TlsVersion.TLS1_3)) {
            server.setClientHelloCallback((connection, hello) -> hello.serverName().equals(Optional.of("ok.example"))
                    ? ClientHelloDecision.proceed() : ClientHelloDecision.refuse(ClientHelloDecision.UNRECOGNIZED_NAME));
            assertTrue(Hellos.connect(server, client, "ok.example", null).ok());
            Tls.Outcome refused = Hellos.connect(server, client, "other.example", null);
            assertFalse(refused.ok());
            assertEquals(Optional.of("unrecognized name"), refused.alertReceived.map(a -> a.replace('_', ' ')));
            assertTrue(refused.failure.getMessage().contains("the ClientHelloCallback refused the ClientHello with"
                    + " alert 112"), refused.failure.getMessage());
        }
    }

    /** The per-connection state lives on the native SSL and goes with SSL_free. */
    @Test
    void theHandshakeStateIsFreedWithTheConnection() {
        try (SslContext server = server(TlsVersion.TLS1_3); SslContext client = client(TlsVersion.TLS1_3)) {
            server.setClientHelloCallback((connection, hello) -> {
                connection.setHandshakeAttribute("tenant", "t");
                return ClientHelloDecision.proceed();
            });
            assertTrue(Hellos.connect(server, client, "a.example", null).ok()); // the ex_data index exists now
            int before = HandshakeState.live();
            for (int i = 0; i < 20; i++) {
                assertTrue(Hellos.connect(server, client, "a.example", null).ok());
            }
            assertEquals(before, HandshakeState.live());
        }
    }

    @Test
    void theViewThrowsAfterTheCall() {
        AtomicReference<ClientHello> kept = new AtomicReference<>();
        try (SslContext server = server(TlsVersion.TLS1_3); SslContext client = client(TlsVersion.TLS1_3)) {
            server.setClientHelloCallback((connection, hello) -> {
                kept.set(hello);
                return ClientHelloDecision.proceed();
            });
            assertTrue(Hellos.connect(server, client, "a.example", null).ok());
        }
        // The copied fields first: a regression then fails here instead of reading freed memory below.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.get().info());
        assertTrue(e.getMessage().contains("valid only until the callback returns"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> kept.get().serverName());
        assertThrows(IllegalStateException.class, () -> kept.get().extension(0));
    }

    @Test
    void reEnteringTheHandshakeFromTheCallbackIsRefused() {
        try (SslContext server = server(TlsVersion.TLS1_3); SslContext client = client(TlsVersion.TLS1_3)) {
            server.setClientHelloCallback((connection, hello) -> {
                connection.handshake();
                return ClientHelloDecision.proceed();
            });
            Tls.Outcome outcome = Hellos.connect(server, client, "a.example", null);
            assertFalse(outcome.ok());
            assertInstanceOf(IllegalStateException.class, causeOf(outcome.failure), String.valueOf(outcome.failure));
        }
    }

    @Test
    void aNullDecisionFailsClosed() {
        try (SslContext server = server(TlsVersion.TLS1_2); SslContext client = client(TlsVersion.TLS1_2)) {
            server.setClientHelloCallback((connection, hello) -> null);
            Tls.Outcome outcome = Hellos.connect(server, client, null, null);
            assertFalse(outcome.ok());
            assertInstanceOf(TicketCallbackException.class, causeOf(outcome.failure));
            server.clearClientHelloCallback();
            assertTrue(Hellos.connect(server, client, null, null).ok());
        }
    }

    /** The server side's failure carries the callback's exception; the client's may come first. */
    private static Throwable causeOf(OpenSslException failure) {
        if (failure.getCause() != null) {
            return failure.getCause();
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            if (suppressed.getCause() != null) {
                return suppressed.getCause();
            }
        }
        return null;
    }
}
