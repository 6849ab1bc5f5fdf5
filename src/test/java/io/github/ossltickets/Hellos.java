package io.github.ossltickets;

import io.github.ossltickets.ffi.ClientServerName;
import io.github.ossltickets.net.InMemoryConnection;

/** Test helper: in-memory handshakes whose client sends a server name (SNI). */
final class Hellos {
    private Hellos() {}

    /** One handshake as {@link Tls#connect}, the client sending {@code serverName} unless it is null. */
    static Tls.Outcome connect(SslContext server, SslContext client, String serverName, SslSession offered) {
        Ssl serverSsl = server.newSsl();
        Ssl clientSsl = client.newSsl();
        if (serverName != null) {
            ClientServerName.set(clientSsl.address(), serverName);
        }
        if (offered != null) {
            clientSsl.setSession(offered);
        }
        serverSsl.trackMessages();
        clientSsl.trackMessages();
        try (InMemoryConnection connection = InMemoryConnection.join(serverSsl, clientSsl)) {
            OpenSslException failure = null;
            try {
                connection.handshake();
            } catch (OpenSslException e) {
                failure = e;
            }
            return new Tls.Outcome(failure, clientSsl.isSessionReused(), connection.clientLog().ticketsReceived(),
                    connection.serverLog().fatalAlertSent(), connection.clientLog().fatalAlertReceived(),
                    clientSsl.session().orElse(null));
        }
    }
}
