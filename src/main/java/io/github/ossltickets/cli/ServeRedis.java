package io.github.ossltickets.cli;

import io.github.ossltickets.keys.RotationPolicy;
import io.github.ossltickets.keys.TicketKeyRing;
import io.github.ossltickets.redis.RedisKeysStats;
import io.github.ossltickets.redis.RedisTicketKeys;
import io.github.ossltickets.redis.RedisUnavailableException;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * --redis: ticket keys shared and rotated through Redis ({@link RedisTicketKeys}). Only {@link ServeKeys}
 * loads this class, and only when --redis is given, after checking that Jedis is on the class path.
 */
final class ServeRedis implements ServeKeys.Source {
    /** How often each server reads Redis, unless the rotation policy needs it sooner. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(10);

    private final RedisTicketKeys keys;

    private ServeRedis(RedisTicketKeys keys) {
        this.keys = keys;
    }

    /** Connects, reads (or publishes) the schedule and starts polling; refuses to start unless --redis-fallback. */
    static ServeRedis start(ServeKeyOptions options) throws IOException {
        ServeKeyOptions.Redis redis = options.redis();
        RotationPolicy policy = options.rotation() != null ? options.rotation() : RotationPolicy.defaults();
        // A third of the head start at most, so every server reads a new key well before any seals with it.
        Duration poll = policy.publishAhead().dividedBy(3);
        if (poll.compareTo(POLL_INTERVAL) > 0) {
            poll = POLL_INTERVAL;
        }
        char[] password = ServeFiles.secret(redis.passwordFile(), "--redis-password-file", redis.passwordEnv(),
                "--redis-password-env");
        RedisTicketKeys.Builder builder;
        try {
            builder = RedisTicketKeys.builder(withPassword(redis.uri(), password));
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
        builder.key(redis.key()).policy(policy).pollInterval(poll).fallbackToLocalKeys(redis.fallback());
        if (redis.ca() != null) {
            try {
                builder.trustedCertificates(redis.ca());
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("--redis-ca: " + e.getMessage(), e);
            }
        }
        try {
            return new ServeRedis(builder.start());
        } catch (RedisUnavailableException e) {
            StringBuilder reason = new StringBuilder();
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause.getMessage() != null && reason.indexOf(cause.getMessage()) < 0) {
                    reason.append(reason.length() == 0 ? "" : ": ").append(cause.getMessage());
                }
            }
            throw new IOException("--redis " + redis.uri() + " (key " + redis.key() + ") cannot be used at start"
                    + (reason.length() == 0 ? "" : ": " + reason) + "; start Redis, or give --redis-fallback to"
                    + " start with local keys until it answers", e);
        }
    }

    /**
     * The URI with the password put in as {@code user:password@}, percent-encoded. The URI as given holds
     * none ({@link ServeKeyOptions} refuses one), so messages can show it as it is.
     */
    private static URI withPassword(URI uri, char[] password) {
        if (password == null) {
            return uri;
        }
        String user = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo();
        String hostAndPort = uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return URI.create(uri.getScheme() + "://" + user + ":" + percentEncoded(password) + "@" + hostAndPort + path);
    }

    /** Every byte of the UTF-8 but letters, digits and "-._~" as %XX, so that any password survives a URI. */
    private static String percentEncoded(char[] text) {
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(text));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < utf8.limit(); i++) {
            int c = utf8.get(i) & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        Arrays.fill(utf8.array(), (byte) 0);
        return out.toString();
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public TicketKeyRing ring() {
        return keys.ring();
    }

    @Override
    public void appendStats(StringBuilder text) {
        RedisKeysStats stats = keys.stats();
        text.append("redis-available: ").append(stats.redisAvailable() ? "yes" : "no").append('\n')
                .append("redis-unavailable: ").append(stats.outages()).append('\n')
                .append("redis-failed-polls: ").append(stats.failedPolls()).append('\n')
                .append("redis-rotations: ").append(stats.published()).append('\n')
                .append("redis-lost-races: ").append(stats.lostRaces()).append('\n')
                .append("redis-refused-values: ").append(stats.refusedValues()).append('\n');
    }

    @Override
    public void close() {
        keys.close();
    }
}
