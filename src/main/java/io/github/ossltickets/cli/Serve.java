package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStats;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.TlsConnection;
import io.github.ossltickets.net.TlsServer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code ossl-tickets serve}: an HTTPS server that shows session tickets at work. Each ticket's app
 * data records the generation of the server that issued it; a ticket from another generation gets
 * IGNORE_RENEW (a full handshake and a fresh ticket), as after a configuration change. Every response
 * says what happened to the ticket on that connection; every ticket event is one line on stderr.
 */
final class Serve {
    private Serve() {}

    static final String USAGE = String.join("\n",
            "usage: ossl-tickets serve [options]",
            "  --port P              port to listen on (default 8443; 0 picks a free one)",
            "  --bind ADDR           address to listen on (default 127.0.0.1)",
            "  --cert FILE --key FILE  PEM certificate and private key (default: a self-signed one for localhost)",
            "  --tls 1.2|1.3|both    protocol versions (default both)",
            "  --num-tickets N       TLS 1.3 tickets after a full handshake (default 2)",
            "  --ticket-keys FILE    80 bytes (name 16, HMAC 32, AES 32) shared by servers and restarts;",
            "                        make one with: head -c 80 /dev/urandom > ticket.keys",
            "  --generation G        stamped in each ticket's app data; other generations' tickets get IGNORE_RENEW",
            "                        (default 1)",
            "  --handshake-timeout S seconds a handshake may take (default 10)",
            "  --read-timeout S      seconds a connection may stay silent between requests (default 30)",
            "  --max-per-client N    connections open at once from one client address (default 256)",
            "  --help                this text",
            "Every request gets 200 text/plain: protocol, resumed, ticket-status, ticket-return, ticket-appdata,",
            "tickets-issued, ticket-issued-appdata. GET /stats gives the counters, which are also printed on exit.");

