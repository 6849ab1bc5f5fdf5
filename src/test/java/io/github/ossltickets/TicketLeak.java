package io.github.ossltickets;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A leak check a person runs (scripts/leak-check): rounds of resumptions with app data, callbacks that
 * throw, borrowed sessions, and contexts dropped without close() for the Cleaner. It prints the
 * process's resident memory after each round; flat figures after the first rounds mean no leak.
 * TLS 1.3 ABORT is left out: OpenSSL 3.0.19 itself leaks the decrypted session there, fixed in 3.0.22
 * (docs/openssl-behaviour.md#openssl-bugs-the-binding-works-around-or-reports).
 */
public final class TicketLeak {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        byte[] appData = new byte[1024];
        try (SslContext client12 = Tls.client(TlsVersion.TLS1_2); SslContext client13 = Tls.client(TlsVersion.TLS1_3)) {
            for (int round = 1; round <= rounds; round++) {
                for (int i = 0; i < perRound; i++) {
                    TlsVersion version = i % 2 == 0 ? TlsVersion.TLS1_2 : TlsVersion.TLS1_3;
                    SslContext server = Tls.server(version); // dropped without close() every 10th time
                    server.setCallbackFailureListener(failure -> { });
                    boolean failing = i % 3 == 0;
                    server.setTicketCallbacks((ssl, session) -> {
                        session.setTicketAppData(appData);
                        return true;
                    }, (ssl, session, name, status) -> {
                        session.ifPresent(SslSession::ticketAppData);
                        if (failing) {
                            throw new IllegalStateException("leak check");
                        }
                        return TicketReturn.defaultFor(status);
                    }, TicketReturn.IGNORE_RENEW);
                    SslContext client = version == TlsVersion.TLS1_2 ? client12 : client13;
                    SslSession ticket = Tls.firstSession(server, client);
                    Tls.Outcome resumed = Tls.connect(server, client, ticket);
                    if (!resumed.ok() || resumed.reused == failing) {
                        throw new IllegalStateException("unexpected outcome " + resumed);
                    }
                    ticket.close();
                    resumed.session.close();
                    if (i % 10 != 0) {
                        server.close();
                    }
                }
                System.gc();
                Thread.sleep(200); // let the Cleaner thread run
                System.out.printf("round %d: %d connections, RSS %d KiB%n", round, round * perRound * 2L, rssKib());
            }
        }
    }

    private static long rssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
