package io.github.ossltickets.redis;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The one Redis connection of a {@link RedisTicketKeys}: a bounded read and a compare-and-set of one
 * key's value, each a Lua script so that it is atomic. Only the poller uses it, under the poll lock;
 * a failed command drops the connection and the next command connects again.
 */
final class RedisKeyStore implements AutoCloseable {
    /** The most a key schedule may take in Redis: 64 keys of 120 bytes fit many times over. */
    static final int MAX_VALUE_BYTES = 64 * 1024;

    /**
     * Returns {0} when the key is absent, {1, value} for a string of at most ARGV[1] bytes, {2, type} for
     * another type, {3, length} for a longer string: a hostile value is never sent whole.
     */
    private static final byte[] READ = script(
            "local kind = redis.call('TYPE', KEYS[1]).ok",
            "if kind == 'none' then return {0} end",
            "if kind ~= 'string' then return {2, kind} end",
            "local length = redis.call('STRLEN', KEYS[1])",
            "if length > tonumber(ARGV[1]) then return {3, length} end",
            "return {1, redis.call('GET', KEYS[1])}");

    /**
     * Sets KEYS[1] to ARGV[3] only if it still holds what was read: absent when ARGV[1] is '0', else equal
     * to ARGV[2]. Returns 1 if it set the value, 0 if another server changed it first.
     */
    private static final byte[] COMPARE_AND_SET = script(
            "local current = redis.call('GET', KEYS[1])",
            "if ARGV[1] == '0' then",
            "  if current then return 0 end",
            "elseif current ~= ARGV[2] then",
            "  return 0",
            "end",
            "redis.call('SET', KEYS[1], ARGV[3])",
            "return 1");

    private static final byte[] ABSENT = "0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PRESENT = "1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];

    private final HostAndPort address;
    private final DefaultJedisClientConfig config;
    private final String description;
    private Jedis connection;

    RedisKeyStore(URI uri, Duration timeout, SSLSocketFactory sslSocketFactory) {
        Objects.requireNonNull(uri, "uri");
        this.description = redacted(uri);
        String scheme = uri.getScheme();
        boolean tls = "rediss".equals(scheme);
        if (!tls && !"redis".equals(scheme)) {
            throw new IllegalArgumentException("a Redis URI starts with redis:// or rediss://, not: " + description);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the Redis URI names no host: " + description);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("the Redis URI takes no query or fragment: " + description);
        }
        this.address = new HostAndPort(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort());
        int millis = Math.toIntExact(timeout.toMillis());
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis).socketTimeoutMillis(millis)
                .database(database(uri, description))
                // No CLIENT SETINFO: a user limited by ACL to what this class needs may not run it.
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            builder.user(user.isEmpty() ? null : user);
            if (colon >= 0) {
                builder.password(decode(userInfo.substring(colon + 1)));
            }
        }
        if (tls) {
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            builder.ssl(true).sslParameters(parameters)
                    .sslSocketFactory(sslSocketFactory != null ? sslSocketFactory
                            : (SSLSocketFactory) SSLSocketFactory.getDefault());
        }
        this.config = builder.build();
    }

    /** The URI without its password, for messages: {@code rediss://user@host:6380/0}. */
    String description() {
        return description;
    }

    /** What a key holds, read boundedly. */
    record Value(Kind kind, byte[] bytes, String detail) {
        enum Kind { ABSENT, PRESENT, WRONG_TYPE, TOO_LONG }
    }

    /** Reads {@code key}; a string longer than {@link #MAX_VALUE_BYTES} is reported, not read. */
    Value read(byte[] key) {
        List<?> reply = (List<?>) connected().eval(READ, List.of(key),
                List.of(Integer.toString(MAX_VALUE_BYTES).getBytes(StandardCharsets.US_ASCII)));
        long code = (Long) reply.get(0);
        if (code == 0) {
            return new Value(Value.Kind.ABSENT, null, null);
        }
        if (code == 1) {
            return new Value(Value.Kind.PRESENT, (byte[]) reply.get(1), null);
        }
        if (code == 2) {
            return new Value(Value.Kind.WRONG_TYPE, null, new String((byte[]) reply.get(1), StandardCharsets.UTF_8));
        }
        return new Value(Value.Kind.TOO_LONG, null, reply.get(1).toString());
    }

    /** Sets {@code key} to {@code update} if it still holds {@code expected} (null: still absent). */
    boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        Object reply = connected().eval(COMPARE_AND_SET, List.of(key),
                List.of(expected == null ? ABSENT : PRESENT, expected == null ? EMPTY : expected, update));
        return Long.valueOf(1).equals(reply);
    }

    /** Drops the connection after a failure; the next command connects again. */
    void disconnect() {
        if (connection != null) {
            try {
                connection.close();
            } catch (RuntimeException ignored) {
                // a broken connection may fail to close; it is dropped either way
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        disconnect();
    }

    private Jedis connected() {
        if (connection == null) {
            connection = new Jedis(address, config);
        }
        return connection;
    }

    private static int database(URI uri, String description) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        try {
            int database = Integer.parseInt(path.substring(1));
            if (database >= 0) {
                return database;
            }
        } catch (NumberFormatException notANumber) {
            // refused below
        }
        throw new IllegalArgumentException("the Redis URI's path is a database number (/0), not "
                + path + ": " + description);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** {@code uri} with the password left out, whatever else it holds. */
    static String redacted(URI uri) {
        if (uri.getRawUserInfo() == null) {
            String authority = uri.getRawAuthority();
            if (authority != null && authority.contains("@")) { // not host:port: may hide a password
                return uri.getScheme() + "://(an authority that is not user:password@host:port)";
            }
            return uri.toString();
        }
        String userInfo = uri.getRawUserInfo();
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
        StringBuilder out = new StringBuilder();
        out.append(uri.getScheme()).append("://");
        if (!user.isEmpty()) {
            out.append(user).append('@');
        }
        out.append(uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1));
        if (uri.getRawPath() != null) {
            out.append(uri.getRawPath());
        }
        return out.toString();
    }

    private static byte[] script(String... lines) {
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }
}