    /** Bad command-line options: the message, then the usage, and exit 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The options, parsed and checked. */
    record Options(int port, String bind, Path cert, Path key, TlsVersion min, TlsVersion max, Integer numTickets,
            Path ticketKeys, String generation, Duration handshakeTimeout, Duration readTimeout, int maxPerClient) {

        static Options parse(String[] args) throws UsageException {
            int port = 8443;
            String bind = "127.0.0.1";
            Path cert = null;
            Path key = null;
            String tls = "both";
            Integer numTickets = null;
            Path ticketKeys = null;
            String generation = "1";
            int handshakeSeconds = 10;
            int readSeconds = 30;
            int maxPerClient = 256;
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help") || option.equals("-h")) {
                    throw new UsageException(null);
                }
                if (i + 1 >= args.length) {
                    throw new UsageException(option.startsWith("--") ? option + " needs a value" : "unknown argument: " + option);
                }
                String value = args[++i];
                switch (option) {
                    case "--port" -> port = number(option, value, 0, 65535);
                    case "--bind" -> bind = value;
                    case "--cert" -> cert = Path.of(value);
                    case "--key" -> key = Path.of(value);
                    case "--tls" -> tls = value;
                    case "--num-tickets" -> numTickets = number(option, value, 0, 1000);
                    case "--ticket-keys" -> ticketKeys = Path.of(value);
                    case "--generation" -> generation = value;
                    case "--handshake-timeout" -> handshakeSeconds = number(option, value, 1, 3600);
                    case "--read-timeout" -> readSeconds = number(option, value, 1, 3600);
                    case "--max-per-client" -> maxPerClient = number(option, value, 1, 1_000_000);
                    default -> throw new UsageException("unknown option: " + option);
                }
            }
            if ((cert == null) != (key == null)) {
                throw new UsageException("--cert and --key go together");
            }
            if (generation.isEmpty() || !generation.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ';')) {
                throw new UsageException("--generation takes printable characters without spaces or ';': " + generation);
            }
            TlsVersion[] range = switch (tls) {
                case "1.2" -> new TlsVersion[] {TlsVersion.TLS1_2, TlsVersion.TLS1_2};
                case "1.3" -> new TlsVersion[] {TlsVersion.TLS1_3, TlsVersion.TLS1_3};
                case "both" -> new TlsVersion[] {TlsVersion.TLS1_2, TlsVersion.TLS1_3};
                default -> throw new UsageException("--tls takes 1.2, 1.3 or both, not " + tls);
            };
            return new Options(port, bind, cert, key, range[0], range[1], numTickets, ticketKeys, generation,
                    Duration.ofSeconds(handshakeSeconds), Duration.ofSeconds(readSeconds), maxPerClient);
        }

        private static int number(String option, String value, int min, int max) throws UsageException {
            try {
                int number = Integer.parseInt(value);
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException(option + " takes a number from " + min + " to " + max + ", not " + value);
        }
    }

    /** What the callbacks saw on one connection: its {@link Ssl#attachment()}. */
    private static final class Seen {
        final long id;
        String status = "-";
        String decision = "-";
        String appData = "-";
        String issuedAppData = "-";
        int ticketsIssued;

        Seen(long id) {
            this.id = id;
        }
    }

    /** A running server: its port, its counters, and close() to stop it. */
    static final class Running implements AutoCloseable {
        private final SslContext context;
        private final TlsServer server;

        private Running(SslContext context, TlsServer server) {
            this.context = context;
            this.server = server;
        }

        int port() {
            return server.port();
        }

        String stats() {
            return Serve.stats(server, context);
        }

        /** Stops gracefully and frees everything. */
        @Override
        public void close() {
            try {
                server.close();
            } finally {
                context.close();
            }
        }
    }

    /** The counters, as GET /stats shows them. */
    private static String stats(TlsServer server, SslContext context) {
        TlsServer.Stats connections = server.stats();
        TicketStats tickets = context.ticketStats();
        StringBuilder text = new StringBuilder()
                .append("handshakes: ").append(connections.handshakes()).append('\n')
                .append("resumptions: ").append(connections.resumptions()).append('\n')
                .append("tickets-issued: ").append(tickets.ticketsGenerated()).append('\n');
        tickets.decryptsByStatus().forEach((status, count) ->
                text.append("decrypts-").append(status).append(": ").append(count).append('\n'));
        tickets.returnsByKind().forEach((kind, count) ->
                text.append("returns-").append(kind).append(": ").append(count).append('\n'));
        return text.append("callback-failures: ").append(tickets.callbackFailures()).append('\n')
                .append("connections-accepted: ").append(connections.accepted()).append('\n')
                .append("connections-refused: ").append(connections.rejected()).append('\n')
                .append("connections-refused-per-client: ").append(connections.rejectedPerClient()).append('\n')
                .append("connections-evicted: ").append(connections.evicted()).append('\n')
                .append("connections-timed-out: ").append(connections.timedOut()).append('\n')
                .append("connections-failed: ").append(connections.failures()).append('\n')
                .append("connections-open: ").append(connections.open()).append('\n')
                .toString();
    }

    /** Runs the command until the JVM is stopped; returns an exit code for bad options or a failed start. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() == null) {
                out.println(USAGE);
                return 0;
            }
            err.println("ossl-tickets serve: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        Running running;
        try {
            running = start(options, err);
        } catch (IOException | RuntimeException e) {
            err.println("ossl-tickets serve failed to start: " + e.getMessage());
            return 1;
        }
        out.println("ossl-tickets serve on " + OpenSsl.version() + ": https://" + options.bind() + ":" + running.port()
                + "/ (generation " + options.generation() + "; Ctrl-C stops it)");
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.print("ossl-tickets serve stopping; counters:\n" + running.stats());
            err.flush();
            running.close();
        }, "ossl-tickets-serve-shutdown"));
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                return 0;
            }
        }
    }

    /** Starts the server of {@code options}; ticket events go to {@code events}, one line each. */
    static Running start(Options options, PrintStream events) throws IOException {
        SslContext.Builder builder = SslContext.forServer().protocols(options.min(), options.max())
                .serverSessionCache(false);
        if (options.cert() != null) {
            builder.certificate(Files.readString(options.cert()), Files.readString(options.key()));
        } else {
            builder.selfSignedCertificate();
        }
        if (options.numTickets() != null) {
            builder.numTickets(options.numTickets());
        }
        if (options.ticketKeys() != null) {
            byte[] keys = Files.readAllBytes(options.ticketKeys());
            if (keys.length != SslContext.TICKET_KEYS_LENGTH) {
                throw new IOException(options.ticketKeys() + " has " + keys.length + " bytes; ticket keys are 80"
                        + " (name 16, HMAC 32, AES 32): head -c 80 /dev/urandom > " + options.ticketKeys());
            }
            builder.ticketKeys(keys);
        }
        SslContext context = builder.build();
        try {
            installGenerationPolicy(context, options.generation(), events);
            AtomicReference<TlsServer> self = new AtomicReference<>(); // the handler's /stats reads its server
            TlsServer server = TlsServer.builder(context, connection -> respond(connection,
                            options.readTimeout(), () -> stats(self.get(), context)))
                    .bind(InetAddress.getByName(options.bind())).port(options.port())
                    .handshakeTimeout(options.handshakeTimeout()).readTimeout(options.readTimeout())
                    .maxPerClient(options.maxPerClient())
                    .logger(new EventLogger(TlsServer.class.getName(), events)).start();
            self.set(server);
            return new Running(context, server);
        } catch (IOException | RuntimeException e) {
            context.close();
            throw e;
        }
    }

    private static final AtomicLong CONNECTIONS = new AtomicLong();
    private static final AtomicLong TICKETS = new AtomicLong();

    private static void installGenerationPolicy(SslContext context, String generation, PrintStream events) {
        String stamp = "generation=" + generation;
        context.setTicketCallbacks((ssl, session) -> {
            Seen seen = seen(ssl);
            String appData = stamp + ";ticket=" + TICKETS.incrementAndGet();
            session.setTicketAppData(appData.getBytes(StandardCharsets.US_ASCII));
            seen.ticketsIssued++;
            seen.issuedAppData = appData;
            event(events, "ticket issued: connection " + seen.id + ", app data " + appData);
            return true;
        }, (ssl, session, keyName, status) -> {
            Seen seen = seen(ssl);
            seen.status = status.name();
            seen.appData = session.map(Serve::appData).orElse("-");
            event(events, "ticket decrypted: connection " + seen.id + ", status " + status + ", key name "
                    + (keyName.length == 0 ? "-" : HexFormat.of().formatHex(keyName)) + ", app data " + seen.appData);
            TicketReturn decision = TicketReturn.defaultFor(status);
            String why = "OpenSSL's default";
            if (status.isSuccess() && !(seen.appData.equals(stamp) || seen.appData.startsWith(stamp + ";"))) {
                decision = TicketReturn.IGNORE_RENEW;
                why = "issued by another generation than " + generation;
            }
            seen.decision = decision.name();
            event(events, "ticket return: connection " + seen.id + ", " + decision + " (" + why + ")");
            return decision;
        }, TicketReturn.IGNORE_RENEW);
    }

    private static Seen seen(Ssl ssl) {
        Object attachment = ssl.attachment();
        if (attachment instanceof Seen seen) {
            return seen;
        }
        Seen seen = new Seen(CONNECTIONS.incrementAndGet());
        ssl.setAttachment(seen);
        return seen;
    }

    private static void respond(TlsConnection connection, Duration maxRequestTime, Supplier<String> stats)
            throws IOException {
        HttpRequests requests = new HttpRequests(connection, maxRequestTime);
        while (true) {
            HttpRequests.Request request;
            try {
                request = requests.next();
            } catch (HttpRequests.BadRequest e) {
                requests.respond(e.status, e.status == 431 ? "Request Header Fields Too Large"
                        : e.status == 413 ? "Content Too Large" : "Bad Request", e.getMessage() + "\n", false);
                return;
            }
            if (request == null) {
                return;
            }
            String body = request.path().equals("/stats") ? stats.get() : describe(connection.ssl());
            requests.respond(200, "OK", body, request.keepAlive());
            if (!request.keepAlive()) {
                return;
            }
        }
    }

    /** The response body: what happened to the ticket on this connection. */
    private static String describe(Ssl ssl) {
        Seen seen = seen(ssl);
        return "protocol: " + ssl.protocolVersion() + "\n"
                + "resumed: " + (ssl.isSessionReused() ? "yes" : "no") + "\n"
                + "ticket-status: " + seen.status + "\n"
                + "ticket-return: " + seen.decision + "\n"
                + "ticket-appdata: " + seen.appData + "\n"
                + "tickets-issued: " + seen.ticketsIssued + "\n"
                + "ticket-issued-appdata: " + seen.issuedAppData + "\n";
    }

    /** App data as text when it is printable ASCII, else as hex; "-" when there is none. */
    static String appData(SslSession session) {
        byte[] bytes = session.ticketAppData();
        if (bytes.length == 0) {
            return "-";
        }
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                return "hex:" + HexFormat.of().formatHex(bytes);
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static void event(PrintStream events, String line) {
        synchronized (events) {
            events.println(line);
        }
    }
}
