package io.github.ossltickets.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line used as a hostile user uses it: damaged key directories, unwritable output,
 * contradictory options. A case that could hang runs the command in a child process, killed at its
 * deadline, so that a regression fails one named test instead of holding the suite.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileCommandLineTest {

    /** What a child process did: its exit status (-1 if it had to be killed), stdout and stderr. */
    private record Outcome(int exit, String out, String err) {}

    /** Runs {@code ossl-tickets args} as scripts/ossl-tickets does, killing it after {@code seconds}. */
    private static Outcome ossltickets(File stdout, int seconds, String... args) throws Exception {
        Path err = Files.createTempFile("hostile-cli", ".err");
        Path out = Files.createTempFile("hostile-cli", ".out");
        try {
            Process process = start(stdout != null ? stdout : out.toFile(), err.toFile(), args);
            int exit = -1;
            if (process.waitFor(seconds, TimeUnit.SECONDS)) {
                exit = process.exitValue();
            } else {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            return new Outcome(exit, Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
            Files.deleteIfExists(out);
        }
    }

    /** Starts {@code ossl-tickets args} in a child JVM, stdin empty, stdout and stderr into files. */
    private static Process start(File stdout, File stderr, String... args) throws IOException {
        return MainProcessTest.ossltickets(args).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout).redirectError(stderr).start();
    }

    private static void mkfifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo " + path);
    }

    /** Runs {@code keys args} in this JVM (for cases that cannot hang): its exit status and stderr. */
    private static Outcome keys(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Keys.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A key directory whose rotation lock file is a FIFO (damaged, or planted by another user): opening it
     * for writing blocks until a reader comes, which never happens, so keys rotate hung for ever (from
     * cron: one more hung process per run). It must fail at once, naming the lock file.
     */
    @Test
    void keysRotateRefusesALockFileThatIsAFifo(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve(Keys.LOCK_FILE);
        mkfifo(lock);
        Outcome outcome = ossltickets(null, 10, "keys", "rotate", "--format", "nginx", dir.toString());
        assertEquals(1, outcome.exit(), "exit status (-1: killed after hanging); stderr: " + outcome.err());
        assertTrue(outcome.err().contains(lock.toString()) && outcome.err().contains("not a regular file"),
                outcome.err());
        assertFalse(Files.exists(dir.resolve("current.key")), "no rotation without the lock");
    }

    /**
     * keys rotate --format haproxy takes the key FILE; given a directory it took a lock in the directory's
     * parent before finding out, and given / it failed with a NullPointerException's text ("Cannot invoke
     * ... because dir is null"), which names neither the path nor the problem.
     */
    @Test
    void keysRotateHaproxyGivenADirectoryNamesIt(@TempDir Path dir) throws Exception {
        Outcome root = keys("rotate", "--format", "haproxy", "/");
        assertEquals(1, root.exit(), root.err());
        assertTrue(root.err().contains("/ is a directory") && !root.err().contains("null"), root.err());
        Path keyDirectory = Files.createDirectory(dir.resolve("keys"));
        Outcome directory = keys("rotate", "--format", "haproxy", keyDirectory.toString());
        assertEquals(1, directory.exit(), directory.err());
        assertTrue(directory.err().contains(keyDirectory + " is a directory"), directory.err());
        assertFalse(Files.exists(dir.resolve(Keys.LOCK_FILE)), "no lock taken for a command that cannot run");
    }

    /**
     * Options that contradict, or that the action ignores, ran silently: {@code keys new --format nginx
     * --format haproxy} wrote a HAProxy file (the last --format won), and {@code keys rotate --format haproxy
     * --aes128} appended an AES-256 key to an AES-256 file. Each is a usage error now, and nothing is written.
     */
    @Test
    void keysRefusesARepeatedFormatAndAnAes128ItWouldIgnore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ticket.key");
        Outcome twice = keys("new", "--format", "nginx", "--format", "haproxy", file.toString());
        assertEquals(2, twice.exit(), twice.err());
        assertTrue(twice.err().contains("--format is given twice"), twice.err());
        assertFalse(Files.exists(file), "nothing written");

        Path haproxy = dir.resolve("tls-ticket-keys");
        assertEquals(0, keys("new", "--format", "haproxy", haproxy.toString()).exit());
        byte[] before = Files.readAllBytes(haproxy);
        Outcome ignored = keys("rotate", "--format", "haproxy", "--aes128", haproxy.toString());
        assertEquals(2, ignored.exit(), ignored.err());
        assertTrue(ignored.err().contains("--aes128"), ignored.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(haproxy)), "the file is unchanged");

        Outcome show = keys("show", "--format", "haproxy", "--aes128", haproxy.toString());
        assertEquals(2, show.exit(), show.err());
    }

    /**
     * {@code ossl-tickets --help} listed demo, matrix and serve but not keys, so the key tools could not be
     * found from the command line; and keys took {@code --format nginx} but refused {@code --format=nginx}
     * as an "unknown option", which serve takes and the README says every option takes.
     */
    @Test
    void theKeysCommandIsListedAndTakesFormatWithAnEqualsSign(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"--help"}, new PrintStream(help, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream())));
        assertTrue(help.toString(StandardCharsets.UTF_8).contains("\n  keys "), help.toString(StandardCharsets.UTF_8));

        Path file = dir.resolve("ticket.key");
        Outcome equalsSign = keys("new", "--format=nginx", file.toString());
        assertEquals(0, equalsSign.exit(), equalsSign.err());
        assertEquals(80, Files.size(file));
        Outcome empty = keys("new", "--format=", dir.resolve("other.key").toString());
        assertEquals(2, empty.exit(), empty.err());
        assertTrue(empty.err().contains("--format needs a value"), empty.err());
    }

    /**
     * serve --quiet promises that warnings still print, a line each; a bad replacement key file's warning
     * (and every Redis warning) went through java.util.logging's default format instead: two lines, the
     * first a date and a class and method name. Now one line, "WARNING: ..." naming the file and the reason.
     */
    @Test
    void aKeyReloadWarningIsOneLine(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("ticket.key");
        assertEquals(0, keys("new", "--format", "nginx", key.toString()).exit());
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process serve = start(out.toFile(), err.toFile(), "serve", "--port", "0", "--quiet", "--ticket-keys", key.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(out).contains("https://") && System.nanoTime() < deadline && serve.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(out).contains("https://"), "started: " + Files.readString(err));
            Files.write(key, new byte[10]); // a damaged replacement: the watcher refuses it within 2 s
            while (!Files.readString(err).contains(key + " has 10 bytes") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            serve.destroyForcibly();
            serve.waitFor(10, TimeUnit.SECONDS);
        }
        List<String> lines = Files.readAllLines(err); // the keys loaded at start, then the warning
        assertEquals(2, lines.size(), "the warning in one line: " + lines);
        assertTrue(lines.get(1).startsWith("WARNING: not reloading") && lines.get(1).contains(key + " has 10 bytes"),
                lines.get(1));
    }

    /**
     * serve with stdout on a full disk (/dev/full): it cannot print its banner. It exited 141, as if its
     * reader had gone, with nothing on stderr: a failure that names nothing. It must say that stdout
     * could not be written, and why, and exit 1; 141 stays for a closed pipe.
     */
    @Test
    void serveWhoseStdoutCannotBeWrittenSaysSo() throws Exception {
        Outcome outcome = ossltickets(new File("/dev/full"), 30, "serve", "--port", "0");
        assertEquals(1, outcome.exit(), "exit status (-1: killed); stderr: " + outcome.err());
        assertTrue(outcome.err().contains("stdout") && outcome.err().contains("No space left on device"),
                outcome.err());
    }
}
