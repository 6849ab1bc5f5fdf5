package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStats;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.cli.CommandLine.UsageException;
import io.github.ossltickets.net.TlsConnection;
import io.github.ossltickets.net.TlsServer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
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
            "usage: ossl-tickets serve [options]       (--opt VALUE and --opt=VALUE both work)",
            "  --port P              port to listen on, 0 to 65535 (default 8443; 0 picks a free one)",
            "  --bind ADDR           address to listen on (default 127.0.0.1)",
            "  --cert FILE --key FILE  PEM certificate and private key (default: a self-signed one for localhost)",
            "  --key-password-file FILE  the --key file's password: the file's first line",
            "  --key-password-env NAME   the --key file's password: environment variable NAME",
            "  --tls 1.2|1.3|both    protocol versions (default both)",
            "  --num-tickets N       TLS 1.3 tickets after a full handshake, 0 to 1000 (default 2)",
            "  --ticket-keys FILE... ticket key files shared by servers and restarts, reloaded when they change;",
            "                        nginx's order: the first seals, the rest only open (their tickets renew)",
            "  --ticket-keys-format nginx|haproxy  nginx: one 80- or 48-byte key per file (default;",
            "                        head -c 80 /dev/urandom > ticket.key); haproxy: base64 lines, one file",
            "  --rotate PERIOD[,RETAIN]  a new random key every PERIOD, published a PERIOD ahead, opening",
            "                        tickets RETAIN after (default 7 x PERIOD); 500ms, 10s, 5m, 1h, 7d",
            "  --redis URI           keys shared and rotated through Redis: redis://[user@]host[:port][/db], rediss://",
            "  --redis-password-env NAME, --redis-password-file FILE  its password (never in the URI)",
            "  --redis-key NAME      the Redis key of the schedule (default " + ServeKeyOptions.DEFAULT_REDIS_KEY + ")",
            "  --redis-fallback      start with local keys if Redis is down at start (default: refuse to start)",
            "  --redis-ca FILE       PEM CA certificate that signs the Redis server's, for rediss://",
            "  --generation G        stamped in each ticket's app data; other generations' tickets get IGNORE_RENEW",
            "                        (default 1; up to " + Options.MAX_GENERATION_LENGTH + " printable characters)",
            "  --handshake-timeout S seconds a handshake may take, 1 to 3600 (default 10)",
            "  --read-timeout S      seconds a connection may stay silent between requests, 1 to 3600 (default 30)",
            "  --max-per-client N    connections open at once from one client address, 1 to 1000000 (default 256)",
            "  --help                this text",
            "Every request gets 200 text/plain: protocol, resumed, ticket-status, ticket-return, ticket-appdata,",
            "tickets-issued, ticket-issued-appdata. GET /stats gives the counters, which are also printed on exit.",
            "Exit status: 2 for a usage error, 1 when the server cannot start; Ctrl-C stops it.");

    /** The command line serve accepts; a new option is one more line here and one in {@link Options#parse}. */
    private static final CommandLine COMMAND_LINE = new CommandLine("serve")
            .flag("--help").alias("-h", "--help")
            .option("--port").option("--bind").option("--cert").option("--key")
            .option("--key-password-file").option("--key-password-env")
            .option("--tls").option("--num-tickets").option("--generation")
            .option("--handshake-timeout").option("--read-timeout").option("--max-per-client");

    static {
        ServeKeyOptions.declare(COMMAND_LINE); // the ticket-key options live with their parsing
    }

    /** The options, parsed and checked. Files are only named here; {@link ServeFiles} reads them. */
    record Options(int port, String bind, Path cert, Path key, TlsVersion min, TlsVersion max, Integer numTickets,
            ServeKeyOptions ticketKeys, String generation, Duration handshakeTimeout, Duration readTimeout,
            Path keyPasswordFile, String keyPasswordEnv, int maxPerClient) {

        /**
         * The longest --generation. It goes into every ticket's app data, and a ticket whose app data
         * passes about 63,000 bytes is never issued: every handshake fails
         * (docs/openssl-behaviour.md#how-much-app-data-fits). A generation is a label; 1000 leaves
         * the ceiling far away on every OpenSSL 3.
         */
        static final int MAX_GENERATION_LENGTH = 1000;

        static Options parse(String[] args) throws UsageException {
            CommandLine.Parsed given = COMMAND_LINE.parse(args);
            if (given.has("--help")) {
                throw new UsageException(null); // not an error: run() prints the usage and exits 0
            }
            int port = number(given, "--port", 8443, 0, 65535);
            String bind = given.value("--bind").orElse("127.0.0.1");
            Path cert = path(given, "--cert");
            Path key = path(given, "--key");
            Path keyPasswordFile = path(given, "--key-password-file");
            String keyPasswordEnv = given.value("--key-password-env").orElse(null);
            Integer numTickets = given.has("--num-tickets") ? number(given, "--num-tickets", 2, 0, 1000) : null;
            ServeKeyOptions ticketKeys = ServeKeyOptions.parse(given);
            String generation = given.value("--generation").orElse("1");
            int handshakeSeconds = number(given, "--handshake-timeout", 10, 1, 3600);
            int readSeconds = number(given, "--read-timeout", 30, 1, 3600);
            int maxPerClient = number(given, "--max-per-client", 256, 1, 1_000_000);
            if ((cert == null) != (key == null)) {
                throw new UsageException(cert == null ? "--key needs --cert" : "--cert needs --key");
            }
            if (keyPasswordFile != null && keyPasswordEnv != null) {
                throw new UsageException("--key-password-file and --key-password-env: give one of them");
            }
            if (key == null && (keyPasswordFile != null || keyPasswordEnv != null)) {
                throw new UsageException((keyPasswordFile != null ? "--key-password-file" : "--key-password-env")
                        + " is the password of --key, which is not given");
            }
            if (keyPasswordEnv != null && !keyPasswordEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new UsageException("--key-password-env takes the name of an environment variable, not "
                        + CommandLine.shown(keyPasswordEnv));
            }
            if (generation.length() > MAX_GENERATION_LENGTH) {
                throw new UsageException("--generation has " + generation.length() + " characters; at most "
                        + MAX_GENERATION_LENGTH + ": it goes into every ticket's app data, and OpenSSL issues no"
                        + " ticket (every handshake fails) once app data passes about 63,000 bytes");
            }
            if (!generation.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ';')) {
                throw new UsageException("--generation takes printable characters without spaces or ';', not "
                        + CommandLine.shown(generation));
            }
            String tls = given.value("--tls").orElse("both");
            TlsVersion[] range = switch (tls) {
                case "1.2" -> new TlsVersion[] {TlsVersion.TLS1_2, TlsVersion.TLS1_2};
                case "1.3" -> new TlsVersion[] {TlsVersion.TLS1_3, TlsVersion.TLS1_3};
                case "both" -> new TlsVersion[] {TlsVersion.TLS1_2, TlsVersion.TLS1_3};
                default -> throw new UsageException("--tls takes 1.2, 1.3 or both, not " + CommandLine.shown(tls));
            };
            return new Options(port, bind, cert, key, range[0], range[1], numTickets, ticketKeys, generation,
                    Duration.ofSeconds(handshakeSeconds), Duration.ofSeconds(readSeconds), keyPasswordFile,
                    keyPasswordEnv, maxPerClient);
        }

        private static Path path(CommandLine.Parsed given, String option) throws UsageException {
            String value = given.value(option).orElse(null);
            return value == null ? null : fileName(option, value);
        }

        /** A file name given to {@code option}; NUL cannot be in one. */
        static Path fileName(String option, String value) throws UsageException {
            if (value.indexOf('\0') >= 0) {
                throw new UsageException(option + " takes a file name, not " + CommandLine.shown(value));
            }
            return Path.of(value);
        }

        /** A whole number in [min, max]: digits only, so "+5", "0x10", "1e3" and "-1" are refused. */
        private static int number(CommandLine.Parsed given, String option, int absent, int min, int max)
                throws UsageException {
            String value = given.value(option).orElse(null);
            if (value == null) {
                return absent;
            }
            if (value.matches("[0-9]{1,9}")) {
                int number = Integer.parseInt(value);
                if (number >= min && number <= max) {
                    return number;
                }
            }
            throw new UsageException(option + " takes a whole number from " + min + " to " + max + ", not "
                    + CommandLine.shown(value));
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
        private final ServeKeys.Source keys;

        private Running(SslContext context, TlsServer server, ServeKeys.Source keys) {
            this.context = context;
            this.server = server;
            this.keys = keys;
        }

        boolean isRunning() {
            return server.isRunning();
        }

        int port() {
            return server.port();
        }

        String stats() {
            return Serve.stats(server, context, keys);
        }

        /** Stops gracefully and frees everything. */
        @Override
        public void close() {
            try {
                server.close();
            } finally {
                keys.close();
                context.close();
            }
        }
    }

    /** The counters, as GET /stats shows them. */
    private static String stats(TlsServer server, SslContext context, ServeKeys.Source keys) {
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
                .append("connections-failed: ").append(connections.failures()).append('\n')
                .append("connections-refused-per-client: ").append(connections.rejectedPerClient()).append('\n')
                .append("connections-evicted: ").append(connections.evicted()).append('\n')
                .append("connections-timed-out: ").append(connections.timedOut()).append('\n')
                .append("connections-open: ").append(connections.open()).append('\n')
                .append(ServeKeys.stats(keys, context))
                .toString();
    }

    /** Runs the command until the JVM is stopped (0) or the server dies (1); returns 2 for bad options, 1 for a failed start. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() == null) {
                out.println(USAGE);
                return out.checkError() ? Main.CLOSED_PIPE : 0; // the reader went away, as for every command
            }
            err.println("ossl-tickets serve: " + oneLine(e.getMessage()) + " (ossl-tickets serve --help lists the options)");
            return 2;
        }
        Running running;
        try {
            running = start(options, err);
        } catch (BindException e) {
            // TlsServer's message names the address too; the system's own reason is its cause's.
            String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            err.println("ossl-tickets serve: cannot listen on " + hostAndPort(options.bind(), options.port()) + ": "
                    + oneLine(String.valueOf(reason).toLowerCase(Locale.ROOT)));
            return 1;
        } catch (UnknownHostException e) {
            err.println("ossl-tickets serve: --bind " + CommandLine.shown(options.bind()) + ": unknown host");
            return 1;
        } catch (IOException | OpenSslException | IllegalArgumentException e) {
            err.println("ossl-tickets serve failed to start: " + oneLine(e.getMessage()));
            return 1;
        } catch (RuntimeException e) { // a bug: its class helps more than a bare message
            err.println("ossl-tickets serve failed to start: " + oneLine(e.toString()));
            return 1;
        }
        out.println("ossl-tickets serve on " + OpenSsl.version() + ": https://"
                + hostAndPort(options.bind(), running.port())
                + "/ (generation " + options.generation() + "; Ctrl-C stops it)");
        out.flush();
        if (out.checkError()) { // nobody reads the banner: end as every command does when its reader left
            running.close();
            return Main.CLOSED_PIPE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.print("ossl-tickets serve stopping; counters:\n" + running.stats());
            err.flush();
            running.close();
        }, "ossl-tickets-serve-shutdown"));
        while (running.isRunning()) { // a server whose selector thread died (out of memory) ends the command
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return 0;
            }
        }
        err.println("ossl-tickets serve: the server stopped (its selector thread died; the log says why)");
        return 1;
    }

    /** ADDRESS:PORT as a URL writes it: [::1]:8443 for IPv6. */
    static String hostAndPort(String bind, int port) {
        return (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port;
    }

    /** A message on one line: OpenSSL's text and file names may hold line breaks. */
    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\p{Cntrl}+", " ");
    }

    /** Starts the server of {@code options}; ticket events go to {@code events}, one line each. */
    static Running start(Options options, PrintStream events) throws IOException {
        SslContext.Builder builder = SslContext.forServer().protocols(options.min(), options.max())
                .serverSessionCache(false);
        if (options.cert() != null) {
            ServeFiles.Certificate certificate = ServeFiles.certificate(options);
            builder.certificate(certificate.certificatePem(), certificate.privateKeyPem(), certificate.password());
        } else {
            builder.selfSignedCertificate();
        }
        if (options.numTickets() != null) {
            builder.numTickets(options.numTickets());
        }
        SslContext context = builder.build();
        ServeKeys.Source keys = null;
        try {
            keys = ServeKeys.start(options.ticketKeys(), context, events);
            ServeKeys.Source installed = keys;
            installGenerationPolicy(context, options.generation(), events);
            AtomicReference<TlsServer> self = new AtomicReference<>(); // the handler's /stats reads its server
            TlsServer server = TlsServer.builder(context, connection -> respond(connection,
                            options.readTimeout(), () -> stats(self.get(), context, installed)))
                    .bind(InetAddress.getByName(options.bind())).port(options.port())
                    .handshakeTimeout(options.handshakeTimeout()).readTimeout(options.readTimeout())
                    .maxPerClient(options.maxPerClient())
                    .logger(new EventLogger(TlsServer.class.getName(), events)).start();
            self.set(server);
            return new Running(context, server, keys);
        } catch (IOException | RuntimeException e) {
            if (keys != null) {
                keys.close();
            }
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
            String decrypted = "ticket decrypted: connection " + seen.id + ", status " + status + ", key name "
                    + (keyName.length == 0 ? "-" : HexFormat.of().formatHex(keyName)) + ", app data " + seen.appData;
            TicketReturn decision = TicketReturn.defaultFor(status);
            String why = "OpenSSL's default";
            if (status.isSuccess() && !(seen.appData.equals(stamp) || seen.appData.startsWith(stamp + ";"))) {
                decision = TicketReturn.IGNORE_RENEW;
                why = "issued by another generation than " + generation;
            }
            seen.decision = decision.name();
            // Both lines in one write: this runs inside the handshake, while the client waits.
            event(events, decrypted + System.lineSeparator()
                    + "ticket return: connection " + seen.id + ", " + decision + " (" + why + ")");
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
