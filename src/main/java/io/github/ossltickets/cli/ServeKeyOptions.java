package io.github.ossltickets.cli;

import io.github.ossltickets.cli.CommandLine.UsageException;
import io.github.ossltickets.keys.KeySchedule;
import io.github.ossltickets.keys.RotationPolicy;
import io.github.ossltickets.keys.TicketKeyFormat;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where serve's ticket keys come from, as its options say: key files (--ticket-keys), self-rotation
 * (--rotate), Redis (--redis, with or without --rotate), or OpenSSL's own random keys when none is
 * given. Parsed and checked here; {@link ServeKeys} starts the source.
 *
 * @param files the --ticket-keys files, the first sealing (nginx) or the one HAProxy file; empty if not given
 * @param format how the files are laid out
 * @param rotation the --rotate policy; null if not given
 * @param redis the --redis settings; null if not given
 */
record ServeKeyOptions(List<Path> files, TicketKeyFormat format, RotationPolicy rotation, Redis redis) {

    /** The options this record reads, for serve's {@link CommandLine}. */
    static CommandLine declare(CommandLine commandLine) {
        return commandLine.repeatable("--ticket-keys").option("--ticket-keys-format").option("--rotate")
                .option("--redis").option("--redis-password-env").option("--redis-password-file")
                .option("--redis-key").flag("--redis-fallback").option("--redis-ca");
    }

    /** The Redis key serve uses when --redis-key is not given. */
    static final String DEFAULT_REDIS_KEY = "ossl-tickets:keys";

    /** The shortest --rotate period: a rotation is a key generated and a schedule swapped. */
    static final Duration MIN_PERIOD = Duration.ofMillis(100);
    /** The longest duration taken anywhere: a year is far beyond any sensible key lifetime. */
    static final Duration MAX_DURATION = Duration.ofDays(366);
    /**
     * How many periods a key may be retained: a schedule holds {@link KeySchedule#MAX_KEYS} keys, that is
     * the next key, the active one and the retained ones, with room to spare while one key replaces another.
     */
    static final int MAX_RETAINED_PERIODS = KeySchedule.MAX_KEYS - 4;
    /** The default retention, in periods: a ticket lives up to 8 periods, as Go's 7 days for a 1-day period. */
    static final int DEFAULT_RETAINED_PERIODS = 7;

    /**
     * The --redis settings.
     *
     * @param uri the URI as given, which holds no password
     * @param passwordEnv the environment variable holding the password, or null
     * @param passwordFile the file whose first line is the password, or null
     * @param key the Redis key holding the schedule
     * @param fallback whether to start with local keys when Redis cannot be used at start
     * @param ca the PEM CA certificate for rediss://, or null for the JDK's CAs
     */
    record Redis(URI uri, String passwordEnv, Path passwordFile, String key, boolean fallback, Path ca) {}

    /** Which source the keys come from, as /stats names it. */
    String source() {
        return redis != null ? "redis" : !files.isEmpty() ? "files" : rotation != null ? "rotation" : "openssl";
    }

    static ServeKeyOptions parse(CommandLine.Parsed given) throws UsageException {
        List<Path> files = new ArrayList<>();
        for (String file : given.values("--ticket-keys")) {
            files.add(Serve.Options.fileName("--ticket-keys", file));
        }
        TicketKeyFormat format = format(given);
        RotationPolicy rotation = given.has("--rotate") ? rotation(given.value("--rotate").get()) : null;
        Redis redis = redis(given);
        if (!files.isEmpty() && (rotation != null || redis != null)) {
            throw new UsageException("--ticket-keys and " + (redis != null ? "--redis" : "--rotate") + ": give one"
                    + " source of ticket keys (files rotated by another tool, or rotation by serve)");
        }
        if (given.has("--ticket-keys-format") && files.isEmpty()) {
            throw new UsageException("--ticket-keys-format is the layout of --ticket-keys, which is not given");
        }
        if (format == TicketKeyFormat.HAPROXY && files.size() > 1) {
            throw new UsageException("--ticket-keys-format haproxy takes one file (a key per line), not "
                    + files.size());
        }
        return new ServeKeyOptions(List.copyOf(files), format, rotation, redis);
    }

    private static TicketKeyFormat format(CommandLine.Parsed given) throws UsageException {
        String format = given.value("--ticket-keys-format").orElse("nginx");
        return switch (format) {
            case "nginx" -> TicketKeyFormat.NGINX;
            case "haproxy" -> TicketKeyFormat.HAPROXY;
            default -> throw new UsageException("--ticket-keys-format takes nginx or haproxy, not "
                    + CommandLine.shown(format));
        };
    }

