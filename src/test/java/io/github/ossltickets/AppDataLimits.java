package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;

/**
 * Finds, by binary search over real handshakes, the largest ticket app data that still works on this
 * OpenSSL: in TLS 1.2 the largest that gets a ticket and resumes, in TLS 1.3 the largest that resumes
 * (docs/openssl-behaviour.md#how-much-app-data-fits). Not a test; run by scripts/app-data-limits.
 */
public final class AppDataLimits {
    private AppDataLimits() {}

    public static void main(String[] args) {
        System.out.println(OpenSsl.version());
        for (TlsVersion version : TlsVersion.values()) {
            try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
                int[] size = {0};
                server.setTicketCallbacks((ssl, session) -> {
                    session.setTicketAppData(new byte[size[0]]);
                    return true;
                }, (ssl, session, keyName, status) -> TicketReturn.defaultFor(status));
                int works = 1024;
                int fails = 70_000;
                while (fails - works > 1) {
                    size[0] = (works + fails) / 2;
                    if (resumes(server, client)) {
                        works = size[0];
                    } else {
                        fails = size[0];
                    }
                }
                System.out.println(version.openSslName() + "\tlargest app data that resumes: " + works);
            }
        }
    }

    private static boolean resumes(SslContext server, SslContext client) {
        try (InMemoryConnection first = InMemoryConnection.open(server, client)) {
            first.handshake();
            try (SslSession ticket = first.client().session().orElseThrow();
                 InMemoryConnection second = InMemoryConnection.open(server, client, ticket)) {
                second.handshake();
                return second.client().isSessionReused();
            }
        } catch (OpenSslException failed) {
            return false;
        }
    }
}
