package io.github.ossltickets.redis;

import io.github.ossltickets.SmallFiles;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.KeySchedule;
import io.github.ossltickets.keys.RotationPolicy;
import io.github.ossltickets.keys.ScheduledKey;
import io.github.ossltickets.keys.TicketKeyRing;
import redis.clients.jedis.exceptions.JedisException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Ticket keys shared by a fleet through Redis: every server polls one Redis key holding the
 * {@link KeySchedule} ({@link KeySchedule#toBytes}), installs the keys in force in its own
 * {@link TicketKeyRing}, and whichever server first finds a rotation due publishes the next key, with
 * an atomic compare-and-set (a Lua script), so that two servers never publish two different keys: the
 * loser reads the winner's schedule instead. Each new key is published {@link RotationPolicy#publishAhead()}
 * before it seals, so every server holds it before any server seals with it.
 *
 * <pre>{@code
 * RedisTicketKeys keys = RedisTicketKeys.builder("rediss://ossl-tickets:PASSWORD@redis.internal:6380")
 *         .policy(RotationPolicy.defaults())
 *         .start();                                 // refuses to start if Redis cannot be read
 * context.setTicketKeyCallback(keys.ring());
 * ...
 * keys.close();                                     // stops polling; the ring keeps its keys
 * }</pre>
 *
 * <p><b>When Redis fails</b> (unreachable, refusing the password, or not allowing the commands), the
 * servers keep serving with the keys they hold and switch keys on the schedule they hold; rotation
 * pauses. The first failed poll of an outage is logged at WARNING through {@link System.Logger} (name
 * {@code io.github.ossltickets.redis}) and counted in {@link RedisKeysStats#outages()}; the next poll that
 * succeeds logs at INFO and rotation resumes. If Redis comes back empty (a restart without persistence),
 * the first server to see it publishes the schedule it holds, so the fleet keeps its keys.
 *
 * <p><b>A value this class did not write</b> (garbage, another encoding version, more than
 * 64 KiB, not a string) is never read whole, never overwritten, and
 * never empties the ring: the server keeps its keys, counts it ({@link RedisKeysStats#refusedValues()})
 * and logs it at WARNING, once until the value changes.
 *
 * <p>Threads: one daemon thread polls; {@link #ring()} is read by handshakes without locks.
 */
public final class RedisTicketKeys implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.github.ossltickets.redis");
    /** Publishing retries in one poll when other servers keep winning: each loss means a fresh schedule. */
    private static final int PUBLISH_ATTEMPTS = 3;

    private final RedisKeyStore store;
    private final byte[] redisKey;
    private final String where; // the URI without its password, and the key
    private final RotationPolicy policy;
    private final Duration pollInterval;
    private final Clock clock;
    private final Supplier<TicketKey> newKeys;
    private final ScheduledExecutorService poller;
    private final Object pollLock = new Object();
    private final TicketKeyRing ring;

    // Guarded by pollLock; volatile so that schedule() and stats() read them from any thread.
    private volatile KeySchedule schedule;
    private volatile boolean redisAvailable = true;
    private String refusalReported; // the last refused value's reason, logged once
    private boolean noActiveKeyReported;
    private volatile boolean closed;

    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong failedPolls = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong lostRaces = new AtomicLong();
    private final AtomicLong refusedValues = new AtomicLong();

    private RedisTicketKeys(Builder builder) {
        this.store = new RedisKeyStore(builder.uri, builder.timeout, builder.sslSocketFactory);
        this.redisKey = builder.key.getBytes(StandardCharsets.UTF_8);
        this.where = store.description() + " key \"" + builder.key + "\"";
        this.policy = builder.policy;
        this.pollInterval = builder.pollInterval;
        this.clock = builder.clock;
        this.newKeys = builder.newKeys;
        try {
            this.ring = firstRing(builder);
        } catch (RuntimeException | Error e) {
            store.close(); // a start that fails leaves no connection open
            throw e;
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ossl-tickets-redis-keys");
            thread.setDaemon(true);
            return thread;
        });
        poller.schedule(this::tick, delayMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads (or publishes) the first schedule, or falls back to local keys if allowed. */
    private TicketKeyRing firstRing(Builder builder) {
        Instant now = clock.instant();
        KeySchedule first;
        synchronized (pollLock) {
            polls.incrementAndGet();
            try {
                first = synchronize(now, null);
            } catch (JedisException | RefusedValueException e) {
                if (!builder.fallbackToLocalKeys) {
                    throw new RedisUnavailableException("cannot start with ticket keys from Redis at " + where
                            + ": " + reason(e) + "; start Redis or fix the value, or allow local keys with"
                            + " fallbackToLocalKeys(true)", e);
                }
                countFailure(e);
                first = KeySchedule.empty().rotatedIfDue(now, policy, newKeys);
                LOG.log(System.Logger.Level.WARNING, "serving with local ticket keys until Redis at {0} can be"
                        + " used; servers that use Redis do not open this server''s tickets", where);
            }
            this.schedule = first;
            return TicketKeyRing.of(first.keySetAt(now));
        }
    }

    /**
     * A builder for keys shared through the Redis at {@code uri}: {@code redis://host:port/db} or, with
     * TLS, {@code rediss://}; a password as {@code redis://:PASSWORD@host}, an ACL user as
     * {@code redis://USER:PASSWORD@host} (percent-encode reserved characters). The port defaults to 6379.
     *
     * @throws IllegalArgumentException if {@code uri} is not such a URI; the message never repeats the password
     */
    public static Builder builder(String uri) {
        Objects.requireNonNull(uri, "uri");
        try {
            return builder(new URI(uri));
        } catch (URISyntaxException e) {
            // The input may hold a password: name only where it is wrong.
            throw new IllegalArgumentException("not a Redis URI: " + e.getReason() + " at index " + e.getIndex(), null);
        }
    }

    /** {@link #builder(String)} with a parsed URI. */
    public static Builder builder(URI uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    /** The ring to install ({@code SslContext.setTicketKeyCallback}); its keys follow Redis. */
    public TicketKeyRing ring() {
        return ring;
    }

    /** The schedule this server holds: Redis's as last read, or its local one (fallback). */
    public KeySchedule schedule() {
        return schedule;
    }

    /** Counters and whether the last poll could use Redis. */
    public RedisKeysStats stats() {
        return new RedisKeysStats(polls.get(), failedPolls.get(), outages.get(), published.get(), lostRaces.get(),
                refusedValues.get(), redisAvailable);
    }

    /**
     * Polls now, on the calling thread, as the poller does every poll interval: reads Redis, publishes a
     * rotation if one is due, and installs the keys in force. Never throws for Redis's failures: they are
     * counted and logged as described above.
     *
     * @return true if Redis answered with a usable schedule
     * @throws IllegalStateException after {@link #close()}: polling would open a connection nothing closes
     */
    public boolean pollNow() {
        synchronized (pollLock) {
            if (closed) {
                throw new IllegalStateException("this RedisTicketKeys for " + where + " was closed; it polls no more");
            }
            Instant now = clock.instant();
            polls.incrementAndGet();
            try {
                schedule = synchronize(now, schedule);
                installAt(now);
                if (!redisAvailable) {
                    redisAvailable = true;
                    LOG.log(System.Logger.Level.INFO, "Redis at {0} answers again; rotation resumes", where);
                }
                refusalReported = null;
                return true;
            } catch (JedisException | RefusedValueException e) {
                countFailure(e);
                installAt(now);
                return false;
            }
        }
    }

    /** Stops polling and closes the connection. The ring keeps the keys it holds. */
    @Override
    public void close() {
        closed = true;
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (pollLock) {
            store.close();
        }
    }

    /**
     * Reads the shared schedule, publishes a rotation if one is due, and returns the schedule now in
     * Redis. An absent key is filled with {@code held} (a Redis restarted empty keeps the fleet's keys)
     * or, at a first start, with a new schedule.
     */
    private KeySchedule synchronize(Instant now, KeySchedule held) {
        for (int attempt = 1; ; attempt++) {
            RedisKeyStore.Value value = store.read(redisKey);
            KeySchedule shared = decode(value);
            KeySchedule base = shared != null ? shared : held != null ? held : KeySchedule.empty();
            KeySchedule wanted;
            try {
                wanted = withHeadStart(base, base.rotatedIfDue(now, policy, newKeys), now);
            } catch (RuntimeException e) {
                if (shared == null) {
                    throw e; // the schedule held or a new one: not Redis's value
                }
                // A well-formed schedule that cannot be rotated is refused like a malformed one.
                throw new RefusedValueException("a schedule this server cannot rotate (" + e + ")");
            }
            if (shared != null && wanted == shared) {
                return shared; // nothing due
            }
            if (store.compareAndSet(redisKey, value.bytes(), wanted.toBytes())) {
                published.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "published ticket keys to Redis at {0}: {1}", where, wanted);
                return wanted;
            }
            lostRaces.incrementAndGet(); // another server published first: use what it wrote
            if (attempt == PUBLISH_ATTEMPTS) {
                return decodeOrHeld(store.read(redisKey), held);
            }
        }
    }

    /**
     * A key published late (after an outage, its publication time passed) would seal at once, before
     * the other servers read it, and they would not open its tickets: while a key still seals, a new key
     * starts no sooner than {@code publishAhead} from now. Only when no key may seal does one start now.
     */
    private KeySchedule withHeadStart(KeySchedule base, KeySchedule wanted, Instant now) {
        if (wanted == base || !base.hasActiveKeyAt(now)) {
            return wanted;
        }
        Instant earliest = now.plus(policy.publishAhead());
        List<ScheduledKey> keys = new ArrayList<>(wanted.keys().size());
        boolean moved = false;
        for (ScheduledKey key : wanted.keys()) {
            if (key.encryptsFrom().isBefore(earliest) && isNew(key, base)) {
                Duration delay = Duration.between(key.encryptsFrom(), earliest);
                keys.add(new ScheduledKey(key.key(), earliest, key.expiresAt().plus(delay)));
                moved = true;
            } else {
                keys.add(key);
            }
        }
        return moved ? KeySchedule.of(keys) : wanted;
    }

    private static boolean isNew(ScheduledKey key, KeySchedule base) {
        byte[] name = key.key().name();
        return base.keys().stream().noneMatch(old -> old.key().hasName(name));
    }

    private KeySchedule decodeOrHeld(RedisKeyStore.Value value, KeySchedule held) {
        KeySchedule shared = decode(value);
        if (shared != null) {
            return shared;
        }
        if (held == null) {
            throw new RefusedValueException("the key was deleted while servers published to it");
        }
        return held;
    }

    /** The schedule a value holds, null if absent; refuses what is not a schedule this version reads. */
    private static KeySchedule decode(RedisKeyStore.Value value) {
        switch (value.kind()) {
            case ABSENT:
                return null;
            case WRONG_TYPE:
                throw new RefusedValueException("it holds a Redis " + value.detail() + ", not a string");
            case TOO_LONG:
                throw new RefusedValueException("it holds " + value.detail() + " bytes, over the "
                        + RedisKeyStore.MAX_VALUE_BYTES + " a key schedule may take");
            default:
                try {
                    return KeySchedule.fromBytes(value.bytes());
                } catch (IllegalArgumentException e) {
                    throw new RefusedValueException(e.getMessage());
                }
        }
    }

    /** Installs the keys in force at {@code now} from the schedule held; never empties the ring. */
    private void installAt(Instant now) {
        KeySchedule held = schedule;
        if (held.hasActiveKeyAt(now)) {
            ring.update(held.keySetAt(now));
            noActiveKeyReported = false;
        } else if (!noActiveKeyReported) {
            noActiveKeyReported = true;
            LOG.log(System.Logger.Level.WARNING, "no ticket key of the schedule held may seal at {0} (Redis at {1}"
                    + " cannot be used); the keys in use stay until it can", now, where);
        }
    }

    private void countFailure(RuntimeException e) {
        if (e instanceof RefusedValueException) {
            refusedValues.incrementAndGet();
            if (!e.getMessage().equals(refusalReported)) {
                refusalReported = e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "Redis at {0} holds a value that is not a key schedule this"
                        + " version reads ({1}); keeping the keys in use, not rotating and not overwriting it",
                        where, e.getMessage());
            }
            return;
        }
        failedPolls.incrementAndGet();
        store.disconnect();
        if (redisAvailable) {
            redisAvailable = false;
            outages.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "Redis at {0} cannot be used ({1}); serving with the ticket keys"
                    + " held and pausing rotation until it answers", where, reason(e));
        }
    }

    private static String reason(RuntimeException e) {
        if (e instanceof RefusedValueException) {
            return "the value is not a key schedule: " + e.getMessage();
        }
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && out.indexOf(message) < 0) { // clients repeat their cause's message
                out.append(": ").append(message);
            }
        }
        return out.toString();
    }

    private void tick() {
        try {
            if (!closed) {
                pollNow();
            }
        } catch (RuntimeException e) {
            if (closed) {
                return; // close() came first: the poll was refused, and nothing is wrong
            }
            // Not Redis's failure (pollNow handles those): a bug or a failing key supplier. Keep polling.
            LOG.log(System.Logger.Level.ERROR, "polling Redis at " + where + " failed", e);
        } finally {
            if (!closed) {
                poller.schedule(this::tick, delayMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Until the next poll: the poll interval, or sooner if the keys in force change before it. */
    private long delayMillis() {
        Instant now = clock.instant();
        Duration delay = pollInterval;
        Optional<Instant> change = schedule.nextChange(now);
        if (change.isPresent() && Duration.between(now, change.get()).compareTo(delay) < 0) {
            delay = Duration.between(now, change.get());
        }
        return Math.max(1, delay.toMillis() + 1);
    }

    /** A value in Redis that is not a key schedule this version reads. */
    private static final class RefusedValueException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedValueException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Settings for {@link RedisTicketKeys}; {@link #start()} connects. */
    public static final class Builder {
        private final URI uri;
        private String key = "ossl-tickets:ticket-keys";
        private RotationPolicy policy = RotationPolicy.defaults();
        private Duration pollInterval = Duration.ofSeconds(10);
        private Duration timeout = Duration.ofSeconds(2);
        private Clock clock = Clock.systemUTC();
        private Supplier<TicketKey> newKeys = TicketKey::random;
        private SSLSocketFactory sslSocketFactory;
        private boolean fallbackToLocalKeys;

        private Builder(URI uri) {
            this.uri = uri;
        }

        /** The Redis key holding the schedule; default {@code ossl-tickets:ticket-keys}. */
        public Builder key(String key) {
            if (Objects.requireNonNull(key, "key").isEmpty()) {
                throw new IllegalArgumentException("the Redis key cannot be empty");
            }
            this.key = key;
            return this;
        }

        /** Rotation period, head start and retention; default {@link RotationPolicy#defaults()}. */
        public Builder policy(RotationPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How often each server reads Redis; default 10 seconds. It must be at most a third of the
         * policy's {@code publishAhead}, so that every server reads a new key well before it seals.
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "the poll interval");
            return this;
        }

        /** How long one connect or command may wait for Redis; default 2 seconds. */
        public Builder timeout(Duration timeout) {
            positive(timeout, "the Redis timeout");
            if (timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the Redis timeout is too long: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** The clock that says when keys rotate; default {@link Clock#systemUTC()}. For tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where new keys come from; default {@link TicketKey#random()} (AES-256). */
        public Builder newKeys(Supplier<TicketKey> newKeys) {
            this.newKeys = Objects.requireNonNull(newKeys, "newKeys");
            return this;
        }

        /** The TLS sockets for {@code rediss://}; default the JDK's, which trust the JDK's CAs. */
        public Builder sslSocketFactory(SSLSocketFactory factory) {
            this.sslSocketFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * For {@code rediss://}: trust the certificates in a PEM file (a private CA, or Redis's own
         * certificate) instead of the JDK's CAs. The host name is checked against the certificate.
         *
         * @throws IOException if the file cannot be read, naming it
         * @throws IllegalArgumentException if it holds no certificate
         */
        public Builder trustedCertificates(Path pemFile) throws IOException {
            byte[] pem = SmallFiles.read(pemFile, 1 << 20, "Redis CA certificate file");
            try {
                KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                int count = 0;
                for (Certificate certificate : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(pem))) {
                    trusted.setCertificateEntry("redis-" + count++, certificate);
                }
                if (count == 0) {
                    throw new IllegalArgumentException("no certificate in " + pemFile);
                }
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(null, trust.getTrustManagers(), null);
                return sslSocketFactory(tls.getSocketFactory());
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use the certificates in " + pemFile + ": " + e.getMessage(), e);
            }
        }

        /**
         * If Redis cannot be used at start, serve with keys made locally instead of refusing to start
         * (default false), and switch to Redis's keys once it answers. Tickets sealed with the local keys
         * then get a full handshake.
         */
        public Builder fallbackToLocalKeys(boolean fallback) {
            this.fallbackToLocalKeys = fallback;
            return this;
        }

        /**
         * Reads Redis (publishing a first schedule if the key is absent) and starts polling.
         *
         * @throws RedisUnavailableException if Redis cannot be used and {@link #fallbackToLocalKeys} is off
         * @throws IllegalArgumentException if the URI is not a Redis URI, or the poll interval is not
         *     well below the policy's {@code publishAhead}
         */
        public RedisTicketKeys start() {
            if (pollInterval.multipliedBy(3).compareTo(policy.publishAhead()) > 0) {
                throw new IllegalArgumentException("the poll interval (" + pollInterval + ") must be at most a third"
                        + " of the policy's publishAhead (" + policy.publishAhead() + "), so that every server"
                        + " holds a new key before any server seals with it");
            }
            return new RedisTicketKeys(this);
        }

        private static Duration positive(Duration duration, String what) {
            Objects.requireNonNull(duration, what);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + duration);
            }
            return duration;
        }
    }
}