    /**
     * PERIOD[,RETAIN]: a new key every PERIOD, published one PERIOD ahead (so that a fleet sharing the
     * schedule holds it in time), retained RETAIN after it stops sealing (default 7 periods).
     */
    static RotationPolicy rotation(String value) throws UsageException {
        int comma = value.indexOf(',');
        Duration period = duration("--rotate", comma < 0 ? value : value.substring(0, comma), value);
        if (period.compareTo(MIN_PERIOD) < 0) {
            throw new UsageException("--rotate: the period must be at least 100ms, not " + CommandLine.shown(value));
        }
        Duration maxRetain = period.multipliedBy(MAX_RETAINED_PERIODS);
        Duration retain;
        if (comma < 0) {
            retain = period.multipliedBy(DEFAULT_RETAINED_PERIODS);
        } else {
            retain = duration("--rotate", value.substring(comma + 1), value);
            if (retain.compareTo(maxRetain) > 0) {
                throw new UsageException("--rotate: RETAIN may be at most " + MAX_RETAINED_PERIODS + " periods ("
                        + maxRetain + "), since a key ring holds at most " + KeySchedule.MAX_KEYS + " keys, not "
                        + CommandLine.shown(value));
            }
        }
        return new RotationPolicy(period, period, retain);
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

    /** A duration as 500ms, 10s, 5m, 1h or 7d, up to a year; zero is allowed (RETAIN 0s keeps no old key). */
    static Duration duration(String option, String text, String whole) throws UsageException {
        Matcher matcher = DURATION.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            Duration duration = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            if (duration.compareTo(MAX_DURATION) <= 0) {
                return duration;
            }
        }
        throw new UsageException(option + " takes PERIOD[,RETAIN], durations such as 500ms, 10s, 5m, 1h or 7d"
                + " (at most 366d), not " + CommandLine.shown(whole));
    }

    private static Redis redis(CommandLine.Parsed given) throws UsageException {
        if (!given.has("--redis")) {
            for (String option : List.of("--redis-password-env", "--redis-password-file", "--redis-key",
                    "--redis-fallback", "--redis-ca")) {
                if (given.has(option)) {
                    throw new UsageException(option + " goes with --redis, which is not given");
                }
            }
            return null;
        }
        URI uri = redisUri(given.value("--redis").get());
        String passwordEnv = given.value("--redis-password-env").orElse(null);
        Path passwordFile = given.has("--redis-password-file")
                ? Serve.Options.fileName("--redis-password-file", given.value("--redis-password-file").get()) : null;
        if (passwordEnv != null && passwordFile != null) {
            throw new UsageException("--redis-password-env and --redis-password-file: give one of them");
        }
        if (passwordEnv != null && !passwordEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new UsageException("--redis-password-env takes the name of an environment variable, not "
                    + CommandLine.shown(passwordEnv));
        }
        String key = given.value("--redis-key").orElse(DEFAULT_REDIS_KEY);
        if (key.length() > 512 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new UsageException("--redis-key takes up to 512 printable characters without spaces, not "
                    + CommandLine.shown(key));
        }
        Path ca = given.has("--redis-ca") ? Serve.Options.fileName("--redis-ca", given.value("--redis-ca").get()) : null;
        if (ca != null && !uri.getScheme().equals("rediss")) {
            throw new UsageException("--redis-ca is for TLS (rediss://), and --redis " + uri + " is plain redis://");
        }
        return new Redis(uri, passwordEnv, passwordFile, key, given.has("--redis-fallback"), ca);
    }

    /**
     * redis://[user@]host[:port][/db] or rediss://...; a password in it is refused without repeating
     * it: a command line is visible to every user of the machine (ps, /proc).
     */
    private static URI redisUri(String value) throws UsageException {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new UsageException("--redis takes redis://[user@]host[:port][/db] or rediss://...; this is not"
                    + " a URI (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw new UsageException("--redis: the URI holds a password, which every user of this machine can"
                    + " read on a command line; give it with --redis-password-env NAME or --redis-password-file FILE");
        }
        if (uri.getRawAuthority() != null && uri.getHost() == null && uri.getRawAuthority().contains("@")) {
            throw new UsageException("--redis takes redis://[user@]host[:port][/db]; its authority is not"
                    + " user@host:port");
        }
        String scheme = String.valueOf(uri.getScheme());
        if (!scheme.equals("redis") && !scheme.equals("rediss") || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawPath() != null && !uri.getRawPath().matches("(/[0-9]{1,5})?/?")) {
            throw new UsageException("--redis takes redis://[user@]host[:port][/db] or rediss://..., not "
                    + CommandLine.shown(value));
        }
        return uri;
    }
}
