package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.ServerNameCallback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.github.ossltickets.ffi.Raw.OPENSSL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When OpenSSL runs the ClientHello callback, the ticket decrypt callback and the server-name
 * callback, on TLS 1.2 and 1.3, and what {@code SSL_get_servername} returns in each: the source of
 * docs/openssl-behaviour.md#when-each-callback-runs. A resumption with SNI "a.example".
 */
@Timeout(30)
class CallbackOrderTest {
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void theClientHelloCallbackRunsFirstAndTheDecryptorBeforeTheServerName(TlsVersion version) {
        List<String> order = new CopyOnWriteArrayList<>();
        ServerNameCallback.Function serverName = (ssl, al, arg) -> {
            long name = OPENSSL.SSL_get_servername(ssl, LibSsl.TLSEXT_NAMETYPE_host_name);
            order.add("servername:" + (name == 0 ? "NULL" : OPENSSL.string(name)));
            return LibSsl.SSL_TLSEXT_ERR_OK;
        };
        try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
            ServerNameCallback.install(server.address(), serverName);
            server.setClientHelloCallback((connection, hello) -> {
                order.add("clienthello:" + connection.serverName().orElse("NULL"));
                return ClientHelloDecision.proceed();
            });
            server.setTicketCallbacks((connection, session) -> {
                order.add("generate:" + connection.serverName().orElse("NULL"));
                return true;
            }, (connection, session, keyName, status) -> {
                order.add("decrypt-" + status + ":" + connection.serverName().orElse("NULL"));
                return TicketReturn.defaultFor(status);
            });
            Tls.Outcome first = Hellos.connect(server, client, "a.example", null);
            order.add("|");
            Tls.Outcome second = Hellos.connect(server, client, "a.example", first.session);
            assertTrue(second.reused, second.toString());
            System.out.println(version + " " + order); // the record the document quotes
            String expected = version == TlsVersion.TLS1_3
                    ? "[clienthello:NULL, servername:a.example, generate:a.example, generate:a.example, |,"
                    + " clienthello:NULL, decrypt-SUCCESS_RENEW:NULL, servername:a.example, generate:a.example]"
                    : "[clienthello:NULL, decrypt-EMPTY:NULL, servername:a.example, generate:a.example, |,"
                    + " clienthello:NULL, decrypt-SUCCESS:NULL, servername:a.example]";
            assertEquals(expected, order.toString());
        }
    }
}
