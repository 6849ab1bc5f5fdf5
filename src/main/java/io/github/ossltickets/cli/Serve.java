package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketDecryptor;
import io.github.ossltickets.TicketGenerator;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStats;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.cli.CommandLine.UsageException;
import io.github.ossltickets.net.TlsConnection;
import io.github.ossltickets.policy.TicketBinding;
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
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
            "  --cert FILE --key FILE  PEM certificate chain (the server's own, then its intermediates) and",
            "                        private key (default: a self-signed one for localhost)",
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
            "  --bind-tickets FIELDS tickets resume only where they were issued: any of sni,alpn,listener,cert",
            "                        (comma-separated); others get a full handshake, counted by reason in /stats",
            "  --listener-id ID      this listener's id for --bind-tickets listener (default serve)",
            "  --handshake-timeout S seconds a handshake may take, 1 to 3600 (default 10)",
            "  --read-timeout S      seconds a connection may stay silent between requests, 1 to 3600 (default 30)",
            "  --max-per-client N    connections open at once from one client address, 1 to 1000000 (default 256)",
            "  --max-workers-per-client N  workers (of 16) one client address holds at once, 1 to 16 (default 4);",
            "                        its other requests wait for one; behind a proxy, where every client has",
            "                        the proxy's address, raise it",
            "  --no-session-cache    turn off OpenSSL's server session cache, which resumes TLS 1.2 clients that",
            "                        send no ticket (curl); tickets still resume (default: the cache is on)",
            "  --quiet               no line per ticket or per request on stderr, as openssl s_server -quiet;",
            "                        errors, warnings and the counters on exit still print",
            "  --help                this text",
            "GET / gets 200 text/plain: protocol, resumed, resumed-from, ticket-status, ticket-return, ticket-appdata,",
            "tickets-issued, ticket-issued-appdata, and what each line means. GET /stats gives the counters, which",
            "are also printed on exit. Other paths get 404, other methods 405; HEAD gets the head alone.",
            "Exit status: 2 for a usage error, 1 when the server cannot start; Ctrl-C stops it.");

    /** The command line serve accepts; a new option is one more line here and one in {@link Options#parse}. */
    private static final CommandLine COMMAND_LINE = new CommandLine("serve")
            .flag("--help").alias("-h", "--help")
            .option("--port").option("--bind").option("--cert").option("--key")
            .option("--key-password-file").option("--key-password-env")
            .option("--tls").option("--num-tickets").option("--generation")
            .option("--bind-tickets").option("--listener-id")
            .option("--handshake-timeout").option("--read-timeout").option("--max-per-client")
            .option("--max-workers-per-client")
            .flag("--no-session-cache").flag("--quiet");

    static {
        ServeKeyOptions.declare(COMMAND_LINE); // the ticket-key options live with their parsing
    }

    /** The options, parsed and checked. Files are only named here; {@link ServeFiles} reads them. */
    record Options(int port, String bind, Path cert, Path key, TlsVersion min, TlsVersion max, Integer numTickets,
            ServeKeyOptions ticketKeys, String generation, Duration handshakeTimeout, Duration readTimeout,
            Path keyPasswordFile, String keyPasswordEnv, int maxPerClient, int maxWorkersPerClient, boolean sessionCache,
            Set<TicketBinding.Field> bindTickets, String listenerId, boolean quiet) {

        /**
         * The longest --generation. It goes into every ticket's app data, and a ticket whose app data
         * passes about 63,000 bytes is never issued: every handshake fails
         * (docs/openssl-behaviour.md#how-much-app-data-fits). A generation is a label; 1000 leaves
         * the ceiling far away on every OpenSSL 3.
         */
        static final int MAX_GENERATION_LENGTH = 1000;

        /** serve's workers (TlsServer's default), the most --max-workers-per-client can give one address. */
        static final int WORKERS = 16;

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
            int maxWorkersPerClient = number(given, "--max-workers-per-client", WORKERS / 4, 1, WORKERS);
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
            Set<TicketBinding.Field> bindTickets = bindTickets(given);
            String listenerId = given.value("--listener-id").orElse("serve");
            if (given.has("--listener-id") && bindTickets == null) {
                throw new UsageException("--listener-id is what --bind-tickets binds tickets to; give --bind-tickets"
                        + " listener (and any of sni,alpn,cert) too");
            }
            if (listenerId.isEmpty() || listenerId.length() > 255
                    || !listenerId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new UsageException("--listener-id takes 1 to 255 printable characters without spaces, not "
                        + CommandLine.shown(listenerId));
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
                    keyPasswordEnv, maxPerClient, maxWorkersPerClient, !given.has("--no-session-cache"), bindTickets, listenerId,
                    given.has("--quiet"));
        }

        /** --bind-tickets sni,alpn,listener,cert: the fields, or null when not given. */
        private static Set<TicketBinding.Field> bindTickets(CommandLine.Parsed given) throws UsageException {
            String value = given.value("--bind-tickets").orElse(null);
            if (value == null) {
                return null;
            }
            Set<TicketBinding.Field> fields = EnumSet.noneOf(TicketBinding.Field.class);
            for (String name : value.split(",", -1)) {
                try {
                    fields.add(TicketBinding.Field.fromOptionName(name.trim()));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--bind-tickets: " + e.getMessage() + ", comma-separated, not "
                            + CommandLine.shown(value));
                }
            }
            return fields;
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
        /** The decrypt callback told OpenSSL to resume with the ticket, in this handshake. */
        boolean ticketAccepted;
        /** "ticket" or "cache" once a resumed handshake is done; "-" otherwise. */
        volatile String resumedFrom = "-";

        Seen(long id) {
            this.id = id;
        }
    }

    /** A running server: its port, its counters, and close() to stop it. */
    static final class Running implements AutoCloseable {
        private final SslContext context;
        private final TlsServer server;
        private final ServeKeys.Source keys;
        private final Resumptions resumptions;
        private final TicketBinding binding;

        private Running(SslContext context, TlsServer server, ServeKeys.Source keys, Resumptions resumptions,
                TicketBinding binding) {
            this.context = context;
            this.server = server;
            this.keys = keys;
            this.resumptions = resumptions;
            this.binding = binding;
        }

        boolean isRunning() {
            return server.isRunning();
        }

        int port() {
            return server.port();
        }

        String stats() {
            return Serve.stats(server, context, keys, resumptions, binding);
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

    /**
     * Resumed handshakes by where the session came from: a ticket the decrypt callback accepted in that
     * handshake, or else OpenSSL's session cache (a TLS 1.2 client that offered a session ID and no ticket).
     */
    private static final class Resumptions {
        final LongAdder fromTicket = new LongAdder();
        final LongAdder fromCache = new LongAdder();

        /** The handshake listener: runs on the selector thread once per completed handshake. */
        void handshakeDone(Ssl ssl) {
            if (!ssl.isSessionReused()) {
                return;
            }
            Seen seen = seen(ssl);
            seen.resumedFrom = seen.ticketAccepted ? "ticket" : "cache";
            (seen.ticketAccepted ? fromTicket : fromCache).increment();
        }
    }

    /** The counters, as GET /stats shows them. */
    private static String stats(TlsServer server, SslContext context, ServeKeys.Source keys, Resumptions resumptions,
            TicketBinding binding) {
        TlsServer.Stats connections = server.stats();
        TicketStats tickets = context.ticketStats();
        StringBuilder text = new StringBuilder()
                .append("handshakes: ").append(connections.handshakes()).append('\n')
                .append("resumptions: ").append(connections.resumptions()).append('\n')
                .append("resumptions-from-ticket: ").append(resumptions.fromTicket.sum()).append('\n')
                .append("resumptions-from-cache: ").append(resumptions.fromCache.sum()).append('\n')
                .append("tickets-issued: ").append(tickets.ticketsGenerated()).append('\n');
        tickets.decryptsByStatus().forEach((status, count) ->
                text.append("decrypts-").append(status).append(": ").append(count).append('\n'));
        tickets.returnsByKind().forEach((kind, count) ->
                text.append("returns-").append(kind).append(": ").append(count).append('\n'));
        return text.append("callback-failures: ").append(tickets.callbackFailures()).append('\n')
                .append("connections-accepted: ").append(connections.connectionsAccepted()).append('\n')
                .append("connections-refused: ").append(connections.connectionsRefused()).append('\n')
                .append("connections-failed: ").append(connections.connectionsFailed()).append('\n')
                .append("connections-abandoned: ").append(connections.connectionsAbandoned()).append('\n')
                .append("connections-refused-per-client: ").append(connections.connectionsRefusedPerClient()).append('\n')
                .append("connections-queued-per-client: ").append(connections.connectionsQueuedPerClient()).append('\n')
                .append("connections-evicted: ").append(connections.connectionsEvicted()).append('\n')
                .append("connections-timed-out: ").append(connections.connectionsTimedOut()).append('\n')
                .append("connections-open: ").append(connections.connectionsOpen()).append('\n')
                .append(bindingStats(binding))
                .append(ServeKeys.stats(keys, context))
                .toString();
    }

    /** --bind-tickets: tickets bound, accepted, and refused by reason ("tickets-refused-server-name: 2"). */
    private static String bindingStats(TicketBinding binding) {
        if (binding == null) {
            return "";
        }
        TicketBinding.Stats stats = binding.stats();
        StringBuilder text = new StringBuilder()
                .append("tickets-bound: ").append(stats.issued()).append('\n')
                .append("tickets-binding-accepted: ").append(stats.accepted()).append('\n');
        stats.refused().forEach((reason, count) -> text.append("tickets-refused-")
                .append(reason.name().toLowerCase(Locale.ROOT).replace('_', '-')).append(": ").append(count).append('\n'));
        return text.toString();
    }

    /** java.util.logging's format: the key watcher and Redis warn through System.Logger, which goes there. */
    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    /** Runs the command until the JVM is stopped (0) or the server dies (1); returns 2 for bad options, 1 for a failed start. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (System.getProperty(LOG_FORMAT) == null) { // its default takes two lines, a date first: one, as serve's own
            System.setProperty(LOG_FORMAT, "%4$s: %5$s%6$s%n");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() == null) {
                out.println(USAGE);
                return out.checkError() ? Main.outputFailed("serve", out, err) : 0; // as every command does
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
        if (out.checkError()) { // the banner was not written: end as every command does when stdout fails
            running.close();
            return Main.outputFailed("serve", out, err);
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

    /**
     * Starts the server of {@code options}; ticket events go to {@code events}, one line each, unless
     * --quiet: then only errors and warnings do.
     */
    static Running start(Options options, PrintStream events) throws IOException {
        PrintStream perConnection = options.quiet() ? null : events; // null: no line is even built
        SslContext.Builder builder = SslContext.forServer().protocols(options.min(), options.max())
                // nginx too keeps a cache beside the tickets. Not with --bind-tickets: a TLS 1.2 client that
                // offers a cached session ID resumes with no decrypt callback, so past the binding.
                .serverSessionCache(options.sessionCache() && options.bindTickets() == null);
        if (options.cert() != null) {
            ServeFiles.Certificate certificate = ServeFiles.certificate(options);
            builder.certificate(certificate.certificatePem(), certificate.privateKeyPem(), certificate.password());
        } else {
            builder.selfSignedCertificate();
        }
        if (options.numTickets() != null) {
            builder.numTickets(options.numTickets());
        }
        if (options.bindTickets() != null) {
            builder.alpnProtocols("http/1.1"); // what this server speaks, so that a ticket has a protocol to bind
        }
        SslContext context = builder.build();
        ServeKeys.Source keys = null;
        try {
            // A browser closes without close_notify: that ends the connection, not in error, and keeps its
            // session cached. HTTP/1.1 framing (Content-Length, a whole request head) catches truncation.
            context.setOptions(SslContext.OP_IGNORE_UNEXPECTED_EOF);
            keys = ServeKeys.start(options.ticketKeys(), context, events);
            ServeKeys.Source installed = keys;
            TicketBinding binding = options.bindTickets() == null ? null : TicketBinding.builder()
                    .listenerId(options.listenerId()).bind(options.bindTickets()).build();
            installGenerationPolicy(context, options.generation(), binding, perConnection);
            AtomicReference<TlsServer> self = new AtomicReference<>(); // the handler's /stats reads its server
            Resumptions resumptions = new Resumptions();
            TlsServer server = TlsServer.builder(context, connection -> respond(connection,
                            options.readTimeout(), () -> stats(self.get(), context, installed, resumptions, binding),
                            perConnection))
                    .handshakeListener(resumptions::handshakeDone)
                    .bind(InetAddress.getByName(options.bind())).port(options.port())
                    .handshakeTimeout(options.handshakeTimeout()).readTimeout(options.readTimeout())
                    .workers(Options.WORKERS).maxPerClient(options.maxPerClient())
                    .maxWorkersPerClient(options.maxWorkersPerClient())
                    .logger(new EventLogger(TlsServer.class.getName(), events)).build();
            self.set(server);
            return new Running(context, server, keys, resumptions, binding);
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

    /**
     * The generation check, inside {@code binding} when --bind-tickets is given: the binding refuses
     * tickets issued elsewhere before this decryptor sees them, and keeps this app data as its user payload.
     * {@code events} is null with --quiet: then no event line is built.
     */
    private static void installGenerationPolicy(SslContext context, String generation, TicketBinding binding,
            PrintStream events) {
        String stamp = "generation=" + generation;
        TicketGenerator generator = (ssl, session) -> {
            Seen seen = seen(ssl);
            String appData = stamp + ";ticket=" + TICKETS.incrementAndGet();
            session.setTicketAppData(appData.getBytes(StandardCharsets.US_ASCII));
            seen.ticketsIssued++;
            seen.issuedAppData = appData;
            if (events != null) {
                event(events, "ticket issued: connection " + seen.id + ", app data " + appData);
            }
            return true;
        };
        TicketDecryptor decryptor = (ssl, session, keyName, status) -> {
            Seen seen = seen(ssl);
            seen.status = status.name();
            seen.appData = session.map(Serve::appData).orElse("-");
            TicketReturn decision = TicketReturn.defaultFor(status);
            String why = "OpenSSL's default";
            if (status.isSuccess() && !(seen.appData.equals(stamp) || seen.appData.startsWith(stamp + ";"))) {
                decision = TicketReturn.IGNORE_RENEW;
                why = "issued by another generation than " + generation;
            }
            seen.decision = decision.name();
            seen.ticketAccepted = decision.resumes();
            if (events != null) { // both lines in one write: this runs inside the handshake, while the client waits
                event(events, "ticket decrypted: connection " + seen.id + ", status " + status + ", key name "
                        + (keyName.length == 0 ? "-" : HexFormat.of().formatHex(keyName)) + ", app data "
                        + seen.appData + System.lineSeparator()
                        + "ticket return: connection " + seen.id + ", " + decision + " (" + why + ")");
            }
            return decision;
        };
        if (binding == null) {
            context.setTicketCallbacks(generator, decryptor, TicketReturn.IGNORE_RENEW);
            return;
        }
        TicketDecryptor bound = binding.decryptor(decryptor);
        TicketDecryptor refusalsLogged = (ssl, session, keyName, status) -> {
            TicketReturn decision = bound.decide(ssl, session, keyName, status);
            Optional<TicketBinding.Refusal> refusal = TicketBinding.refusal(ssl);
            if (refusal.isPresent()) {
                Seen seen = seen(ssl);
                seen.status = status.name();
                seen.decision = decision.name();
                seen.ticketAccepted = decision.resumes();
                if (events != null) {
                    event(events, "ticket return: connection " + seen.id + ", " + decision + " (refused by"
                            + " --bind-tickets: " + refusal.get() + ")");
                }
            }
            return decision;
        };
        context.setClientHelloCallback(binding.clientHelloCallback(null));
        context.setTicketCallbacks(binding.generator(generator), refusalsLogged, TicketReturn.IGNORE_RENEW);
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

    /**
     * Answers the connection's requests: GET and HEAD of / and /stats; 404 for other paths, 405 for other
     * methods, and 400, 413, 431 or 501 (then a close) for requests serve cannot frame. Each answer but
     * 200 is an event line, so that a client's mistake shows on stderr; none with --quiet ({@code events} null).
     */
    private static void respond(TlsConnection connection, Duration maxRequestTime, Supplier<String> stats,
            PrintStream events) throws IOException {
        HttpRequests requests = new HttpRequests(connection, maxRequestTime);
        while (true) {
            HttpRequests.Request request;
            try {
                request = requests.next();
            } catch (HttpRequests.BadRequest e) {
                String reason = switch (e.status) {
                    case 431 -> "Request Header Fields Too Large";
                    case 413 -> "Content Too Large";
                    case 501 -> "Not Implemented";
                    default -> "Bad Request";
                };
                httpEvent(events, connection, e.status, reason, e.getMessage());
                requests.respond(e.status, reason, e.getMessage() + "\n", false);
                return;
            }
            if (request == null) {
                return;
            }
            String path = request.path().replaceFirst("[?#].*", "");
            String shown = request.method() + " " + HttpRequests.printable(request.path());
            boolean head = request.method().equals("HEAD");
            if (!head && !request.method().equals("GET")) {
                httpEvent(events, connection, 405, "Method Not Allowed", shown);
                requests.respond(405, "Method Not Allowed", "405: serve answers GET and HEAD only\n",
                        request.keepAlive(), true, "Allow: GET, HEAD\r\n");
            } else if (path.equals("/") || path.equals("/stats")) {
                requests.respond(200, "OK", path.equals("/") ? describe(connection.ssl()) : stats.get(),
                        request.keepAlive(), !head, "");
            } else {
                httpEvent(events, connection, 404, "Not Found", shown);
                requests.respond(404, "Not Found", "404: serve has no page " + HttpRequests.printable(path)
                        + "; GET / shows this connection's ticket, GET /stats the counters\n", request.keepAlive(),
                        !head, "");
            }
            if (!request.keepAlive()) {
                return;
            }
        }
    }

    /** "http 404 Not Found: connection 7, GET /nope": one line per answer that is not 200. */
    private static void httpEvent(PrintStream events, TlsConnection connection, int status, String reason,
            String what) {
        if (events == null) {
            return; // --quiet
        }
        event(events, "http " + status + " " + reason + ": connection " + seen(connection.ssl()).id + ", "
                + HttpRequests.printable(what));
    }

    /** The response body: what happened to the ticket on this connection, then what each line means. */
    private static String describe(Ssl ssl) {
        Seen seen = seen(ssl);
        return "protocol: " + ssl.protocolVersion() + "\n"
                + "resumed: " + (ssl.isSessionReused() ? "yes" : "no") + "\n"
                + "resumed-from: " + seen.resumedFrom + "\n"
                + "ticket-status: " + seen.status + "\n"
                + "ticket-return: " + seen.decision + "\n"
                + "ticket-appdata: " + seen.appData + "\n"
                + "tickets-issued: " + seen.ticketsIssued + "\n"
                + "ticket-issued-appdata: " + seen.issuedAppData + "\n"
                + LEGEND;
    }

    /** Below the fields of GET /: each line in words. Its lines hold no ": ", so scripts that split fields skip them. */
    static final String LEGEND = String.join("\n",
            "",
            "What these lines mean (all about this connection's TLS handshake):",
            "  protocol               the TLS version this connection uses",
            "  resumed                yes when the handshake was a resumption, in which the browser or client",
            "                         proved it holds the secret of an earlier connection to this server and",
            "                         skipped the certificate and key exchange; no for a full handshake",
            "  resumed-from           ticket when the client offered a session ticket (an encrypted copy of the",
            "                         earlier session that only this server can open) and the server accepted",
            "                         it; cache when a TLS 1.2 client offered only a session ID, found in the",
            "                         server's session cache; a dash when not resumed",
            "  ticket-status          what OpenSSL found in the ticket the client offered (EMPTY, NO_DECRYPT,",
            "                         SUCCESS, SUCCESS_RENEW)",
            "  ticket-return          what the server's policy told OpenSSL to do with that ticket (USE,",
            "                         USE_RENEW, IGNORE_RENEW...); a ticket of another --generation is refused",
            "  ticket-appdata         the app data the server had sealed into the offered ticket",
            "  tickets-issued         how many new tickets the server sent on this connection",
            "  ticket-issued-appdata  the app data sealed into the newest ticket sent",
            "A dash (-) means there is nothing to show - no ticket was offered, no callback ran, or nothing was",
            "issued on this connection. A browser keeps its connection open and shows the same values on each",
            "reload; once serve closes it (after --read-timeout seconds of silence), the next reload makes a new",
            "connection, which resumes with a ticket from this one.",
            "");

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
