package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ticket app data through real tickets: what the generator sets is what the decryptor reads. */
class AppDataTest {

    /** Issues a ticket whose app data the generator sets (or not, for null), resumes, returns what was read. */
    private static byte[] roundTrip(TlsVersion version, Supplier<byte[]> appData) {
        List<byte[]> read = new ArrayList<>();
        try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
            server.setTicketCallbacks((ssl, session) -> {
                byte[] data = appData.get();
                if (data != null) {
                    session.setTicketAppData(data);
                }
                return true;
            }, (ssl, session, keyName, status) -> {
                session.ifPresent(s -> read.add(s.ticketAppData()));
                return TicketReturn.defaultFor(status);
            });
            try (SslSession ticket = Tls.firstSession(server, client)) {
                assertEquals(0, ticket.ticketAppData().length, "the client's session never holds the app data");
                Tls.Outcome resumed = Tls.connect(server, client, ticket);
                assertTrue(resumed.ok() && resumed.reused, () -> "resumption: " + resumed);
                resumed.session.close();
            }
        }
        assertEquals(1, read.size(), "decrypt callbacks with a session");
        return read.get(0);
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void absentAppDataReadsAsEmptyArray(TlsVersion version) {
        assertArrayEquals(new byte[0], roundTrip(version, () -> null));
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void emptyAppDataReadsAsEmptyArray(TlsVersion version) {
        assertArrayEquals(new byte[0], roundTrip(version, () -> new byte[0]));
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void binaryAppDataWithNulBytesRoundTrips(TlsVersion version) {
        byte[] binary = {0, 1, 0, (byte) 0xff, 0, 0x7f, 0};
        assertArrayEquals(binary, roundTrip(version, binary::clone));
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void sixteenKibRoundTrips(TlsVersion version) {
        byte[] big = new byte[16 * 1024];
        new Random(42).nextBytes(big);
        assertArrayEquals(big, roundTrip(version, big::clone));
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void seventyThousandBytesFailsClearlyAndTheContextStillWorks(TlsVersion version) {
        byte[] huge = new byte[70_000];
        byte[][] next = {huge};
        try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
            server.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(next[0]);
                return true;
            }, (ssl, session, keyName, status) -> TicketReturn.defaultFor(status));

            Tls.Outcome failed = Tls.connect(server, client, null);
            assertFalse(failed.ok(), "OpenSSL refuses a ticket this large");
            assertTrue(failed.failure.getMessage().contains("bytes of ticket app data encodes to"),
                    failed.failure.getMessage());
            assertTrue(failed.failure.getMessage().contains("internal error"),
                    "OpenSSL's error-queue text is included: " + failed.failure.getMessage());
            assertEquals(Optional.of("internal_error"), failed.alertSent);
            assertEquals(0, failed.ticketsReceived);

            next[0] = Tls.utf8("small again");
            Tls.Outcome works = Tls.connect(server, client, null);
            assertTrue(works.ok(), () -> "the next handshake on the same context: " + works);
            assertTrue(works.ticketsReceived > 0);
            works.session.close();
        }
    }

    /**
     * The two limits of docs/openssl-behaviour.md#how-much-app-data-fits. TLS 1.2: the largest app data
     * that still gets a ticket (the server's 0xFF00-byte session limit). TLS 1.3: a ticket the server
     * could still issue, but too large for the client's ClientHello, so it cannot be offered.
     */
    @Test
    void theLimitsOfAppDataAreExactAndExplained() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            int[] size = {65_177};
            server.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(new byte[size[0]]);
                return true;
            }, (ssl, session, keyName, status) -> TicketReturn.defaultFor(status));
            SslSession ticket = Tls.firstSession(server, client);
            Tls.Outcome resumed = Tls.connect(server, client, ticket);
            assertTrue(resumed.reused, "65,177 bytes fit in TLS 1.2");
            size[0] = 65_178;
            Tls.Outcome refused = Tls.connect(server, client, null);
            assertTrue(refused.failure.getMessage().contains("65178 bytes of ticket app data encodes to 65281 bytes"),
                    refused.failure.getMessage());
            ticket.close();
            resumed.session.close();
        }
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(new byte[65_135]); // about 6 bytes under the server's limit
                return true;
            }, (ssl, session, keyName, status) -> TicketReturn.defaultFor(status));
            Tls.Outcome issued = Tls.connect(server, client, null);
            assertTrue(issued.ok() && issued.ticketsReceived == 2, issued::toString);
            Tls.Outcome offered = Tls.connect(server, client, issued.session);
            assertFalse(offered.ok(), "the client cannot fit the ticket in its ClientHello");
            assertTrue(offered.failure.getMessage().contains("the offered session's ticket is"),
                    offered.failure.getMessage());
            issued.session.close();
        }
    }

    @Test
    void aRenewedTicketKeepsTheAppDataUnlessTheGeneratorOverwritesIt() {
        int[] generation = {0};
        List<String> read = new ArrayList<>();
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> {
                if (generation[0]++ == 0) {
                    session.setTicketAppData(Tls.utf8("first"));
                }
                return true;
            }, (ssl, session, keyName, status) -> {
                read.add(Tls.text(session.orElseThrow().ticketAppData()));
                return TicketReturn.USE_RENEW;
            });
            server.setNumTickets(1);
            SslSession first = Tls.firstSession(server, client);
            Tls.Outcome renewed = Tls.connect(server, client, first);
            assertTrue(renewed.reused);
            assertEquals(1, renewed.ticketsReceived);
            Tls.Outcome again = Tls.connect(server, client, renewed.session);
            assertTrue(again.reused);
            assertEquals(List.of("first", "first"), read, "the renewed ticket carries the earlier app data");
            first.close();
            renewed.session.close();
            again.session.close();
        }
    }

    @Test
    void keyNameFromBuiltInKeysReachesTheDecryptor() {
        byte[] keys = new byte[SslContext.TICKET_KEYS_LENGTH];
        new Random(7).nextBytes(keys);
        byte[] expectedName = java.util.Arrays.copyOf(keys, 16);
        List<byte[]> names;
        try (SslContext server = SslContext.forServer()
                .certificate(Tls.CERTIFICATE.certificatePem(), Tls.CERTIFICATE.privateKeyPem())
                .protocol(TlsVersion.TLS1_2).serverSessionCache(false).ticketKeys(keys).build();
             SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            assertArrayEquals(keys, server.ticketKeys(), "SSL_CTX_get_tlsext_ticket_keys");
            names = keyNamesOfAFullHandshakeAndAResumption(server, client);
        }
        assertEquals(0, names.get(0).length, "EMPTY on the first TLS 1.2 connection: keyname_length 0");
        assertArrayEquals(expectedName, names.get(1));
    }

    @Test
    void keyNameFromTheKeyCallbackReachesTheDecryptor() {
        TicketKey key = TicketKey.random();
        List<byte[]> names;
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketKeyCallback(TicketReturnTest.oneKey(key, false));
            names = keyNamesOfAFullHandshakeAndAResumption(server, client);
        }
        assertEquals(1, names.size());
        assertArrayEquals(key.name(), names.get(0));
    }

    /** The key names the decryptor saw over a full handshake and a resumption that must succeed. */
    private static List<byte[]> keyNamesOfAFullHandshakeAndAResumption(SslContext server, SslContext client) {
        List<byte[]> names = new ArrayList<>();
        server.setTicketCallbacks((ssl, session) -> true, (ssl, session, keyName, status) -> {
            names.add(keyName);
            return TicketReturn.defaultFor(status);
        });
        try (SslSession ticket = Tls.firstSession(server, client)) {
            Tls.Outcome resumed = Tls.connect(server, client, ticket);
            assertTrue(resumed.reused);
            resumed.session.close();
        }
        return names;
    }

    @Test
    void appDataOnAnOwnedSessionCanBeSetReadAndCleared() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             SslSession session = Tls.firstSession(server, client)) {
            session.setTicketAppData(new byte[] {1, 0, 2});
            assertArrayEquals(new byte[] {1, 0, 2}, session.ticketAppData());
            byte[] copy = session.ticketAppData();
            copy[0] = 9;
            assertArrayEquals(new byte[] {1, 0, 2}, session.ticketAppData(), "reads are copies");
            session.setTicketAppData(new byte[0]);
            assertArrayEquals(new byte[0], session.ticketAppData());
            assertThrows(NullPointerException.class, () -> session.setTicketAppData(null));
        }
    }
}
