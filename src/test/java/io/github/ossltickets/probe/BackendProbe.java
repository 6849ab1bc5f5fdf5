package io.github.ossltickets.probe;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.InMemoryConnection;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run by BackendTest in a child JVM, on the class path or beside the library on the module path, so
 * it uses only the public API (and lives in a package of its own). Prints the backend in use, then
 * issues a TLS 1.3 ticket with app data and resumes it through both ticket callbacks:
 * {@code backend=ffm resumed=true appData=probe}.
 */
public final class BackendProbe {
    private BackendProbe() {}

    public static void main(String[] args) {
        System.out.println("backend=" + OpenSsl.backend());
        AtomicReference<String> seen = new AtomicReference<>("none");
        try (SslContext server = SslContext.forServer().selfSignedCertificate().protocol(TlsVersion.TLS1_3)
                .numTickets(1).build();
             SslContext client = SslContext.forClient().protocol(TlsVersion.TLS1_3).build()) {
            server.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData("probe".getBytes(StandardCharsets.US_ASCII));
                return true;
            }, (ssl, session, keyName, status) -> {
                session.ifPresent(s -> seen.set(new String(s.ticketAppData(), StandardCharsets.US_ASCII)));
                return TicketReturn.defaultFor(status);
            });
            SslSession ticket;
            try (InMemoryConnection first = InMemoryConnection.open(server, client)) {
                first.handshake();
                first.readPostHandshakeMessages();
                ticket = first.client().session().orElseThrow();
            }
            try (ticket; InMemoryConnection second = InMemoryConnection.open(server, client, ticket)) {
                second.handshake();
                System.out.println("resumed=" + second.client().isSessionReused() + " appData=" + seen.get());
            }
        }
    }
}
