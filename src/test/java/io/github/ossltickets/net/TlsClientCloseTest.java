package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A closed TlsClient refuses to connect, and a connection that outlives it gives its session back, not to the map. */
@Timeout(60)
class TlsClientCloseTest {
    @RegisterExtension
    static final SelfSignedContexts contexts = new SelfSignedContexts();

    private static void echo(TlsConnection connection) throws IOException {
        byte[] buffer = new byte[64];
        int n = connection.read(buffer);
        if (n > 0) {
            connection.write(java.util.Arrays.copyOf(buffer, n));
        }
    }

    private static void roundTrip(TlsConnection connection) throws IOException {
        connection.write("hi".getBytes(StandardCharsets.US_ASCII));
        byte[] answer = new byte[16];
        assertEquals(2, connection.read(answer));
    }

    @Test
    void aClosedClientRefusesAndKeepsNoSessionOfAConnectionThatOutlivedIt() throws Exception {
        long sessionsBefore = OpenSsl.liveObjects().sessions();
        try (TlsServer server = TlsServer.builder(contexts.server, TlsClientCloseTest::echo).port(0)
                .logger(new RecordingLogger()).build()) {
            TlsClient client = new TlsClient(contexts.client, Duration.ofSeconds(10));
            try (TlsConnection first = client.connect("127.0.0.1", server.port())) {
                roundTrip(first);
            }
            assertTrue(client.session("127.0.0.1", server.port()).map(copy -> {
                copy.close();
                return true;
            }).orElse(false), "the first connection's session is kept");

            TlsConnection outlives = client.connect("127.0.0.1", server.port());
            client.close();
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> client.connect("127.0.0.1", server.port()));
            assertTrue(refused.getMessage().contains("TlsClient is closed"), refused.getMessage());

            roundTrip(outlives); // still works after its client closed
            outlives.close(); // its session must be freed, not kept by the closed client
            assertTrue(client.session("127.0.0.1", server.port()).isEmpty(), client.toString());
            assertEquals(sessionsBefore, OpenSsl.liveObjects().sessions(), "live SSL_SESSIONs");
            client.close(); // idempotent
        }
    }
}
