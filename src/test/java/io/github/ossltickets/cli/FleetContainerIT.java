package io.github.ossltickets.cli;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.keys.TicketKeyFiles;
import io.github.ossltickets.keys.TicketKeyFormat;
import io.github.ossltickets.net.TlsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three {@code serve} containers as one fleet (issue 16, "Fleet in Docker"): first sharing a mounted
 * key directory that {@code ossl-tickets keys rotate} rotates by rename, then sharing keys through a
 * Redis container. Clients are {@code openssl s_client} on this machine, against ports published on
 * 127.0.0.1. Each fleet is started once for all its tests, which run in order. Images: ossl-tickets:bookworm
 * and ossl-redis:bookworm from scripts/docker-images; without a Docker engine the tests skip, saying so.
 */
class FleetContainerIT {
    private static final String SERVE_IMAGE = "ossl-tickets:bookworm";
    private static final String REDIS_IMAGE = "ossl-redis:bookworm";
    private static final int NODES = 3;
    private static final Pattern KEY_LINE = Pattern.compile("(?m)^key ([0-9a-f]{32}): sealed (\\d+) opened (\\d+) renewed (\\d+)$");

    private static boolean docker;

    @BeforeAll
    static void dockerAndImages() {
        docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.err.println("FleetContainerIT: no Docker engine; the fleet tests are skipped");
            return;
        }
        for (String image : List.of(SERVE_IMAGE, REDIS_IMAGE)) {
            try {
                DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            } catch (RuntimeException notFound) {
                fail(image + " is missing: make the images first with scripts/docker-images");
            }
        }
    }

    @BeforeEach
    void skipWithoutDocker() {
        assumeTrue(docker, "no Docker engine");
    }

    /** serve in the bookworm runtime image, port 8443 published on 127.0.0.1, not yet started. */
    @SuppressWarnings("resource") // stopped by the fleets' @AfterAll
    private static GenericContainer<?> serve(String... options) {
        return new GenericContainer<>(DockerImageName.parse(SERVE_IMAGE))
                .withExposedPorts(8443)
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(8443))))
                .withCommand(options)
                .waitingFor(Wait.forLogMessage(".*ossl-tickets serve on .*", 1).withStartupTimeout(Duration.ofMinutes(1)));
    }

    private static void stopAll(List<GenericContainer<?>> containers) {
        containers.forEach(GenericContainer::stop);
    }

    // ---- clients --------------------------------------------------------------------------------------

    /** One s_client connection's report from serve; {@code failed} when no HTTP answer came back. */
    record Answer(Map<String, String> fields, String output) {
        boolean failed() {
            return !fields.containsKey("resumed");
        }

        boolean resumed() {
            return "yes".equals(fields.get("resumed"));
        }

        int ticketsIssued() {
            return Integer.parseInt(fields.getOrDefault("tickets-issued", "0"));
        }
    }

    static Answer connect(int port, String tls, String... sessionArguments) throws Exception {
        String output = Peers.sClient(port, tls, sessionArguments);
        return new Answer(Peers.fields(output), output);
    }

    /** A full handshake at {@code port} whose session (with its ticket) is saved in {@code session}. */
    static Answer issue(int port, String tls, Path session) throws Exception {
        Answer full = connect(port, tls, "-sess_out", session.toString());
        assertEquals("no", full.fields().get("resumed"), full.output());
        assertTrue(full.ticketsIssued() > 0, "no ticket issued: " + full.output());
        return full;
    }

    /** GET /stats from a node, as text. */
    static String stats(int port) throws Exception {
        try (SslContext context = SslContext.forClient().build();
             TlsClient client = new TlsClient(context, Duration.ofSeconds(10))) {
            return Peers.request(client.connect("127.0.0.1", port),
                    "GET /stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        }
    }

    static long counter(String stats, String name) {
        String value = Peers.fields(stats).get(name);
        assertTrue(value != null, "no " + name + " in /stats:\n" + stats);
        return Long.parseLong(value);
    }

    /** The key names /stats lists, with their "renewed" counts. */
    static Map<String, Long> renewedByKey(String stats) {
        Map<String, Long> renewed = new java.util.TreeMap<>();
        for (Matcher m = KEY_LINE.matcher(stats); m.find(); ) {
            renewed.put(m.group(1), Long.parseLong(m.group(4)));
        }
        return renewed;
    }

    static void await(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited " + limit.toSeconds() + " s for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Figures of a load run: every connection, the failed ones (no answer), the resumed ones. */
    record Load(int connections, int failed, int resumed, int fullAfterFirst, List<String> failures) {
        static Load total(List<Load> loads) {
            int connections = 0;
            int failed = 0;
            int resumed = 0;
            int full = 0;
            List<String> failures = new ArrayList<>();
            for (Load load : loads) {
                connections += load.connections();
                failed += load.failed();
                resumed += load.resumed();
                full += load.fullAfterFirst();
                failures.addAll(load.failures());
            }
            return new Load(connections, failed, resumed, full, failures);
        }

        @Override
        public String toString() {
            return connections + " connections, " + failed + " failed, " + resumed + " resumed, "
                    + fullAfterFirst + " full handshakes after each client's first";
        }
    }

    /**
     * Clients resuming in a loop until {@code stop} is set, each with its own session file, each
     * connection to the next node round the fleet; client 0 speaks TLS 1.2, the others TLS 1.3.
     */
    static final class Clients implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ExecutorService pool;
        private final List<Future<Load>> runs = new ArrayList<>();

        Clients(int clients, int[] ports, Path dir) {
            pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                int client = c;
                runs.add(pool.submit(() -> run(client, ports, dir)));
            }
        }

        private Load run(int client, int[] ports, Path dir) throws Exception {
            String tls = client == 0 ? "-tls1_2" : "-tls1_3";
            Path session = dir.resolve("client-" + client + ".sess");
            int connections = 0;
            int failed = 0;
            int resumed = 0;
            int fullAfterFirst = 0;
            List<String> failures = new ArrayList<>();
            while (!stop.get() || connections == 0) {
                int port = ports[(client + connections) % ports.length];
                Answer answer = connections == 0
                        ? connect(port, tls, "-sess_out", session.toString())
                        : connect(port, tls, "-sess_in", session.toString(), "-sess_out", session.toString());
                if (answer.failed()) {
                    failed++;
                    failures.add("client " + client + " connection " + connections + " to " + port + ": "
                            + answer.output());
                } else if (answer.resumed()) {
                    resumed++;
                } else if (connections > 0) {
                    fullAfterFirst++;
                }
                connections++;
            }
            return new Load(connections, failed, resumed, fullAfterFirst, failures);
        }

        /** Stops the clients and returns each one's figures, client 0 (TLS 1.2) first. */
        List<Load> stop() throws Exception {
            stop.set(true);
            List<Load> loads = new ArrayList<>();
            for (Future<Load> run : runs) {
                loads.add(run.get(1, TimeUnit.MINUTES));
            }
            return loads;
        }

        @Override
        public void close() {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /** A ticket issued by node 0, in TLS 1.2 and 1.3, resumes at nodes 1 and 2 with its app data. */
    static void aTicketFromOneNodeResumesAtTheOthers(int[] ports, Path dir) throws Exception {
        for (String tls : List.of("-tls1_2", "-tls1_3")) {
            Path session = dir.resolve("from-node-0" + tls + ".sess");
            String issued = issue(ports[0], tls, session).fields().get("ticket-issued-appdata");
            for (int node = 1; node < ports.length; node++) {
                Answer there = connect(ports[node], tls, "-sess_in", session.toString());
                assertTrue(there.resumed(), tls + " at node " + node + ": " + there.output());
                assertEquals(issued, there.fields().get("ticket-appdata"), tls + " at node " + node);
            }
        }
    }

    static void log(String line) {
        System.err.println("FleetContainerIT: " + line);
    }

    // ---- the fleet on a key directory -----------------------------------------------------------------

    /**
     * The key directory is the layout {@code ossl-tickets keys rotate --format nginx} keeps (current.key
     * seals, next.key is published ahead, previous.key still opens), bind-mounted read-only as a directory,
     * so that a rename in it is seen inside (a file mount would pin the old inode). The tool writes the
     * files with mode 0600, as key material should be, so the containers run as the files' owner (as a
     * Kubernetes pod runs as the user its Secret is readable by) instead of loosening the files.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class SharedKeyDirectory {
        private Path keys;
        private final List<GenericContainer<?>> nodes = new ArrayList<>();

        @BeforeAll
        void start(@TempDir Path dir) throws Exception {
            assumeTrue(docker, "no Docker engine");
            keys = Files.createDirectory(dir.resolve("keys"));
            rotate(); // creates the three keys
            for (int i = 0; i < NODES; i++) {
                nodes.add(node());
            }
            long started = System.nanoTime();
            Startables.deepStart(nodes).join();
            log("three serve nodes on a key directory started in " + millis(started) + " ms");
        }

        private GenericContainer<?> node() throws Exception {
            String owner = Files.getAttribute(keys, "unix:uid") + ":" + Files.getAttribute(keys, "unix:gid");
            return serve("--ticket-keys", "/keys/current.key", "/keys/next.key", "/keys/previous.key")
                    .withFileSystemBind(keys.toString(), "/keys", BindMode.READ_ONLY)
                    .withCreateContainerCmdModifier(create -> create.withUser(owner));
        }

        @AfterAll
        void stop() {
            stopAll(nodes);
        }

        private int[] ports() {
            return nodes.stream().mapToInt(node -> node.getMappedPort(8443)).toArray();
        }

        /** {@code ossl-tickets keys rotate --format nginx DIR}: every file replaced by an atomic rename. */
        private void rotate() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = Keys.run(new String[] {"rotate", "--format", "nginx", keys.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
        }

        private String sealingKeyName() throws Exception {
            return HexFormat.of().formatHex(TicketKeyFiles.load(TicketKeyFiles.nginxDirectory(keys),
                    TicketKeyFormat.NGINX).active().name());
        }

        /** Rotates, then waits until every node has reloaded its files. */
        private void rotateAndAwaitReloads() throws Exception {
            int[] ports = ports();
            long[] before = new long[ports.length];
            for (int i = 0; i < ports.length; i++) {
                before[i] = counter(stats(ports[i]), "key-reloads");
            }
            long started = System.nanoTime();
            rotate();
            for (int i = 0; i < ports.length; i++) {
                int node = i;
                await(Duration.ofSeconds(10), "node " + node + " to reload the rotated key files",
                        () -> reloads(ports[node]) > before[node]);
            }
            log("rotated; all three nodes reloaded within " + millis(started) + " ms");
        }

        private long reloads(int port) {
            try {
                return counter(stats(port), "key-reloads");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Test
        @Order(1)
        @Timeout(60)
        void aTicketIssuedByOneNodeResumesAtTheOtherTwoWithItsAppData(@TempDir Path dir) throws Exception {
            for (int i = 0; i < NODES; i++) {
                assertEquals("files", Peers.fields(stats(ports()[i])).get("key-source"), "node " + i);
            }
            aTicketFromOneNodeResumesAtTheOthers(ports(), dir);
        }

        /**
         * Three clients resume in a loop round the fleet for about 10 s while the directory is rotated
         * twice. Tickets under the key that sealed before the first rotation resume after it and are
         * renewed; after the second rotation that key is gone from the files and its ticket gets a
         * full handshake.
         */
        @Test
        @Order(2)
        @Timeout(120)
        void rotationUnderLoadFailsNoHandshakeRenewsOldTicketsAndDropsRetiredKeys(@TempDir Path dir) throws Exception {
            int[] ports = ports();
            String oldKey = sealingKeyName();
            Path old12 = dir.resolve("old-key-tls12.sess");
            Path old13 = dir.resolve("old-key-tls13.sess");
            String issued12 = issue(ports[0], "-tls1_2", old12).fields().get("ticket-issued-appdata");
            String issued13 = issue(ports[0], "-tls1_3", old13).fields().get("ticket-issued-appdata");
            long started = System.nanoTime();
            List<Load> perClient;
            try (Clients clients = new Clients(3, ports, dir)) {
                Thread.sleep(2_500);
                rotateAndAwaitReloads();
                assertNotEquals(oldKey, sealingKeyName());
                // The old key now only opens: its tickets resume at another node and are renewed.
                for (Path session : List.of(old12, old13)) {
                    String tls = session == old12 ? "-tls1_2" : "-tls1_3";
                    Answer renewed = connect(ports[1], tls, "-sess_in", session.toString());
                    assertTrue(renewed.resumed(), tls + " ticket under the previous key: " + renewed.output());
                    assertEquals(session == old12 ? issued12 : issued13, renewed.fields().get("ticket-appdata"));
                    assertTrue(renewed.ticketsIssued() > 0, tls + " not renewed: " + renewed.output());
                }
                long renewedAtNode1 = renewedByKey(stats(ports[1])).getOrDefault(oldKey, 0L);
                assertTrue(renewedAtNode1 >= 2, "node 1's /stats: renewed " + renewedAtNode1 + " under " + oldKey);
                Thread.sleep(2_500);
                rotateAndAwaitReloads();
                Thread.sleep(2_500);
                perClient = clients.stop();
            }
            Load load = Load.total(perClient);
            log("key directory, rotated twice under load in " + millis(started) + " ms: " + load + "; per client "
                    + perClient);
            assertEquals(0, load.failed(), String.join("\n", load.failures()));
            for (Load tls13 : perClient.subList(1, perClient.size())) {
                assertEquals(0, tls13.fullAfterFirst(), "a TLS 1.3 client gets each renewed ticket: " + tls13);
            }
            // s_client keeps the ticket it resumed with when a TLS 1.2 resumption renews it (OpenSSL calls no
            // new-session callback then), so the TLS 1.2 client offers its first ticket until its key is gone:
            // one full handshake after the second rotation, and it resumes again after that.
            assertTrue(perClient.get(0).fullAfterFirst() <= 1, "the TLS 1.2 client: " + perClient.get(0));
            long renewed = 0;
            for (int port : ports) {
                String stats = stats(port);
                renewed += renewedByKey(stats).values().stream().mapToLong(Long::longValue).sum();
                assertEquals(0, counter(stats, "key-reload-failures"), stats);
            }
            log("key directory: " + renewed + " tickets renewed under the keys still held");
            // /stats lists the keys held now: the first key's renewals are gone with it, but the TLS 1.3
            // clients resumed after it was removed, which they could only do on renewed tickets. The
            // key now previous renewed theirs after the second rotation.
            assertTrue(renewed > 0, "renewals under the previous key after the second rotation: " + renewed);
            // Two rotations later the first key is in no file: its tickets get a full handshake.
            for (Path session : List.of(old12, old13)) {
                Answer full = connect(ports[2], session == old12 ? "-tls1_2" : "-tls1_3", "-sess_in", session.toString());
                assertEquals("no", full.fields().get("resumed"), "a ticket under a removed key: " + full.output());
                assertTrue(full.ticketsIssued() > 0, "a new ticket after the full handshake: " + full.output());
            }
        }

        /** Node 2 is stopped while the others issue tickets, and started again: it resumes them. */
        @Test
        @Order(3)
        @Timeout(120)
        void aRestartedNodeResumesTicketsTheOthersIssued(@TempDir Path dir) throws Exception {
            long started = System.nanoTime();
            nodes.get(2).stop();
            Map<Path, String> issued = new java.util.LinkedHashMap<>();
            for (int node = 0; node < 2; node++) {
                for (String tls : List.of("-tls1_2", "-tls1_3")) {
                    Path session = dir.resolve("node-" + node + tls + ".sess");
                    int port = nodes.get(node).getMappedPort(8443);
                    issued.put(session, issue(port, tls, session).fields().get("ticket-issued-appdata"));
                }
            }
            nodes.set(2, node());
            nodes.get(2).start();
            log("node 2 restarted in " + millis(started) + " ms");
            for (Map.Entry<Path, String> ticket : issued.entrySet()) {
                String tls = ticket.getKey().toString().contains("tls1_2") ? "-tls1_2" : "-tls1_3";
                Answer resumed = connect(ports()[2], tls, "-sess_in", ticket.getKey().toString());
                assertTrue(resumed.resumed(), ticket.getKey().getFileName() + " at the restarted node: " + resumed.output());
                assertEquals(ticket.getValue(), resumed.fields().get("ticket-appdata"));
            }
        }
    }

    // ---- the fleet on Redis ---------------------------------------------------------------------------

    /**
     * Three nodes and Debian's redis-server on a network the test makes; the nodes reach Redis by its
     * alias and rotate through it every 2 s, keeping each key 6 s after it stops sealing.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class SharedThroughRedis {
        private static final Duration PERIOD = Duration.ofSeconds(2);
        private static final Duration RETAIN = Duration.ofSeconds(6);
        private Network network;
        private GenericContainer<?> redis;
        private final List<GenericContainer<?>> nodes = new ArrayList<>();

        @BeforeAll
        @SuppressWarnings("resource") // stopped by @AfterAll
        void start() {
            assumeTrue(docker, "no Docker engine");
            long started = System.nanoTime();
            network = Network.newNetwork();
            redis = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
                    .withNetwork(network).withNetworkAliases("redis")
                    .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
            redis.start();
            for (int i = 0; i < NODES; i++) {
                nodes.add(serve("--redis", "redis://redis:6379", "--rotate", PERIOD.toSeconds() + "s," + RETAIN.toSeconds() + "s")
                        .withNetwork(network));
            }
            Startables.deepStart(nodes).join();
            log("Redis and three serve nodes started in " + millis(started) + " ms");
        }

        @AfterAll
        void stop() {
            stopAll(nodes);
            if (redis != null) {
                redis.stop();
            }
            if (network != null) {
                network.close();
            }
        }

        private int[] ports() {
            return nodes.stream().mapToInt(node -> node.getMappedPort(8443)).toArray();
        }

        private Set<String> keyNames() throws Exception {
            Set<String> names = new HashSet<>();
            for (int port : ports()) {
                names.addAll(renewedByKey(stats(port)).keySet());
            }
            return names;
        }

        @Test
        @Order(1)
        @Timeout(60)
        void aTicketIssuedByOneNodeResumesAtTheOtherTwoWithItsAppData(@TempDir Path dir) throws Exception {
            for (int port : ports()) {
                assertEquals("redis", Peers.fields(stats(port)).get("key-source"));
            }
            aTicketFromOneNodeResumesAtTheOthers(ports(), dir);
        }

        /**
         * Three clients for 10 s while the fleet rotates every 2 s: no failed handshake, every connection
         * resumes, tickets under earlier keys are renewed, and a ticket older than the retention gets a
         * full handshake.
         */
        @Test
        @Order(2)
        @Timeout(120)
        void rotationUnderLoadFailsNoHandshakeAndRenews(@TempDir Path dir) throws Exception {
            int[] ports = ports();
            Path old = dir.resolve("old.sess");
            issue(ports[0], "-tls1_3", old);
            Set<String> namesBefore = keyNames();
            long started = System.nanoTime();
            List<Load> perClient;
            try (Clients clients = new Clients(3, ports, dir)) {
                Thread.sleep(10_000);
                perClient = clients.stop();
            }
            Load load = Load.total(perClient);
            Set<String> namesAfter = keyNames();
            long renewed = 0;
            for (int port : ports) {
                renewed += renewedByKey(stats(port)).values().stream().mapToLong(Long::longValue).sum();
            }
            log("Redis, rotating every " + PERIOD.toSeconds() + " s, under load for " + millis(started) + " ms: " + load
                    + "; " + renewed + " renewed; key names before " + namesBefore.size() + ", after " + namesAfter.size());
            assertEquals(0, load.failed(), String.join("\n", load.failures()));
            for (Load tls13 : perClient.subList(1, perClient.size())) {
                assertEquals(0, tls13.fullAfterFirst(), "a TLS 1.3 client gets each renewed ticket: " + tls13);
            }
            // The TLS 1.2 client keeps its first ticket (see the key-directory test) until its key is retired,
            // 8 s after it began sealing: at most two full handshakes in 10 s.
            assertTrue(perClient.get(0).fullAfterFirst() <= 2, "the TLS 1.2 client: " + perClient.get(0));
            assertTrue(renewed > 0, "tickets under earlier keys were renewed");
            Set<String> added = new HashSet<>(namesAfter);
            added.removeAll(namesBefore);
            assertTrue(added.size() >= 3, "10 s at a 2 s period brings new keys: " + added);
            // Sealed more than 10 s ago, longer than a period plus the retention: no node opens it.
            Answer full = connect(ports[1], "-tls1_3", "-sess_in", old.toString());
            assertEquals("no", full.fields().get("resumed"), "a ticket past retention: " + full.output());
        }

        /**
         * Redis is paused (its connections hang, the harder case than a refused one) for 6 s under load,
         * then unpaused: no failed handshake, every node counted Redis unavailable, and rotation resumes:
         * key names appear that no node knew when Redis came back.
         */
        @Test
        @Order(3)
        @Timeout(120)
        void redisAwayForAWhileFailsNoHandshakeAndRotationResumes(@TempDir Path dir) throws Exception {
            int[] ports = ports();
            var client = DockerClientFactory.instance().client();
            long started = System.nanoTime();
            Load load;
            Set<String> namesAtReturn;
            try (Clients clients = new Clients(3, ports, dir)) {
                Thread.sleep(1_000);
                client.pauseContainerCmd(redis.getContainerId()).exec();
                try {
                    Thread.sleep(6_000);
                } finally {
                    client.unpauseContainerCmd(redis.getContainerId()).exec();
                }
                for (int i = 0; i < ports.length; i++) {
                    String stats = stats(ports[i]);
                    assertTrue(counter(stats, "redis-unavailable") > 0, "node " + i + ":\n" + stats);
                }
                namesAtReturn = keyNames();
                await(Duration.ofSeconds(20), "new key names after Redis returned", () -> {
                    try {
                        Set<String> now = keyNames();
                        now.removeAll(namesAtReturn);
                        return !now.isEmpty();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                log("Redis back; rotation resumed " + millis(started) + " ms after the load began");
                load = Load.total(clients.stop());
            }
            log("Redis paused 6 s under load: " + load);
            assertEquals(0, load.failed(), String.join("\n", load.failures()));
            assertTrue(load.resumed() > 0, load.toString());
        }

        /**
         * Node 2 is replaced by a new container while the others go on issuing tickets; the newest ones,
         * issued while it was starting, resume at it with their app data: it took the fleet's keys from
         * Redis. (Keys live 8 s here, longer than a start, so the test keeps issuing until the node is up.)
         */
        @Test
        @Order(4)
        @Timeout(120)
        void aRestartedNodeResumesTicketsTheOthersIssued(@TempDir Path dir) throws Exception {
            long started = System.nanoTime();
            nodes.get(2).stop();
            GenericContainer<?> replacement = serve("--redis", "redis://redis:6379",
                    "--rotate", PERIOD.toSeconds() + "s," + RETAIN.toSeconds() + "s").withNetwork(network);
            nodes.set(2, replacement);
            AtomicReference<Throwable> startFailure = new AtomicReference<>();
            Thread starting = new Thread(() -> {
                try {
                    replacement.start();
                } catch (Throwable e) {
                    startFailure.set(e);
                }
            }, "restart node 2");
            starting.start();
            Map<Path, String> issued = new java.util.LinkedHashMap<>();
            int rounds = 0;
            do { // the newest tickets of nodes 0 and 1 while node 2 starts
                for (int node = 0; node < 2; node++) {
                    for (String tls : List.of("-tls1_2", "-tls1_3")) {
                        Path session = dir.resolve("node-" + node + tls + ".sess");
                        issued.put(session, issue(nodes.get(node).getMappedPort(8443), tls, session)
                                .fields().get("ticket-issued-appdata"));
                    }
                }
                rounds++;
            } while (starting.isAlive());
            starting.join();
            assertNull(startFailure.get(), () -> "node 2 did not start again: " + startFailure.get());
            log("node 2 replaced in " + millis(started) + " ms; nodes 0 and 1 issued tickets " + rounds + " times meanwhile");
            for (Map.Entry<Path, String> ticket : issued.entrySet()) {
                String tls = ticket.getKey().toString().contains("tls1_2") ? "-tls1_2" : "-tls1_3";
                Answer resumed = connect(replacement.getMappedPort(8443), tls, "-sess_in", ticket.getKey().toString());
                assertTrue(resumed.resumed(), ticket.getKey().getFileName() + " at the new node 2: " + resumed.output());
                assertEquals(ticket.getValue(), resumed.fields().get("ticket-appdata"));
            }
        }
    }

    static long millis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
