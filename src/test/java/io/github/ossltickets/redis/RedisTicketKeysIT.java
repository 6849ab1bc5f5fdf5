package io.github.ossltickets.redis;

import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.keys.KeySchedule;
import io.github.ossltickets.keys.RotationPolicy;
import io.github.ossltickets.keys.ScheduledKey;
import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Servers sharing ticket keys through a real Redis (Debian's redis-server, see {@link RedisServer}):
 * in-process nodes, each its own {@link SslContext} with its {@link RedisTicketKeys#ring()}, doing real
 * TLS handshakes in memory through OpenSSL. Each node logs in as an ACL user that may touch only
 * {@code ossl-tickets:*} and run only the commands RedisTicketKeys needs, as the README advises.
 * Skips, saying why, when there is neither a Docker engine with the image nor redis-server here.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisTicketKeysIT {
    private static final String NODE_USER = "ossl";
    private static final String NODE_PASSWORD = "node-pw-7c1e";
    private static final String ADMIN_PASSWORD = "admin-pw-0b44";
    /** The default user off; an admin for the test's own look into Redis; the nodes' limited user. */
    private static final List<String> ACL = List.of(
            "--user", "default", "off",
            "--user", "admin", "on", ">" + ADMIN_PASSWORD, "~*", "&*", "+@all",
            "--user", NODE_USER, "on", ">" + NODE_PASSWORD, "resetkeys", "~ossl-tickets:*", "resetchannels",
            "-@all", "+eval", "+type", "+strlen", "+get", "+set");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /**
     * Rotation on the manual clock: a key every 10 min, published 5 min ahead, kept 10 min after. Polls
     * every minute of real time: none comes during a test, which polls with pollNow().
     */
    private static final RotationPolicy TEN_MINUTES = new RotationPolicy(Duration.ofMinutes(10),
            Duration.ofMinutes(5), Duration.ofMinutes(10));
    private static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.generate("localhost");

    private static String unavailable;
    private static RedisServer redis;
    private static Jedis admin;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Logger julLogger = Logger.getLogger("io.github.ossltickets.redis"); // held: keeps the handler
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler warningCollector = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private String key;

    @BeforeAll
    static void startRedis() {
        unavailable = RedisServer.unavailable();
        if (unavailable != null) {
            System.err.println("RedisTicketKeysIT: " + unavailable + "; the Redis tests are skipped");
            return;
        }
        System.err.println("RedisTicketKeysIT: Redis is a " + RedisServer.kind());
        redis = RedisServer.start(null, ACL);
        admin = new Jedis(new HostAndPort("localhost", redis.port()),
                DefaultJedisClientConfig.builder().user("admin").password(ADMIN_PASSWORD).build());
    }

    @AfterAll
    static void stopRedis() {
        if (admin != null) {
            admin.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void setUp(TestInfo test) {
        assumeTrue(unavailable == null, unavailable);
        key = "ossl-tickets:" + test.getTestMethod().orElseThrow().getName();
        admin.del(key);
        julLogger.addHandler(warningCollector);
    }

    @AfterEach
    void tearDown() throws Exception {
        julLogger.removeHandler(warningCollector);
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void aTicketIssuedByOneNodeResumesAtTheOthers() {
        List<Node> nodes = List.of(node(nodeKeys()), node(nodeKeys()), node(nodeKeys()));
        KeySchedule shared = inRedis();
        for (Node node : nodes) {
            assertEquals(shared, node.keys.schedule(), "every node holds the schedule in Redis");
        }
        assertEquals(1, totalPublished(nodes), "the first node published the schedule, the others read it");
        for (TlsVersion version : TlsVersion.values()) {
            SslContext client = client(version);
            SslSession ticket = connect(nodes.get(0), client, null).session;
            for (Node other : nodes.subList(1, 3)) {
                Outcome resumed = connect(other, client, ticket);
                assertTrue(resumed.reused, version + ": a ticket from node 0 resumes at another node");
                ticket = version == TlsVersion.TLS1_3 ? resumed.session : ticket; // TLS 1.3 tickets are single-use
            }
        }
    }

    @Test
    void racingNodesPublishExactlyOneKeyPerPeriodWithNoFailedHandshake() throws Exception {
        ManualClock clock = new ManualClock(T0);
        Supplier<TicketKey> slowKeys = () -> { // a slow key source widens each race window
            sleep(5);
            return TicketKey.random();
        };
        ExecutorService racers = Executors.newFixedThreadPool(3);
        CyclicBarrier start = new CyclicBarrier(3);
        List<Node> nodes = new ArrayList<>();
        try {
            // Three nodes start at once on an empty key: one publishes the first schedule.
            List<Future<RedisTicketKeys>> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                starts.add(racers.submit(() -> {
                    start.await();
                    return nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1))
                            .newKeys(slowKeys).start();
                }));
            }
            for (Future<RedisTicketKeys> started : starts) {
                Node node = new Node(started.get());
                toClose.add(node);
                nodes.add(node);
            }
        } finally {
            racers.shutdown();
        }
        assertEquals(1, totalPublished(nodes), "one first schedule, by one node");
        Map<Instant, Set<String>> namesBySealingStart = new HashMap<>();
        record(namesBySealingStart, inRedis());
        for (Node node : nodes) {
            assertEquals(inRedis(), node.keys.schedule(), "every node holds what Redis holds");
        }
        try (Load load = new Load(nodes)) {
            racers = Executors.newFixedThreadPool(nodes.size());
            try {
                for (int period = 1; period <= 10; period++) {
                    // Each step is a publication time: the next key falls due 5 min before it seals.
                    clock.set(T0.plus(Duration.ofMinutes(5 + 10L * (period - 1))));
                    List<Future<Boolean>> polls = new ArrayList<>();
                    for (Node node : nodes) {
                        polls.add(racers.submit(() -> {
                            start.await();
                            return node.keys.pollNow();
                        }));
                    }
                    for (Future<Boolean> poll : polls) {
                        assertTrue(poll.get(), "every node read Redis");
                    }
                    KeySchedule shared = inRedis();
                    record(namesBySealingStart, shared);
                    assertEquals(1 + period, totalPublished(nodes), "one publication per period, by one node");
                    assertEquals(T0.plus(Duration.ofMinutes(10L * period)), newest(shared).encryptsFrom(),
                            "the key published is the next period's");
                    for (Node node : nodes) {
                        assertEquals(shared, node.keys.schedule(), "every node holds what Redis holds");
                    }
                    Thread.sleep(60); // handshakes on the new keys
                }
            } finally {
                racers.shutdownNow();
            }
            load.assertNoFailures();
            assertTrue(load.resumed.get() > 50, "resumptions across nodes went on: " + load);
        }
        for (Map.Entry<Instant, Set<String>> slot : namesBySealingStart.entrySet()) {
            assertEquals(1, slot.getValue().size(), "one key ever published to seal from " + slot.getKey());
        }
        long lost = nodes.stream().mapToLong(node -> node.keys.stats().lostRaces()).sum();
        assertTrue(lost > 0, "the nodes did race (lost races: " + lost + ")");
        System.err.println("racing: 10 periods, " + lost + " races lost, Redis held " + namesBySealingStart.size()
                + " keys in turn");
    }

    @Test
    void ticketsUnderThePreviousKeyResumeAndRenewThenGetAFullHandshakeAfterRetention() {
        ManualClock clock = new ManualClock(T0);
        Node a = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)));
        Node b = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)));
        SslContext client = client(TlsVersion.TLS1_2);
        SslSession underFirstKey = connect(a, client, null).session;

        clock.set(T0.plus(Duration.ofMinutes(5))); // the second key is published
        pollAll(a, b);
        clock.set(T0.plus(Duration.ofMinutes(10))); // and seals; the first only opens
        pollAll(a, b);
        assertEquals(2, inRedis().keys().size());
        Outcome resumed = connect(b, client, underFirstKey);
        assertTrue(resumed.reused, "a ticket under the previous key resumes at the other node");
        assertEquals(1, resumed.tickets, "and is renewed");
        Outcome again = connect(a, client, resumed.session);
        assertTrue(again.reused, "the renewed ticket resumes");
        assertEquals(0, again.tickets, "under the active key: no renewal");

        clock.set(T0.plus(Duration.ofMinutes(20))); // the first key's retention is over
        pollAll(a, b);
        Outcome expired = connect(a, client, underFirstKey);
        assertFalse(expired.reused, "after retention, a full handshake");
        assertEquals(1, expired.tickets, "with a fresh ticket");
    }

    @Test
    void redisPausedAndBackNoFailedHandshakeOneWarningRotationResumes() throws Exception {
        // The real clock, fast: a key every 2 s, published 1 s ahead; polls every 200 ms, timeouts 500 ms.
        RotationPolicy fast = new RotationPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2));
        List<Node> nodes = List.of(
                node(nodeKeys().policy(fast).pollInterval(Duration.ofMillis(200)).timeout(Duration.ofMillis(500))),
                node(nodeKeys().policy(fast).pollInterval(Duration.ofMillis(200)).timeout(Duration.ofMillis(500))));
        try (Load load = new Load(nodes)) {
            Thread.sleep(1500);
            redis.pause();
            long publishedBefore;
            try {
                Thread.sleep(800);
                publishedBefore = totalPublished(nodes);
                Thread.sleep(1700);
                for (Node node : nodes) {
                    RedisKeysStats stats = node.keys.stats();
                    assertFalse(stats.redisAvailable(), stats.toString());
                    assertEquals(1, stats.outages(), stats.toString());
                    assertTrue(stats.failedPolls() >= 2, "several polls failed: " + stats);
                }
                assertEquals(publishedBefore, totalPublished(nodes), "rotation paused");
            } finally {
                redis.unpause();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (totalPublished(nodes) == publishedBefore && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(totalPublished(nodes) > publishedBefore, "rotation resumed by itself");
            Thread.sleep(500);
            load.assertNoFailures();
            assertTrue(load.resumed.get() > 20, load.toString());
            // Nearly all resume. Not all: a pause just after a node published a key, before the other read
            // it, leaves the other without it until Redis is back (full handshakes, never failures).
            assertTrue(load.resumed.get() >= 0.9 * load.handshakes.get(), "resumptions: " + load);
            System.err.println("outage: " + load + "; " + nodes.get(0).keys.stats() + "; " + nodes.get(1).keys.stats());
        }
        for (Node node : nodes) {
            assertTrue(node.keys.stats().redisAvailable());
            assertEquals(1, node.keys.stats().outages(), "one outage");
        }
        long outageWarnings = warnings.stream().filter(w -> w.getMessage().contains("cannot be used")).count();
        assertEquals(2, outageWarnings, "one WARNING per node for the whole outage, not one per poll");
    }

    @Test
    void aKeyPublishedLateStillGetsItsHeadStart() {
        ManualClock clock = new ManualClock(T0);
        Node a = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)));
        Node b = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)));
        // No poll at T0+5 min, when the second key was due (as in an outage); the first seals until T0+20 min.
        clock.set(T0.plus(Duration.ofMinutes(12)));
        assertTrue(a.keys.pollNow());
        assertEquals(T0.plus(Duration.ofMinutes(17)), newest(inRedis()).encryptsFrom(),
                "the late key seals publishAhead after it is published, not at once");
        SslContext client = client(TlsVersion.TLS1_3);
        assertTrue(connect(b, client, connect(a, client, null).session).reused,
                "node b, which has not read the new key yet, opens node a's tickets");
        clock.set(T0.plus(Duration.ofMinutes(17)));
        pollAll(a, b);
        assertEquals(hex(newest(inRedis()).key()), hex(a.keys.ring().keys().active()), "then it seals");
    }

    @Test
    void aRedisThatComesBackEmptyGetsTheFleetsScheduleBack() {
        ManualClock clock = new ManualClock(T0);
        Node a = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)));
        Node b = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)));
        KeySchedule before = inRedis();
        SslSession ticket = connect(a, client(TlsVersion.TLS1_2), null).session;
        admin.del(key); // as a restart without persistence leaves it
        assertTrue(b.keys.pollNow());
        assertEquals(before, inRedis(), "node b wrote back the schedule it held");
        assertTrue(a.keys.pollNow());
        assertEquals(before, a.keys.schedule());
        assertTrue(connect(b, client(TlsVersion.TLS1_2), ticket).reused, "tickets still resume");
    }

    @Test
    void hostileValuesKeepTheKeysAndAreReportedOnce() throws Exception {
        ManualClock clock = new ManualClock(T0);
        Node node = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)));
        KeySchedule held = node.keys.schedule();
        String active = hex(node.keys.ring().keys().active());
        SslContext client = client(TlsVersion.TLS1_2);
        SslSession ticket = connect(node, client, null).session;
        byte[] otherVersion = held.toBytes();
        otherVersion[7] = 2; // the version field
        byte[] huge = new byte[10 << 20];
        Map<String, Runnable> hostile = new java.util.LinkedHashMap<>();
        hostile.put("no \"OTKS\" header", () -> admin.set(bytes(key), bytes("garbage")));
        hostile.put("version 2", () -> admin.set(bytes(key), otherVersion));
        hostile.put("over the 65536", () -> admin.set(bytes(key), huge));
        byte[] farFuture = KeySchedule.of(List.of(held.keys().get(0), new ScheduledKey(TicketKey.random(),
                Instant.MAX.minusSeconds(10), Instant.MAX))).toBytes();
        hostile.put("out of range (years 2000 to 9999)", () -> admin.set(bytes(key), farFuture));
        hostile.put("Redis list", () -> {
            admin.del(key);
            admin.lpush(key, "a", "b");
        });
        int refused = 0;
        for (Map.Entry<String, Runnable> value : hostile.entrySet()) {
            value.getValue().run();
            warnings.clear();
            assertFalse(node.keys.pollNow(), value.getKey());
            assertFalse(node.keys.pollNow(), value.getKey());
            refused += 2;
            assertEquals(refused, node.keys.stats().refusedValues());
            assertEquals(1, warnings.size(), "reported once while the value stays: " + warnings);
            String message = java.text.MessageFormat.format(warnings.get(0).getMessage(),
                    warnings.get(0).getParameters());
            assertTrue(message.contains(value.getKey()), message);
            assertEquals(held, node.keys.schedule(), "the schedule held stays");
            assertEquals(active, hex(node.keys.ring().keys().active()), "the ring keeps its keys");
            assertTrue(connect(node, client, ticket).reused, "tickets still resume");
        }
        admin.del(key);
        admin.set(bytes(key), farFuture);
        long clients = admin.clientList().lines().count();
        RedisUnavailableException farFutureAtStart = assertThrows(RedisUnavailableException.class,
                () -> nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1)).start());
        assertTrue(farFutureAtStart.getMessage().contains("out of range"), farFutureAtStart.getMessage());
        // Redis drops a closed client in its own event loop, a moment after the close: wait for it (5 s).
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (admin.clientList().lines().count() > clients && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(clients, admin.clientList().lines().count(), "a refused start closes its connection");
        Node fallback = node(nodeKeys().clock(clock).policy(TEN_MINUTES).pollInterval(Duration.ofMinutes(1))
                .fallbackToLocalKeys(true));
        assertEquals(1, fallback.keys.stats().refusedValues(), "a far-future schedule is a refused value");
        assertArrayEquals(farFuture, admin.get(bytes(key)), "and is not overwritten");
        admin.del(key);
        admin.lpush(key, "a", "b");
        assertEquals(2L, admin.llen(key), "the list was not overwritten");
        assertTrue(node.keys.stats().redisAvailable(), "a refused value is not an outage");
        admin.del(key);
        assertTrue(node.keys.pollNow(), "a deleted value is written back");
        assertEquals(held, inRedis());
    }

    @Test
    void aNodeStartedWhileRedisIsDownRefusesUnlessToldToFallBack() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String uri = "redis://" + NODE_USER + ":" + NODE_PASSWORD + "@localhost:" + closedPort;
        RedisUnavailableException refused = assertThrows(RedisUnavailableException.class,
                () -> RedisTicketKeys.builder(uri).key(key).timeout(Duration.ofMillis(500)).start());
        assertTrue(refused.getMessage().contains("redis://ossl@localhost:" + closedPort), refused.getMessage());
        assertFalse(refused.getMessage().contains(NODE_PASSWORD), refused.getMessage());

        Node fallback = node(RedisTicketKeys.builder(uri).key(key).timeout(Duration.ofMillis(500))
                .fallbackToLocalKeys(true));
        RedisKeysStats stats = fallback.keys.stats();
        assertFalse(stats.redisAvailable());
        assertEquals(1, stats.outages());
        SslContext client = client(TlsVersion.TLS1_3);
        assertTrue(connect(fallback, client, connect(fallback, client, null).session).reused,
                "with local keys, the node issues and resumes tickets");
        assertFalse(warnings.isEmpty(), "the fallback is reported");
        for (LogRecord warning : warnings) {
            assertFalse(java.text.MessageFormat.format(warning.getMessage(), warning.getParameters())
                    .contains(NODE_PASSWORD), "no log line holds the password");
        }

        String wrongPassword = redis.uri("redis", NODE_USER + ":not-the-password");
        RedisUnavailableException wrong = assertThrows(RedisUnavailableException.class,
                () -> RedisTicketKeys.builder(wrongPassword).key(key).start());
        assertTrue(wrong.getMessage().contains("WRONGPASS"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-the-password"), wrong.getMessage());
    }

    @Test
    void redisOverTlsWithAPassword(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("redis.crt"), CERTIFICATE.certificatePem());
        Files.writeString(dir.resolve("redis.key"), CERTIFICATE.privateKeyPem());
        RedisServer tls = RedisServer.start(dir, List.of("--requirepass", "tls-pw-51d2"));
        toClose.add(tls);
        String uri = tls.uri("rediss", ":tls-pw-51d2");
        RedisUnavailableException untrusted = assertThrows(RedisUnavailableException.class,
                () -> RedisTicketKeys.builder(uri).key(key).start());
        assertTrue(untrusted.getMessage().contains("rediss://localhost:" + tls.port()), untrusted.getMessage());
        assertTrue(untrusted.getMessage().contains("PKIX"), "the certificate is checked: " + untrusted.getMessage());

        String byAddress = "rediss://:tls-pw-51d2@127.0.0.1:" + tls.port(); // the certificate names localhost only
        RedisUnavailableException wrongName = assertThrows(RedisUnavailableException.class,
                () -> RedisTicketKeys.builder(byAddress).key(key).trustedCertificates(dir.resolve("redis.crt")).start());
        assertTrue(wrongName.getMessage().contains("No subject alternative names"),
                "the host name is checked: " + wrongName.getMessage());

        Node a = node(RedisTicketKeys.builder(uri).key(key).trustedCertificates(dir.resolve("redis.crt")));
        Node b = node(RedisTicketKeys.builder(uri).key(key).trustedCertificates(dir.resolve("redis.crt")));
        assertEquals(a.keys.schedule(), b.keys.schedule());
        SslContext client = client(TlsVersion.TLS1_3);
        assertTrue(connect(b, client, connect(a, client, null).session).reused, "over TLS, the keys are shared");
    }

    // ---- helpers ----

    private RedisTicketKeys.Builder nodeKeys() {
        return RedisTicketKeys.builder(redis.uri("redis", NODE_USER + ":" + NODE_PASSWORD)).key(key);
    }

    private Node node(RedisTicketKeys.Builder builder) {
        Node node = new Node(builder.start());
        toClose.add(node);
        return node;
    }

    private SslContext client(TlsVersion version) {
        SslContext client = SslContext.forClient().protocol(version).build();
        toClose.add(client);
        return client;
    }

    private KeySchedule inRedis() {
        return KeySchedule.fromBytes(admin.get(bytes(key)));
    }

    private static void pollAll(Node... nodes) {
        for (Node node : nodes) {
            assertTrue(node.keys.pollNow());
        }
    }

    private static long totalPublished(List<Node> nodes) {
        return nodes.stream().mapToLong(node -> node.keys.stats().published()).sum();
    }

    private static ScheduledKey newest(KeySchedule schedule) {
        return schedule.keys().get(schedule.keys().size() - 1);
    }

    private static void record(Map<Instant, Set<String>> namesByStart, KeySchedule schedule) {
        for (ScheduledKey scheduled : schedule.keys()) {
            namesByStart.computeIfAbsent(scheduled.encryptsFrom(), at -> new HashSet<>()).add(hex(scheduled.key()));
        }
    }

    private static String hex(TicketKey key) {
        return HexFormat.of().formatHex(key.name());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One server of the fleet: its own context, with the ring of its own RedisTicketKeys. */
    private static final class Node implements AutoCloseable {
        final RedisTicketKeys keys;
        final SslContext server;

        Node(RedisTicketKeys keys) {
            this.keys = keys;
            this.server = SslContext.forServer()
                    .certificate(CERTIFICATE.certificatePem(), CERTIFICATE.privateKeyPem())
                    .protocols(TlsVersion.TLS1_2, TlsVersion.TLS1_3).serverSessionCache(false).build();
            server.setTicketKeyCallback(keys.ring());
        }

        @Override
        public void close() {
            keys.close();
            server.close();
        }
    }

    /** What a handshake did, seen from the client. */
    private static final class Outcome {
        final boolean reused;
        final int tickets;
        final SslSession session;

        Outcome(boolean reused, int tickets, SslSession session) {
            this.reused = reused;
            this.tickets = tickets;
            this.session = session;
        }
    }

    /** A handshake that must succeed, with a client read for TLS 1.3 tickets, and a proper shutdown. */
    private static Outcome connect(Node node, SslContext client, SslSession offered) {
        try (InMemoryConnection connection = InMemoryConnection.open(node.server, client, offered)) {
            connection.handshake();
            return new Outcome(connection.client().isSessionReused(), connection.clientLog().ticketsReceived(),
                    connection.client().session().orElseThrow());
        }
    }

    /**
     * Continuous load: a TLS 1.2 and a TLS 1.3 client, each resuming its newest ticket at the next node in
     * turn, so every ticket is issued by one node and offered to another. Counts failures, never throws.
     */
    private static final class Load implements AutoCloseable {
        final AtomicLong handshakes = new AtomicLong();
        final AtomicLong resumed = new AtomicLong();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Load(List<Node> nodes) {
            for (TlsVersion version : TlsVersion.values()) {
                Thread thread = new Thread(() -> run(nodes, version), "load " + version);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        private void run(List<Node> nodes, TlsVersion version) {
            try (SslContext client = SslContext.forClient().protocol(version).build()) {
                SslSession ticket = null;
                for (int i = 0; !stop.get(); i++) {
                    try {
                        Outcome outcome = connect(nodes.get(i % nodes.size()), client, ticket);
                        handshakes.incrementAndGet();
                        if (outcome.reused) {
                            resumed.incrementAndGet();
                        }
                        if (ticket != null) {
                            ticket.close();
                        }
                        ticket = outcome.session;
                    } catch (OpenSslException | IllegalStateException e) {
                        failures.add(e);
                        ticket = null;
                    }
                }
            }
        }

        void assertNoFailures() {
            assertEquals(List.of(), failures, "failed handshakes under load (" + this + ")");
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(5000);
            }
        }

        @Override
        public String toString() {
            return handshakes.get() + " handshakes, " + resumed.get() + " resumed, " + failures.size() + " failed";
        }
    }

    /** A clock the test sets. */
    private static final class ManualClock extends Clock {
        private volatile Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
