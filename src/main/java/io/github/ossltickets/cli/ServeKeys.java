package io.github.ossltickets.cli;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TicketKeyStats;
import io.github.ossltickets.keys.KeyFileWatcher;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.RotatingKeyRing;
import io.github.ossltickets.keys.TicketKeyRing;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Serve's ticket keys: starts the source {@link ServeKeyOptions} names, installs its
 * {@link TicketKeyRing} on the context, and writes the source's lines of /stats, never key material:
 * key names (which tickets carry in clear) and counters only.
 */
final class ServeKeys {
    private ServeKeys() {}

    /**
     * How often key files are re-read without a file event. A file event (rename, rewrite, a Kubernetes
     * ..data swap in the watched directory) wakes the watcher at once; the poll catches what the events
     * miss, such as a change behind a symbolic link into another directory.
     */
    static final Duration FILE_POLL_INTERVAL = Duration.ofSeconds(2);

    /** A running source of ticket keys: what it holds, its /stats lines, and close() to stop its thread. */
    interface Source extends AutoCloseable {
        /** As /stats names it: files, rotation, redis or openssl. */
        String name();

        /** The ring installed on the context; null for OpenSSL's own keys. */
        TicketKeyRing ring();

        /** The source's own /stats lines, after key-source. */
        void appendStats(StringBuilder text);

        /** Stops the source's thread and connection; the ring keeps its keys. Never throws. */
        @Override
        void close();
    }

    /**
     * Starts the source of {@code options} and installs its ring on {@code context}.
     *
     * @param events where serve writes its events: a line for each set of keys loaded from files
     * @throws IOException naming the option and what is wrong, if the keys cannot be had now: serve
     *     never starts without keys
     */
    static Source start(ServeKeyOptions options, SslContext context, PrintStream events) throws IOException {
        Source source;
        if (options.redis() != null) {
            source = redis(options);
        } else if (!options.files().isEmpty()) {
            source = Files.start(options, events);
        } else if (options.rotation() != null) {
            source = new Rotation(RotatingKeyRing.start(options.rotation()));
        } else {
            return OPENSSL;
        }
        try {
            context.setTicketKeyCallback(source.ring());
            return source;
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /**
     * The Redis source, from a class loaded only here, so that serve runs without Jedis on the class path
     * unless --redis is given.
     */
    private static Source redis(ServeKeyOptions options) throws IOException {
        try {
            Class.forName("redis.clients.jedis.Jedis", false, ServeKeys.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IOException("--redis needs the Jedis client (redis.clients:jedis) and its dependencies on the"
                    + " class path, and they are not there; java -jar ossl-tickets.jar finds them in lib/ beside it;"
                    + " on the module path, add the Jedis jar and its dependencies to --module-path and give"
                    + " --add-modules redis.clients.jedis");
        }
        return ServeRedis.start(options);
    }

    /** The /stats lines of the keys: the source, its own lines, then the counters of each key the ring holds. */
    static String stats(Source source, SslContext context) {
        StringBuilder text = new StringBuilder("key-source: ").append(source.name()).append('\n');
        source.appendStats(text);
        TicketKeyRing ring = source.ring();
        if (ring == null) {
            return text.toString();
        }
        TicketKeyStats counted = context.ticketKeyStats();
        KeySet keys = ring.keys();
        text.append("key-active: ").append(hex(keys.active())).append('\n');
        for (TicketKey key : keys.all()) { // the keys held now: active, next, previous
            TicketKeyStats.KeyUse use = counted.of(hex(key));
            text.append("key ").append(hex(key)).append(": sealed ").append(use.sealed()).append(" opened ")
                    .append(use.opened()).append(" renewed ").append(use.renewed()).append('\n');
        }
        return text.append("keys-unknown-name: ").append(counted.unknownName()).append('\n').toString();
    }

    /** A key's name in lower-case hex: what tickets carry in clear, never the key material. */
    private static String hex(TicketKey key) {
        return HexFormat.of().formatHex(key.name());
    }

    /** No option: OpenSSL's own random keys, made when the context is, as before key rings. */
    private static final Source OPENSSL = new Source() {
        @Override
        public String name() {
            return "openssl";
        }

        @Override
        public TicketKeyRing ring() {
            return null;
        }

        @Override
        public void appendStats(StringBuilder text) {
        }

        @Override
        public void close() {
        }
    };

    /** --ticket-keys: files watched and reloaded live; a bad replacement keeps the keys in use. */
    private static final class Files implements Source {
        private final TicketKeyRing ring;
        private final KeyFileWatcher watcher;

        private Files(TicketKeyRing ring, KeyFileWatcher watcher) {
            this.ring = ring;
            this.watcher = watcher;
        }

        static Files start(ServeKeyOptions options, PrintStream events) throws IOException {
            // The watcher hands over the first set before it returns: the ring is made from that one.
            AtomicReference<TicketKeyRing> ring = new AtomicReference<>();
            Consumer<KeySet> install = keys -> {
                if (ring.get() == null) {
                    ring.set(TicketKeyRing.of(keys));
                } else {
                    ring.get().update(keys);
                }
                synchronized (events) {
                    events.println("ticket keys from " + options.files() + ": " + keys);
                }
            };
            try {
                KeyFileWatcher watcher = startWatcher(options, install, ring);
                return new Files(ring.get(), watcher);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("--ticket-keys: " + e.getMessage(), e);
            }
        }

        private static KeyFileWatcher startWatcher(ServeKeyOptions options, Consumer<KeySet> install,
                AtomicReference<TicketKeyRing> ring) throws IOException {
            KeyFileWatcher watcher = KeyFileWatcher.start(options.files(), options.format(), install,
                    FILE_POLL_INTERVAL);
            if (ring.get() == null) { // the watcher's contract; never serve with no keys
                watcher.close();
                throw new IllegalStateException("the key file watcher started without keys");
            }
            return watcher;
        }

        @Override
        public String name() {
            return "files";
        }

        @Override
        public TicketKeyRing ring() {
            return ring;
        }

        @Override
        public void appendStats(StringBuilder text) {
            text.append("key-reloads: ").append(watcher.reloads()).append('\n')
                    .append("key-reload-failures: ").append(watcher.failedReloads()).append('\n');
            watcher.lastError().ifPresent(error ->
                    text.append("key-reload-error: ").append(error.replaceAll("\\p{Cntrl}+", " ")).append('\n'));
        }

        @Override
        public void close() {
            watcher.close();
        }
    }

    /** --rotate alone: a new random key every period, in this process only. */
    private record Rotation(RotatingKeyRing rotating) implements Source {
        @Override
        public String name() {
            return "rotation";
        }

        @Override
        public TicketKeyRing ring() {
            return rotating.ring();
        }

        @Override
        public void appendStats(StringBuilder text) {
        }

        @Override
        public void close() {
            rotating.close();
        }
    }
}
