package io.github.ossltickets.cli;

import io.github.ossltickets.ProcessChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * serve's ticket keys (--ticket-keys files reloaded live, --rotate, --redis) against openssl s_client:
 * tickets move between two servers sharing key files, survive a rotation by rename, a corrupt
 * replacement changes nothing, self-rotation renews and then expires old tickets, and /stats shows
 * the per-key counters without ever showing key material. All traffic stays on 127.0.0.1.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeKeysIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final PrintStream EVENTS = new PrintStream(OutputStream.nullOutputStream(), true,
            StandardCharsets.UTF_8);

    private static Serve.Running serve(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        args.addAll(List.of(options));
        return Serve.start(Serve.Options.parse(args.toArray(new String[0])), EVENTS);
    }

    /** An nginx key file's 80 bytes: name 16, HMAC key 32, AES key 32. */
    private static byte[] nginxKey() {
        byte[] key = new byte[80];
        RANDOM.nextBytes(key);
        return key;
    }

    private static String name(byte[] key) {
        return HexFormat.of().formatHex(key, 0, 16);
    }

    /** Replaces {@code target} by a rename, as key rotation tools (and nginx's users) do. */
    private static void renameOver(Path target, byte[] content) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temporary, content);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** serve's /stats over TLS, as a user reads it: openssl s_client sending GET /stats. */
    private static Map<String, String> httpStats(int port) throws Exception {
        Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-quiet")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write("GET /stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl s_client GET /stats");
        assertTrue(output.contains("key-source: "), output);
        return Peers.fields(output);
    }

    /** The sealed, opened and renewed counts /stats shows for the key named {@code name}; null if not listed. */
    private static long[] keyUse(String stats, String name) {
        Matcher line = Pattern.compile("(?m)^key " + name + ": sealed (\\d+) opened (\\d+) renewed (\\d+)$")
                .matcher(stats);
        return line.find() ? new long[] {Long.parseLong(line.group(1)), Long.parseLong(line.group(2)),
                Long.parseLong(line.group(3))} : null;
    }

    private static List<String> keyNames(String stats) {
        return stats.lines().filter(line -> line.matches("key [0-9a-f]{32}: .*"))
                .map(line -> line.substring(4, 36)).collect(Collectors.toList());
    }

    /** Key material never shows: no 8-byte run of a key's HMAC or AES part, in hex, is in {@code stats}. */
    private static void assertNoKeyMaterial(String stats, byte[]... keys) {
        for (byte[] key : keys) {
            String secret = HexFormat.of().formatHex(key, 16, key.length);
            for (int i = 0; i + 16 <= secret.length(); i += 2) {
                assertFalse(stats.contains(secret.substring(i, i + 16)), "key material in /stats:\n" + stats);
            }
        }
    }

    private static void waitFor(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + limit + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void twoServersSharingNginxKeyFilesResumeEachOthersTickets(String tls, @TempDir Path dir) throws Exception {
        byte[] current = nginxKey();
        byte[] previous = nginxKey();
        Path currentFile = Files.write(dir.resolve("current.key"), current);
        Path previousFile = Files.write(dir.resolve("previous.key"), previous);
        Path session = dir.resolve("session.pem");
        try (Serve.Running first = serve("--ticket-keys", currentFile.toString(), previousFile.toString());
             Serve.Running second = serve("--ticket-keys", currentFile.toString(), "--ticket-keys",
                     previousFile.toString())) {
            Map<String, String> issued = Peers.fields(Peers.sClient(first.port(), tls, "-sess_out", session.toString()));
            assertEquals("no", issued.get("resumed"), issued.toString());
            Map<String, String> resumed = Peers.fields(Peers.sClient(second.port(), tls, "-sess_in", session.toString()));
            assertEquals("yes", resumed.get("resumed"), "a ticket from the other server: " + resumed);
            assertEquals(issued.get("ticket-issued-appdata"), resumed.get("ticket-appdata"), "with its app data");

            Map<String, String> stats = httpStats(first.port());
            assertEquals("files", stats.get("key-source"));
            assertEquals(name(current), stats.get("key-active"), "the first file seals");
            assertEquals(List.of(name(current), name(previous)), keyNames(first.stats()));
            assertTrue(keyUse(first.stats(), name(current))[0] >= 1, first.stats());
            assertEquals(1, keyUse(second.stats(), name(current))[1], "opened once at the second: " + second.stats());
            assertEquals("0", stats.get("key-reloads"));
            assertEquals("0", stats.get("key-reload-failures"));
            assertEquals("0", stats.get("keys-unknown-name"));
            assertNoKeyMaterial(first.stats() + second.stats(), current, previous);
        }
    }

    @Test
    void aRotationByRenameWhileClientsResumeDropsNoHandshakeAndRenewsTheOldKeysTicket(@TempDir Path dir)
            throws Exception {
        byte[] k1 = nginxKey();
        byte[] k2 = nginxKey();
        Path current = Files.write(dir.resolve("current.key"), k1);
        Path previous = Files.write(dir.resolve("previous.key"), k1); // no previous key yet: the same key twice
        Path session = dir.resolve("session.pem");
        try (Serve.Running server = serve("--tls", "1.2", "--ticket-keys", current.toString(), previous.toString())) {
            Peers.sClient(server.port(), "-tls1_2", "-sess_out", session.toString());
            // Clients resume all through the rotation; every handshake must succeed.
            AtomicBoolean rotating = new AtomicBoolean(true);
            ExecutorService clients = Executors.newSingleThreadExecutor();
            Future<List<String>> answers = clients.submit(() -> {
                List<String> resumed = new ArrayList<>();
                while (rotating.get() || resumed.size() < 3) {
                    resumed.add(Peers.fields(Peers.sClient(server.port(), "-tls1_2", "-sess_in", session.toString()))
                            .getOrDefault("resumed", "failed"));
                }
                return resumed;
            });
            try {
                Thread.sleep(200);
                renameOver(previous, k1); // what a rotation tool does: the sealing key moves down...
                renameOver(current, k2);  // ...and the new key takes its place
                waitFor("the new key seals", Duration.ofSeconds(10),
                        () -> server.stats().contains("key-active: " + name(k2)));
                Thread.sleep(200);
            } finally {
                rotating.set(false);
                clients.shutdown();
            }
            List<String> resumed = answers.get(30, TimeUnit.SECONDS);
            assertFalse(resumed.contains("failed"), "every handshake answered: " + resumed);
            assertEquals(List.of("yes"), resumed.stream().distinct().toList(), "the k1 ticket resumed throughout");

            String stats = server.stats();
            assertTrue(stats.contains("connections-failed: 0"), stats);
            assertTrue(stats.contains("key-reloads: 1") || stats.contains("key-reloads: 2"), stats);
            assertEquals(List.of(name(k2), name(k1)), keyNames(stats));
            long[] oldKey = keyUse(stats, name(k1));
            assertTrue(oldKey[2] >= 1, "a k1 ticket resumed after the rotation is renewed: " + stats);
            Map<String, String> renewed = Peers.fields(Peers.sClient(server.port(), "-tls1_2", "-sess_in",
                    session.toString()));
            assertEquals("yes", renewed.get("resumed"));
            assertEquals("1", renewed.get("tickets-issued"), "a renewed ticket, under k2: " + renewed);
            assertTrue(keyUse(server.stats(), name(k2))[0] >= 1, server.stats());
            assertNoKeyMaterial(server.stats(), k1, k2);
        }
    }

    @Test
    void aCorruptReplacementKeepsTheKeysAndIsCounted(@TempDir Path dir) throws Exception {
        byte[] key = nginxKey();
        Path file = Files.write(dir.resolve("ticket.key"), key);
        Path session = dir.resolve("session.pem");
        try (Serve.Running server = serve("--ticket-keys", file.toString())) {
            Peers.sClient(server.port(), "-tls1_3", "-sess_out", session.toString());
            renameOver(file, Arrays.copyOf(key, 79));
            waitFor("the failed reload is counted", Duration.ofSeconds(10),
                    () -> server.stats().contains("key-reload-failures: 1"));
            String stats = server.stats();
            assertTrue(stats.contains("key-active: " + name(key)), stats);
            assertTrue(stats.contains("key-reloads: 0"), stats);
            assertTrue(stats.contains("key-reload-error: the ticket key file " + file + " has 79 bytes"), stats);
            Map<String, String> resumed = Peers.fields(Peers.sClient(server.port(), "-tls1_3", "-sess_in",
                    session.toString()));
            assertEquals("yes", resumed.get("resumed"), "the keys in use stayed: " + resumed);
            assertEquals("1", httpStats(server.port()).get("key-reload-failures"));
            assertNoKeyMaterial(server.stats(), key);
        }
    }

    /** HAProxy's line: base64 of name 16, AES key 32, HMAC key 32. */
    private static String haproxyLine(byte[] nameAesHmac) {
        return Base64.getEncoder().encodeToString(nameAesHmac) + "\n";
    }

    @Test
    void anHaproxyFileSealsWithItsSecondToLastLineAndRotatesByAppending(@TempDir Path dir) throws Exception {
        byte[][] keys = {nginxKey(), nginxKey(), nginxKey(), nginxKey()};
        Path file = dir.resolve("tls-ticket-keys");
        Files.writeString(file, haproxyLine(keys[0]) + haproxyLine(keys[1]) + haproxyLine(keys[2]));
        Path session = dir.resolve("session.pem");
        try (Serve.Running server = serve("--ticket-keys", file.toString(), "--ticket-keys-format", "haproxy")) {
            assertTrue(server.stats().contains("key-active: " + name(keys[1])), server.stats());
            Peers.sClient(server.port(), "-tls1_3", "-sess_out", session.toString());
            assertTrue(keyUse(server.stats(), name(keys[1]))[0] >= 1, server.stats());
            Path rotated = dir.resolve("next");
            Files.writeString(rotated, Files.readString(file) + haproxyLine(keys[3]));
            Files.move(rotated, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            waitFor("the appended line makes the old next key seal", Duration.ofSeconds(10),
                    () -> server.stats().contains("key-active: " + name(keys[2])));
            Map<String, String> resumed = Peers.fields(Peers.sClient(server.port(), "-tls1_3", "-sess_in",
                    session.toString()));
            assertEquals("yes", resumed.get("resumed"), resumed.toString());
            long[] old = keyUse(server.stats(), name(keys[1]));
            assertEquals(1, old[1], server.stats());
            assertEquals(1, old[2], "renewed: " + server.stats());
            assertEquals(List.of(name(keys[2]), name(keys[3]), name(keys[1])), keyNames(server.stats()),
                    "sealing, next and previous: the first line is no longer held");
            assertNoKeyMaterial(server.stats(), keys);
        }
    }

    @Test
    void selfRotationShowsNewKeysAndOldTicketsRenewThenExpire(@TempDir Path dir) throws Exception {
        Path session = dir.resolve("session.pem");
        try (Serve.Running server = serve("--tls", "1.2", "--rotate", "1s,2s")) {
            assertEquals("rotation", httpStats(server.port()).get("key-source"));
            assertTrue(keyNames(server.stats()).size() >= 2, "the active key and the next, published ahead: "
                    + server.stats());
            String before = server.stats();
            Peers.sClient(server.port(), "-tls1_2", "-sess_out", session.toString());
            String stats = server.stats();
            // One TLS 1.2 ticket: its key is the one whose count rose (a rotation may have come since).
            List<String> sealing = keyNames(stats).stream().filter(name -> keyUse(stats, name)[0]
                    > (keyUse(before, name) == null ? 0 : keyUse(before, name)[0])).toList();
            assertEquals(1, sealing.size(), stats);
            String first = sealing.get(0);
            waitFor("a new key seals", Duration.ofSeconds(5),
                    () -> !server.stats().contains("key-active: " + first));
            assertEquals(keyNames(server.stats()).get(0), Peers.fields(server.stats()).get("key-active"));
            Map<String, String> renewed = Peers.fields(Peers.sClient(server.port(), "-tls1_2", "-sess_in",
                    session.toString()));
            assertEquals("yes", renewed.get("resumed"), renewed.toString());
            assertEquals("1", renewed.get("tickets-issued"), "renewed under the new key: " + renewed);
            assertEquals(1, keyUse(server.stats(), first)[2], server.stats());
            // first sealed for 1 s and opens 2 s more; after that its ticket gets a full handshake.
            waitFor("the first key expires", Duration.ofSeconds(6), () -> !keyNames(server.stats()).contains(first));
            Map<String, String> expired = Peers.fields(Peers.sClient(server.port(), "-tls1_2", "-sess_in",
                    session.toString()));
            assertEquals("no", expired.get("resumed"), "an expired key's ticket: " + expired);
            assertTrue(Long.parseLong(Peers.fields(server.stats()).get("keys-unknown-name")) >= 1, server.stats());
        }
    }

    @Test
    void redisDownWithFallbackStartsOnLocalKeysAndSaysSo() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // nothing listens there once closed
        }
        try (Serve.Running server = serve("--redis", "redis://127.0.0.1:" + port, "--redis-fallback")) {
            Map<String, String> stats = httpStats(server.port());
            assertEquals("redis", stats.get("key-source"));
            assertEquals("no", stats.get("redis-available"));
            assertEquals("1", stats.get("redis-unavailable"));
            assertEquals("0", stats.get("redis-rotations"));
            assertTrue(keyUse(server.stats(), stats.get("key-active"))[0] >= 1, "local keys seal: " + server.stats());
        }
    }

    /** Threads this project names, for the leak check. */
    private static List<String> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("ossl-tickets")).sorted().toList();
    }

    @Test
    void stoppingServeStopsEveryKeySourcesThreadAndClosesItsFiles(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("ticket.key"), nginxKey());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        List<String[]> sources = List.of(new String[] {"--ticket-keys", file.toString()},
                new String[] {"--rotate", "1s"},
                new String[] {"--redis", "redis://127.0.0.1:" + closedPort, "--redis-fallback"});
        List<String> threadsBefore = ourThreads();
        Map<String, String> filesBefore = ProcessChecks.fileDescriptorTable();
        for (String[] source : sources) {
            try (Serve.Running server = serve(source)) {
                Peers.sClient(server.port(), "-tls1_3");
                assertNotEquals(threadsBefore, ourThreads(), "the source's thread runs while serving");
            }
            waitFor("no thread or file left by " + String.join(" ", source), Duration.ofSeconds(10),
                    () -> ourThreads().equals(threadsBefore) && ProcessChecks.openedSince(filesBefore).isEmpty());
        }
    }

    @Test
    void serveRunsWithoutJedisUnlessRedisIsAsked(@TempDir Path dir) throws Exception {
        String classPath = Arrays.stream(System.getProperty("surefire.test.class.path",
                        System.getProperty("java.class.path")).split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("jedis")).collect(Collectors.joining(java.io.File.pathSeparator));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // JDK 22+ warns on stderr about JNA's native access without the flag; this test counts stderr's lines.
        Process refused = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                Main.class.getName(), "serve", "--port", "0", "--redis", "redis://127.0.0.1:1").start();
        String err = new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(refused.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, refused.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("--redis needs the Jedis client (redis.clients:jedis)"), err);
        assertTrue(err.contains("java -jar ossl-tickets.jar finds them in lib/ beside it"), err);
        assertTrue(err.contains("on the module path, add the Jedis jar and its dependencies to --module-path and give"
                + " --add-modules redis.clients.jedis"), err);

        Process serving = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                Main.class.getName(), "serve", "--port", "0", "--rotate", "1h")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(serving.getInputStream(),
                StandardCharsets.UTF_8))) {
            String started = out.readLine();
            Matcher port = Pattern.compile("https://127\\.0\\.0\\.1:(\\d+)/").matcher(String.valueOf(started));
            assertTrue(port.find(), "serve started: " + started);
            assertEquals("rotation", httpStats(Integer.parseInt(port.group(1))).get("key-source"));
        } finally {
            serving.destroy();
            assertTrue(serving.waitFor(30, TimeUnit.SECONDS));
        }
    }
}
