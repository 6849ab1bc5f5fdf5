package io.github.ossltickets.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.github.ossltickets.cli.ServeOptionsTest.oneErrorLine;
import static io.github.ossltickets.cli.ServeOptionsTest.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * serve's ticket-key options given as a careless or hostile user would, through the real entry point:
 * each fails fast with one line naming the option (exit 2 for a usage error, 1 when the keys cannot be
 * had), and never starts a server without keys.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeKeyOptionsTest {

    private static void refused(String expected, String... options) {
        String line = oneErrorLine(serve(options), 2);
        assertTrue(line.contains(expected), "expected '" + expected + "' in: " + line);
    }

    private static String fails(String expected, String... options) {
        String line = oneErrorLine(serve(options), 1);
        assertTrue(line.contains(expected), "expected '" + expected + "' in: " + line);
        return line;
    }

    @Test
    void helpListsEveryKeyOption() {
        ServeOptionsTest.Run help = serve("--help");
        assertEquals(0, help.exit());
        for (String option : List.of("--ticket-keys FILE...", "--ticket-keys-format nginx|haproxy",
                "--rotate PERIOD[,RETAIN]", "--redis URI", "--redis-password-env NAME", "--redis-password-file FILE",
                "--redis-key NAME", "--redis-fallback", "--redis-ca FILE")) {
            assertTrue(help.out().contains(option), option + " in\n" + help.out());
        }
    }

    @Test
    void badDurationsAreRefusedWithTheirSpelling() {
        String takes = "--rotate takes PERIOD[,RETAIN], durations such as 500ms, 10s, 5m, 1h or 7d";
        for (String bad : List.of("1", "1x", "10 s", "1.5s", "-1s", "1s,", ",1s", "1s,2s,3s", "s", "1S",
                "9999999999s", "367d", "1s,367d", "1h,1e3s")) {
            refused(takes, "--rotate", bad);
        }
        refused("--rotate: the period must be at least 100ms, not '0s'", "--rotate", "0s");
        refused("--rotate: the period must be at least 100ms", "--rotate", "99ms");
        refused("--rotate: RETAIN may be at most 60 periods (PT1M)", "--rotate", "1s,61s");
        refused("--rotate needs a value, not an empty string", "--rotate=");
        refused("--rotate is given twice", "--rotate", "1s", "--rotate", "2s");
    }

    @Test
    void durationsParseAsDocumented() throws Exception {
        assertEquals(Duration.ofMillis(500), ServeKeyOptions.duration("--rotate", "500ms", "500ms"));
        assertEquals(Duration.ofMinutes(5), ServeKeyOptions.duration("--rotate", "5m", "5m"));
        assertEquals(Duration.ofDays(7), ServeKeyOptions.duration("--rotate", "7d", "7d"));
        var policy = ServeKeyOptions.rotation("1h");
        assertEquals(Duration.ofHours(1), policy.period());
        assertEquals(Duration.ofHours(1), policy.publishAhead(), "published one period ahead");
        assertEquals(Duration.ofHours(7), policy.retain(), "7 periods by default");
        assertEquals(Duration.ZERO, ServeKeyOptions.rotation("10s,0s").retain());
        assertEquals(Duration.ofMinutes(1), ServeKeyOptions.rotation("1s,60s").retain(), "60 periods at most");
    }

    @Test
    void sourcesThatExcludeEachOtherAndOrphanOptionsAreRefused() {
        refused("--ticket-keys and --rotate: give one source of ticket keys", "--ticket-keys", "k", "--rotate", "1h");
        refused("--ticket-keys and --redis: give one source", "--ticket-keys", "k", "--redis", "redis://127.0.0.1");
        refused("--ticket-keys-format is the layout of --ticket-keys, which is not given",
                "--ticket-keys-format", "nginx");
        refused("--ticket-keys-format takes nginx or haproxy, not 'xml'", "--ticket-keys", "k",
                "--ticket-keys-format", "xml");
        refused("--ticket-keys-format haproxy takes one file (a key per line), not 2", "--ticket-keys", "a", "b",
                "--ticket-keys-format", "haproxy");
        refused("--ticket-keys takes a file name, not 'a\\x00b'", "--ticket-keys", "a\0b");
        for (String orphan : List.of("--redis-password-env", "--redis-password-file", "--redis-key", "--redis-ca")) {
            refused(orphan + " goes with --redis, which is not given", orphan, "X");
        }
        refused("--redis-fallback goes with --redis, which is not given", "--redis-fallback");
        refused("unknown option --ticket-key (did you mean --ticket-keys?)", "--ticket-key", "k");
    }

    @Test
    void redisUrisAreCheckedAndAPasswordInOneIsRefusedWithoutRepeatingIt() {
        String line = oneErrorLine(serve("--redis", "redis://admin:hunter2secret@127.0.0.1:6379"), 2);
        assertTrue(line.contains("--redis: the URI holds a password"), line);
        assertTrue(line.contains("--redis-password-env NAME or --redis-password-file FILE"), line);
        assertFalse(line.contains("hunter2secret"), line);
        line = oneErrorLine(serve("--redis", "redis://:hunter2secret@127.0.0.1"), 2);
        assertFalse(line.contains("hunter2secret"), line);
        for (String bad : List.of("http://127.0.0.1:6379", "127.0.0.1:6379", "redis://", "redis:///0",
                "redis://127.0.0.1/db", "redis://127.0.0.1?x=1", "REDIS://127.0.0.1")) {
            refused("--redis takes redis://[user@]host[:port][/db]", "--redis", bad);
        }
        refused("--redis-ca is for TLS (rediss://), and --redis redis://127.0.0.1 is plain redis://",
                "--redis", "redis://127.0.0.1", "--redis-ca", "ca.pem");
        refused("--redis-password-env and --redis-password-file: give one of them", "--redis", "redis://127.0.0.1",
                "--redis-password-env", "X", "--redis-password-file", "f");
        refused("--redis-password-env takes the name of an environment variable", "--redis", "redis://127.0.0.1",
                "--redis-password-env", "1X=y");
        refused("--redis-key takes up to 512 printable characters", "--redis", "redis://127.0.0.1",
                "--redis-key", "a b");
    }

    @Test
    void missingOrHostileKeyFilesFailToStartNamingTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.key");
        fails("--ticket-keys: cannot read the ticket key file " + missing, "--port", "0", "--ticket-keys",
                missing.toString());
        Path good = Files.write(dir.resolve("good.key"), new byte[80]);
        fails("--ticket-keys: cannot read the ticket key file " + missing, "--port", "0", "--ticket-keys",
                good.toString(), missing.toString());
        fails("--ticket-keys: cannot read the ticket key file " + dir + ": it is a directory", "--port", "0",
                "--ticket-keys", dir.toString());
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        fails("--ticket-keys: cannot read the ticket key file " + fifo + ": it is not a regular file", "--port", "0",
                "--ticket-keys", good.toString(), fifo.toString());
        Path haproxy = Files.writeString(dir.resolve("haproxy"), "bm90IGEga2V5\n");
        fails("--ticket-keys: ", "--port", "0", "--ticket-keys", haproxy.toString(), "--ticket-keys-format", "haproxy");
        Path nginxAsHaproxy = Files.write(dir.resolve("nginx-as-haproxy"), new byte[80]);
        fails("--ticket-keys: ", "--port", "0", "--ticket-keys", nginxAsHaproxy.toString(), "--ticket-keys-format",
                "haproxy");
    }

    @Test
    void redisOnAClosedPortRefusesToStartNamingTheUriButNotThePassword(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed when the test connects: nothing listens there
        }
        Path password = Files.writeString(dir.resolve("redis.password"), "s3cret-Passw0rd\n");
        String uri = "redis://ossl@127.0.0.1:" + port + "/2";
        String line = fails("--redis " + uri + " (key ossl-tickets:keys) cannot be used at start", "--port", "0",
                "--redis", uri, "--redis-password-file", password.toString());
        assertTrue(line.contains("give --redis-fallback to start with local keys"), line);
        assertFalse(line.contains("s3cret"), line);
        fails("the --redis-password-file file " + dir.resolve("none") + ": no such file", "--port", "0", "--redis", uri,
                "--redis-password-file", dir.resolve("none").toString());
        String tls = "rediss://127.0.0.1:" + port;
        fails("--redis-ca: cannot read Redis CA certificate file " + dir.resolve("none.pem") + ": no such file",
                "--port", "0", "--redis", tls, "--redis-ca", dir.resolve("none.pem").toString());
        fails("--redis-ca: cannot use the certificates in " + password, "--port", "0", "--redis", tls, "--redis-ca",
                password.toString());
        fails("--redis-password-env OSSL_TICKETS_TEST_UNSET_VARIABLE: the environment variable is not set",
                "--port", "0", "--redis", uri, "--redis-password-env", "OSSL_TICKETS_TEST_UNSET_VARIABLE");
    }
}
