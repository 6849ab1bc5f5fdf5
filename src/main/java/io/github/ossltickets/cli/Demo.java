package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.InMemoryConnection;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The embedded demo: per protocol, a full handshake that issues tickets carrying app data, a
 * resumption whose decrypt callback reads that app data back, and a policy decision: after the server
 * moves to policy v2, a ticket stamped v1 gets IGNORE_RENEW, so the client gets a full handshake and a
 * fresh ticket. Everything runs in memory with a certificate OpenSSL makes on the spot.
 */
final class Demo {
    private Demo() {}

    private static final String ROW = "%-4s  %-8s  %-27s  %-13s  %-12s  %-7s  %-7s  %s%n";

    /** What the server's callbacks saw during one connection. */
    private static final class Observed {
        String status = "-";
        String decision = "-";
        String readBack = "-";
        String issued = "-";
        int policy = 1;
    }

    static void run(PrintStream out) {
        out.println("ossl-tickets demo on " + OpenSsl.version());
        out.println();
        out.printf(ROW, "conn", "protocol", "step", "status seen", "return", "resumed", "tickets", "app data");
        int connection = 1;
        for (TlsVersion version : TlsVersion.values()) {
            connection = runProtocol(version, connection, out);
        }
        out.println();
        out.println("status seen: what OpenSSL passed to the decrypt callback; tickets: NewSessionTicket messages"
                + " the client received.");
    }

    private static int runProtocol(TlsVersion version, int connection, PrintStream out) {
        Observed observed = new Observed();
        try (SslContext server = SslContext.forServer().selfSignedCertificate().protocol(version)
                .serverSessionCache(false).build();
             SslContext client = SslContext.forClient().protocol(version).build()) {
            server.setTicketCallbacks(
                    (ssl, session) -> {
                        String appData = "user=alice;policy=v" + observed.policy;
                        session.setTicketAppData(appData.getBytes(StandardCharsets.UTF_8));
                        observed.issued = appData;
                        return true;
                    },
                    (ssl, session, keyName, status) -> {
                        observed.status = status.name();
                        TicketReturn decision = TicketReturn.defaultFor(status);
                        if (session.isPresent()) {
                            String appData = new String(session.get().ticketAppData(), StandardCharsets.UTF_8);
                            observed.readBack = appData;
                            if (!appData.endsWith(";policy=v" + observed.policy)) {
                                decision = TicketReturn.IGNORE_RENEW; // stale policy: full handshake, new ticket
                            }
                        }
                        observed.decision = decision.name();
                        return decision;
                    });

            SslSession ticket = connect(server, client, null, observed, version, connection++,
                    "full handshake", out);
            SslSession renewed = connect(server, client, ticket, observed, version, connection++,
                    "resume with the ticket", out);
            observed.policy = 2;
            SslSession fresh = connect(server, client, renewed, observed, version, connection++,
                    "policy v2 rejects v1 ticket", out);
            ticket.close();
            renewed.close();
            fresh.close();
        }
        return connection;
    }

    private static SslSession connect(SslContext server, SslContext client, SslSession offered, Observed observed,
            TlsVersion version, int connection, String step, PrintStream out) {
        observed.status = "-";
        observed.decision = "-";
        observed.readBack = "-";
        observed.issued = "-";
        try (InMemoryConnection c = InMemoryConnection.open(server, client, offered)) {
            c.handshake();
            String appData = observed.readBack.equals("-") ? "" : "read \"" + observed.readBack + "\"";
            if (!observed.issued.equals("-")) {
                appData += (appData.isEmpty() ? "" : ", ") + "issued \"" + observed.issued + "\"";
            }
            out.printf(ROW, connection, version.openSslName(), step, observed.status, observed.decision,
                    c.client().isSessionReused() ? "yes" : "no", c.clientLog().ticketsReceived(), appData);
            Optional<SslSession> session = c.client().session();
            return session.orElseThrow(() -> new IllegalStateException("the client holds no session"));
        }
    }
}
