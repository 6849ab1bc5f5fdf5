package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TicketKeyCallback;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStatus;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.InMemoryConnection;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * {@code ossl-tickets matrix}: the scenario matrix of native/ticket_matrix.c through the Java binding,
 * printed in the same TSV format. Each scenario is a full handshake, a proper shutdown, then a second
 * connection offering the first one's ticket; for case=empty the first connection is the one measured.
 */
final class Matrix {
    private Matrix() {}

    static final String HEADER = "case\ttls\tkey_mode\tdec_return\thandshake\treused\tstatus\tkeyname_len"
            + "\tappdata\tgen_calls\ttickets\talert";
    private static final byte[] APP_DATA = bytes("Hello World");
    /** The same fixed key as ticket_matrix.c: AES-256-CBC, HMAC-SHA256. */
    private static final TicketKey KEY = new TicketKey(bytes("ossl-tickets-key"),
            keyBytes("matrix hmac key, 32 bytes long!"), keyBytes("matrix aes key, 32 bytes long!!"));

    /** What the callbacks saw on the connection being measured. */
    private static final class Observed {
        boolean measuring;
        boolean emptyCase;
        TicketReturn decReturn;
        final StringJoiner statuses = new StringJoiner(",");
        int keyNameLength = -1;
        String appData = "-";
        int genCalls;
    }

    /** Prints the matrix; stops early once {@code out} fails (a closed pipe: {@code matrix | head}). */
    static void run(PrintStream out) {
        SelfSignedCertificate certificate = SelfSignedCertificate.generate("localhost");
        out.println(HEADER);
        for (TlsVersion version : TlsVersion.values()) {
            try (SslContext client = client(version)) {
                for (String keyMode : new String[] {"builtin", "keycb-use", "keycb-renew"}) {
                    for (TicketReturn decReturn : TicketReturn.values()) {
                        if (out.checkError()) {
                            return;
                        }
                        out.println(scenario("valid", version, keyMode, decReturn, client, certificate));
                    }
                }
            }
        }
        for (TlsVersion version : TlsVersion.values()) {
            try (SslContext client = client(version)) {
                for (TicketReturn decReturn : TicketReturn.values()) {
                    if (out.checkError()) {
                        return;
                    }
                    out.println(scenario("foreign", version, "builtin", decReturn, client, certificate));
                }
            }
        }
        try (SslContext client = client(TlsVersion.TLS1_2)) {
            for (TicketReturn decReturn : TicketReturn.values()) {
                if (out.checkError()) {
                    return;
                }
                out.println(scenario("empty", TlsVersion.TLS1_2, "builtin", decReturn, client, certificate));
            }
        }
    }

    private static String scenario(String kase, TlsVersion version, String keyMode, TicketReturn decReturn,
            SslContext client, SelfSignedCertificate certificate) {
        Observed observed = new Observed();
        observed.emptyCase = kase.equals("empty");
        observed.decReturn = decReturn;
        try (SslContext server = server(version, keyMode, observed, certificate);
             SslContext issuer = kase.equals("foreign") ? server(version, "builtin", observed, certificate) : null) {
            SslSession ticket = null;
            if (!observed.emptyCase) {
                try (InMemoryConnection first = InMemoryConnection.open(issuer != null ? issuer : server, client)) {
                    first.handshake();
                    ticket = first.client().session().orElseThrow();
                }
            }
            observed.measuring = true;
            try (InMemoryConnection second = InMemoryConnection.open(server, client, ticket)) {
                boolean ok = true;
                try {
                    second.handshake();
                } catch (OpenSslException e) {
                    ok = false;
                }
                String status = observed.statuses.length() == 0 ? "-" : observed.statuses.toString();
                return String.join("\t", kase, version.openSslName(), keyMode, decReturn.name(),
                        ok ? "ok" : "failed", second.client().isSessionReused() ? "yes" : "no", status,
                        observed.keyNameLength < 0 ? "-" : Integer.toString(observed.keyNameLength),
                        observed.appData, Integer.toString(observed.genCalls),
                        Integer.toString(second.clientLog().ticketsReceived()),
                        second.serverLog().fatalAlertSent().orElse("-"));
            } finally {
                if (ticket != null) {
                    ticket.close();
                }
            }
        }
    }

    private static SslContext client(TlsVersion version) {
        return SslContext.forClient().protocol(version).build();
    }

    private static SslContext server(TlsVersion version, String keyMode, Observed observed,
            SelfSignedCertificate certificate) {
        SslContext server = SslContext.forServer()
                .certificate(certificate.certificatePem(), certificate.privateKeyPem())
                .protocol(version).serverSessionCache(false).build();
        server.setTicketCallbacks((ssl, session) -> {
            if (observed.measuring) {
                observed.genCalls++;
            }
            session.setTicketAppData(APP_DATA);
            return true;
        }, (ssl, session, keyName, status) -> {
            if (observed.measuring) {
                observed.statuses.add(status.name());
                observed.keyNameLength = keyName.length;
                session.map(s -> s.ticketAppData()).filter(data -> data.length > 0)
                        .ifPresent(data -> observed.appData = new String(data, StandardCharsets.UTF_8));
            }
            if (status == TicketStatus.EMPTY && !observed.emptyCase) {
                return TicketReturn.IGNORE_RENEW;
            }
            return observed.decReturn;
        });
        if (!keyMode.equals("builtin")) {
            boolean renew = keyMode.equals("keycb-renew");
            server.setTicketKeyCallback(new TicketKeyCallback() {
                @Override
                public Optional<TicketKey> keyForNewTicket(io.github.ossltickets.Ssl connection) {
                    return Optional.of(KEY);
                }

                @Override
                public Lookup findKey(io.github.ossltickets.Ssl connection, byte[] keyName) {
                    if (!KEY.hasName(keyName)) {
                        return Lookup.notFound();
                    }
                    return renew ? Lookup.useAndRenew(KEY) : Lookup.use(KEY);
                }
            });
        }
        return server;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** A C string literal of 31 characters fills a 32-byte array with a closing NUL, as in ticket_matrix.c. */
    private static byte[] keyBytes(String text) {
        return java.util.Arrays.copyOf(bytes(text), 32);
    }
}
