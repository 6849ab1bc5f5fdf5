package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;
import io.github.ossltickets.net.TlsClient;
import io.github.ossltickets.net.TlsConnection;
import io.github.ossltickets.net.TlsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each public handle says in its toString() what it is, who owns it, whether it is open, and where; never a secret. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandleToStringTest {
    private static String hex(NativeRef ref) {
        return "0x" + Long.toHexString(ref.currentAddress());
    }

    @Test
    void aContextNamesItsRoleOwnershipStateAndAddress() {
        byte[] keys = new byte[SslContext.TICKET_KEYS_LENGTH];
        java.util.Arrays.fill(keys, (byte) 0x5a);
        SslContext server = SslContext.forServer().selfSignedCertificate().ticketKeys(keys).build();
        String address = hex(server.nativeRef());
        assertEquals("SslContext[server, owned, open " + address + "]", server.toString());
        assertFalse(server.toString().toLowerCase().contains(HexFormat.of().formatHex(keys, 0, 8)), "no key material");
        try (SslContext borrowed = SslContext.borrow(server.address())) {
            assertEquals("SslContext[borrowed, open " + address + "]", borrowed.toString());
        }
        server.close();
        assertEquals("SslContext[server, owned, closed]", server.toString());
        try (SslContext client = SslContext.forClient().build()) {
            assertEquals("SslContext[client, owned, open " + hex(client.nativeRef()) + "]", client.toString());
        }
    }

    @Test
    void connectionsSessionsAndALentSessionSayWhatTheyAre() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            AtomicReference<String> lentSession = new AtomicReference<>();
            AtomicReference<String> lentConnection = new AtomicReference<>();
            server.setTicketCallbacks((connection, session) -> {
                lentSession.set(session.toString());
                lentConnection.set(connection.toString());
                return true;
            }, (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
            try (InMemoryConnection connection = InMemoryConnection.open(server, client, null)) {
                connection.handshake();
                assertTrue(connection.toString().matches("InMemoryConnection\\[server Ssl\\[owned, open 0x[0-9a-f]+],"
                        + " client Ssl\\[owned, open 0x[0-9a-f]+]]"), connection.toString());
                SslSession session = connection.client().session().orElseThrow();
                assertTrue(session.toString().matches("SslSession\\[owned, open 0x[0-9a-f]+]"), session.toString());
                session.close();
                assertEquals("SslSession[owned, closed]", session.toString());
            }
            assertTrue(lentSession.get().matches("SslSession\\[lent, open 0x[0-9a-f]+]"), lentSession.get());
            assertTrue(lentConnection.get().matches("Ssl\\[owned, open 0x[0-9a-f]+]"), lentConnection.get());
        }
    }

    @Test
    void theServerItsConnectionsAndTheClientSayWhereTheyAre() throws Exception {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            AtomicReference<String> served = new AtomicReference<>();
            try (TlsServer tlsServer = TlsServer.builder(server, connection -> {
                        served.set(connection.toString());
                        connection.write(new byte[] {'!'});
                    }).port(0).build();
                 TlsClient tlsClient = new TlsClient(client, Duration.ofSeconds(10))) {
                assertEquals("TlsServer[port " + tlsServer.port() + ", running, 0 connections open]", tlsServer.toString());
                try (TlsConnection connection = tlsClient.connect("127.0.0.1", tlsServer.port())) {
                    connection.write(new byte[] {'?'});
                    assertEquals(1, connection.read(new byte[1]));
                    assertTrue(connection.toString().matches("TlsConnection\\[peer /127.0.0.1:" + tlsServer.port()
                            + ", Ssl\\[owned, open 0x[0-9a-f]+]]"), connection.toString());
                }
                assertTrue(served.get().matches("TlsConnection\\[peer /127.0.0.1:[0-9]+, Ssl\\[owned, open 0x[0-9a-f]+]]"),
                        served.get());
                assertTrue(tlsClient.toString().matches("TlsClient\\[SslContext\\[client, owned, open 0x[0-9a-f]+],"
                        + " servers with a session: 1]"), tlsClient.toString());
                tlsServer.close();
                assertEquals("TlsServer[port " + tlsServer.port() + ", stopped, 0 connections open]", tlsServer.toString());
            }
        }
    }
}
