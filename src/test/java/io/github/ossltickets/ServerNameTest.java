package io.github.ossltickets;

import io.github.ossltickets.ffi.ClientServerName;
import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ssl#serverName()} in the callbacks: the generator sees the client's SNI, the decryptor does not
 * yet (OpenSSL reads the ticket before the rest of the ClientHello), so a decision by server name reads
 * it from the app data (docs/openssl-behaviour.md#when-the-decrypt-callback-runs).
 */
class ServerNameTest {
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void theGeneratorSeesTheServerNameAndTheDecryptorDoesNotYet(TlsVersion version) {
        List<String> seen = new ArrayList<>();
        try (SslContext server = SslContext.forServer().selfSignedCertificate().protocol(version)
                .serverSessionCache(false).build();
             SslContext client = SslContext.forClient().protocol(version).build()) {
            server.setTicketCallbacks((connection, session) -> {
                String name = connection.serverName().orElse("none");
                seen.add("generate " + name);
                session.setTicketAppData(("sni=" + name).getBytes(StandardCharsets.UTF_8));
                return true;
            }, (connection, session, keyName, status) -> {
                seen.add("decrypt " + connection.serverName().orElse("none") + " "
                        + session.map(s -> new String(s.ticketAppData(), StandardCharsets.UTF_8)).orElse("-"));
                return TicketReturn.defaultFor(status);
            });
            Optional<SslSession> session = Optional.empty();
            for (int i = 0; i < 2; i++) {
                Ssl serverSsl = server.newSsl();
                Ssl clientSsl = client.newSsl();
                ClientServerName.set(clientSsl.address(), "tenant.example");
                session.ifPresent(clientSsl::setSession);
                try (InMemoryConnection connection = InMemoryConnection.join(serverSsl, clientSsl)) {
                    connection.handshake();
                    connection.readPostHandshakeMessages();
                    assertEquals(i == 1, clientSsl.isSessionReused());
                    if (i == 0) { // after a TLS 1.2 resumption OpenSSL answers from the session instead
                        assertEquals(Optional.of("tenant.example"), serverSsl.serverName(), "after the handshake");
                    }
                    session = clientSsl.session();
                }
            }
        }
        assertTrue(seen.contains("generate tenant.example"), seen.toString());
        assertTrue(seen.contains("decrypt none sni=tenant.example"), seen.toString());
        assertTrue(seen.stream().noneMatch(line -> line.startsWith("decrypt tenant")), seen.toString());
    }
}
