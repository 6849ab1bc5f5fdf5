package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each failure says what happened in words, with OpenSSL's error-queue text where it has any. */
class ErrorMessagesTest {
    private static final TicketGenerator KEEP = (ssl, session) -> true;

    @Test
    void aDecryptorsOwnAbortIsNamedAsTheCause() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             SslSession ticket = Tls.firstSession(server, client)) {
            server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> TicketReturn.ABORT);
            Tls.Outcome failed = Tls.connect(server, client, ticket);
            assertFalse(failed.ok());
            assertNull(failed.failure.getCause(), "a decision, not an exception");
            assertTrue(failed.failure.getMessage().startsWith("SSL_do_handshake failed (SSL_ERROR_SSL: a TLS protocol"
                    + " or library error, see OpenSSL's error queue) because the TicketDecryptor returned ABORT for"
                    + " status SUCCESS_RENEW, which tells OpenSSL to fail the handshake: error:"),
                    failed.failure.getMessage());
        }
    }

    @Test
    void aGeneratorsFalseIsNamedAsTheCause() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            server.setTicketCallbacks((ssl, session) -> false, (ssl, session, name, status) ->
                    TicketReturn.defaultFor(status));
            Tls.Outcome failed = Tls.connect(server, client, null);
            assertTrue(failed.failure.getMessage().contains("because the TicketGenerator returned false"),
                    failed.failure.getMessage());
        }
    }

    @Test
    void aPeerThatVanishesGivesNamedErrors() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             Ssl serverSide = server.newSsl(); Ssl clientSide = client.newSsl()) {
            clientSide.joinWithBioPair(serverSide);
            assertFalse(clientSide.handshake(), "ClientHello sent, waiting");
            serverSide.close(); // frees the server's half of the BIO pair without a word
            OpenSslException e = assertThrows(OpenSslException.class, clientSide::handshake);
            // OpenSSL reports the freed half of a BIO pair as an uninitialised BIO.
            assertTrue(e.getMessage().startsWith("SSL_do_handshake failed (SSL_ERROR_SSL: a TLS protocol or library"
                    + " error, see OpenSSL's error queue): error:10000078:BIO routines::uninitialized"), e.getMessage());
        }
        assertEquals("SSL_ERROR_SYSCALL: the transport failed, or the peer closed it without close_notify",
                Ssl.describeError(io.github.ossltickets.ffi.LibSsl.SSL_ERROR_SYSCALL));
    }

    @Test
    void manyTicketsAreProgressNotAStall() {
        AtomicInteger generated = new AtomicInteger();
        try (SslContext server = SslContext.forServer().certificate(Tls.CERTIFICATE.certificatePem(),
                Tls.CERTIFICATE.privateKeyPem()).protocol(TlsVersion.TLS1_3).numTickets(SslContext.MAX_NUM_TICKETS)
                .build();
             SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> generated.incrementAndGet() > 0,
                    (ssl, session, name, status) -> TicketReturn.defaultFor(status));
            Tls.Outcome outcome = Tls.connect(server, client, null);
            assertTrue(outcome.ok(), outcome::toString);
            assertEquals(SslContext.MAX_NUM_TICKETS, outcome.ticketsReceived);
            assertEquals(SslContext.MAX_NUM_TICKETS, generated.get());
            outcome.session.close();
        }
    }

    /** Two billion tickets would hold the handshake for hours: refused, by the setter and the builder. */
    @Test
    void aHugeTicketCountIsRefused() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3)) {
            for (int count : new int[] {-1, SslContext.MAX_NUM_TICKETS + 1, Integer.MAX_VALUE}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> server.setNumTickets(count));
                assertTrue(e.getMessage().contains("num_tickets must be 0 to 1000, not " + count), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> SslContext.forServer().numTickets(count));
            }
            assertEquals(2, server.numTickets(), "unchanged");
        }
    }

    @Test
    void twoServersJoinedStallWithAClearMessage() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            IllegalArgumentException swapped = assertThrows(IllegalArgumentException.class,
                    () -> InMemoryConnection.open(client, server));
            assertTrue(swapped.getMessage().contains("got a client context, then a server context"),
                    swapped.getMessage());
            assertThrows(IllegalArgumentException.class, () -> InMemoryConnection.open(server, server));
            try (Ssl one = server.newSsl(); Ssl other = server.newSsl()) {
                one.joinWithBioPair(other);
                assertFalse(one.handshake());
                assertFalse(other.handshake(), "both wait for a ClientHello that never comes");
                assertEquals(0, one.bytesRead() + one.bytesWritten() + other.bytesRead() + other.bytesWritten());
            }
        }
    }

    /** A second transport would free the first one's BIOs under it: refused, and the first still works. */
    @Test
    void aConnectionTakesOneTransportForItsWholeLife() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             Ssl serverSide = server.newSsl(); Ssl clientSide = client.newSsl(); Ssl third = server.newSsl()) {
            NetworkBio network = serverSide.attachNetworkBio(0);
            IllegalStateException again = assertThrows(IllegalStateException.class, () -> serverSide.attachNetworkBio(0));
            assertTrue(again.getMessage().contains("attachNetworkBio: this connection already has a transport"),
                    again.getMessage());
            assertThrows(IllegalStateException.class, () -> clientSide.joinWithBioPair(serverSide));
            assertFalse(clientSide.hasTransport(), "nothing half done on the other side");
            clientSide.joinWithBioPair(third);
            assertThrows(IllegalStateException.class, () -> clientSide.joinWithBioPair(third));
            assertTrue(serverSide.hasTransport() && clientSide.hasTransport() && third.hasTransport());
            network.close();
        }
    }

    @Test
    void aClosedContextRefusesAFailureListener() {
        SslContext server = Tls.server(TlsVersion.TLS1_3);
        server.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> server.setCallbackFailureListener(failure -> { }));
        assertEquals("SslContext is closed", e.getMessage());
    }
}
