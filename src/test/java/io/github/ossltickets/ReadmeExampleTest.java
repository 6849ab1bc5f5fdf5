package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Attach it to a server" code, as written there, run against a real client. */
class ReadmeExampleTest {
    private final List<String> checked = new ArrayList<>();
    private boolean revoked;

    private String tenantOf(Ssl connection) {
        return connection.protocolVersion().equals("TLSv1.3") ? "acme" : "other";
    }

    private boolean stillValid(byte[] appData) {
        checked.add(new String(appData, UTF_8));
        return !revoked;
    }

    @Test
    void theReadmeServerIssuesChecksAndRevokesTickets() {
        String certificatePem = Tls.CERTIFICATE.certificatePem();
        String privateKeyPem = Tls.CERTIFICATE.privateKeyPem();
        // --- as in the README ---
        SslContext server = SslContext.forServer()
                .certificate(certificatePem, privateKeyPem)   // or .selfSignedCertificate()
                .serverSessionCache(false)                    // optional: make TLS 1.2 resume through tickets only
                .build();

        server.setTicketCallbacks(
                // SSL_CTX_generate_session_ticket_fn: runs once per ticket, before it is sealed
                (connection, session) -> {
                    session.setTicketAppData(("tenant=" + tenantOf(connection)).getBytes(UTF_8));
                    return true;                              // false fails the handshake (internal_error)
                },
                // SSL_CTX_decrypt_session_ticket_fn: runs for each ticket the client offers
                (connection, session, keyName, status) -> {
                    if (session.isPresent() && !stillValid(session.get().ticketAppData())) {
                        return TicketReturn.IGNORE_RENEW;     // full handshake, fresh ticket
                    }
                    return TicketReturn.defaultFor(status);   // OpenSSL's own default
                });
        // --- end ---
        try (server; SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            SslSession ticket = Tls.firstSession(server, client);
            Tls.Outcome resumed = Tls.connect(server, client, ticket);
            assertTrue(resumed.reused);
            revoked = true;
            Tls.Outcome refused = Tls.connect(server, client, resumed.session);
            assertTrue(refused.ok());
            assertFalse(refused.reused, "a revoked ticket gets a full handshake");
            assertEquals(2, refused.ticketsReceived, "and fresh tickets");
            assertEquals(List.of("tenant=acme", "tenant=acme"), checked);
            ticket.close();
            resumed.session.close();
            refused.session.close();
        }
    }

    @Test
    void applicationDataFlowsAndNewSessionTicketSendsOneMore() {
        int[] generated = {0};
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> ++generated[0] > 0,
                    (ssl, session, name, status) -> TicketReturn.defaultFor(status));
            try (InMemoryConnection connection = InMemoryConnection.open(server, client)) {
                connection.handshake();
                assertEquals("TLSv1.3", connection.server().protocolVersion());
                assertEquals(2, connection.clientLog().ticketsReceived());
                assertEquals("ping", new String(connection.send(true, "ping".getBytes(UTF_8)), UTF_8));
                connection.server().newSessionTicket();              // SSL_new_session_ticket
                assertEquals("pong", new String(connection.send(false, "pong".getBytes(UTF_8)), UTF_8));
                assertEquals(3, generated[0], "the generator ran for the extra ticket");
                assertEquals(3, connection.clientLog().ticketsReceived());
                assertEquals(3, connection.serverLog().ticketsSent());
                try (SslSession session = connection.client().session().orElseThrow()) {
                    assertTrue(session.isResumable());
                    assertEquals(TlsVersion.TLS1_3, session.protocolVersion());
                    assertTrue(session.encodedLength() > 0);
                }
            }
        }
    }
}
