package io.github.ossltickets.redis;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

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

    private final BoundedReplies sockets;
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
        HostAndPort address = new HostAndPort(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort());
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
        this.sockets = new BoundedReplies(address, config);
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
        Object reply = eval(READ, List.of(key),
                List.of(Integer.toString(MAX_VALUE_BYTES).getBytes(StandardCharsets.US_ASCII)), "reading the key");
        // The script's replies, {0}, {1, bytes}, {2, bytes} or {3, number}; anything else is a Redis that lies.
        if (reply instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Long code) {
            if (code == 0 && list.size() == 1) {
                return new Value(Value.Kind.ABSENT, null, null);
            }
            if (list.size() == 2) {
                Object second = list.get(1);
                if (code == 1 && second instanceof byte[] bytes) {
                    return new Value(Value.Kind.PRESENT, bytes, null);
                }
                if (code == 2 && second instanceof byte[] type) {
                    return new Value(Value.Kind.WRONG_TYPE, null, new String(type, StandardCharsets.UTF_8));
                }
                if (code == 3 && second instanceof Long length) {
                    return new Value(Value.Kind.TOO_LONG, null, length.toString());
                }
            }
        }
        throw unexpected("reading the key", reply);
    }

    /** Sets {@code key} to {@code update} if it still holds {@code expected} (null: still absent). */
    boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        Object reply = eval(COMPARE_AND_SET, List.of(key),
                List.of(expected == null ? ABSENT : PRESENT, expected == null ? EMPTY : expected, update),
                "publishing the key");
        if (reply instanceof Long set && (set == 0 || set == 1)) {
            return set == 1;
        }
        throw unexpected("publishing the key", reply);
    }

    /**
     * Runs a script. Jedis parses some replies with unchecked exceptions of its own ("-MOVED 1" without an
     * address is an ArrayIndexOutOfBoundsException): those are a Redis that lies too, and fail like it.
     */
    private Object eval(byte[] script, List<byte[]> keys, List<byte[]> args, String during) {
        try {
            return connected().eval(script, keys, args);
        } catch (JedisException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JedisDataException("unexpected reply from Redis at " + description + " " + during
                    + ": Jedis could not read it (" + e + ")", e);
        }
    }

    /** A reply the script cannot give: the connection is dropped, as after any failed command. */
    private JedisDataException unexpected(String during, Object reply) {
        return new JedisDataException("unexpected reply from Redis at " + description + " " + during + ": "
                + shape(reply));
    }

    /** What a reply is, without its bytes: "an array of 2 (an integer, a string of 5 bytes)". */
    private static String shape(Object reply) {
        if (reply == null) {
            return "nil";
        }
        if (reply instanceof Long) {
            return "an integer";
        }
        if (reply instanceof byte[] bytes) {
            return "a string of " + bytes.length + " bytes";
        }
        if (reply instanceof List<?> list) {
            StringBuilder out = new StringBuilder("an array of " + list.size());
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? " (" : ", ").append(shape(list.get(i)));
            }
            return out.append(list.isEmpty() ? "" : ")").toString();
        }
        return "a " + reply.getClass().getSimpleName();
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
            connection = new Jedis(sockets, config);
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
        throw new IllegalArgumentException("the Redis URI's path must be a database number such as /0: "
                + description);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /**
     * {@code uri} for messages, with nothing that could hold a password: everything between "//" and the
     * last '@' of the raw string is hidden (the user is shown only when the URI parsed it as a plain
     * user:password), and so are a query and a fragment. A string that cannot be split so shows only its
     * scheme. Parsing alone is not enough: in {@code redis://:pa/ss@host} the URI sees no user info.
     */
    static String redacted(URI uri) {
        String prefix = (uri.getScheme() == null ? "" : uri.getScheme()) + "://";
        String raw = uri.toString();
        if (!raw.startsWith(prefix)) {
            return prefix + "\u2026";
        }
        String rest = raw.substring(prefix.length());
        int at = rest.lastIndexOf('@');
        if (at < 0) {
            // No '@': no user info, unless a mistyped one left the authority unparsed (redis://user:pass).
            return uri.getHost() == null ? prefix + "\u2026" : prefix + withoutQuery(rest);
        }
        String hidden = rest.substring(0, at);
        String shown;
        if (hidden.equals(uri.getRawUserInfo())) {
            String user = hidden.split(":", 2)[0];
            shown = user.isEmpty() ? "" : user + "@";
        } else {
            shown = "\u2026@";
        }
        return prefix + shown + withoutQuery(rest.substring(at + 1));
    }

    private static String withoutQuery(String authorityAndPath) {
        for (int i = 0; i < authorityAndPath.length(); i++) {
            char c = authorityAndPath.charAt(i);
            if (c == '?' || c == '#') {
                return authorityAndPath.substring(0, i) + c + "\u2026";
            }
        }
        return authorityAndPath;
    }

    private static byte[] script(String... lines) {
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }
}
