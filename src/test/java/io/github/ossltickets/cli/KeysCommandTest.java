package io.github.ossltickets.cli;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyFiles;
import io.github.ossltickets.keys.TicketKeyFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ossl-tickets keys}: new files and rotations in nginx's and HAProxy's layouts. */
@Timeout(30)
class KeysCommandTest {
    @TempDir
    Path dir;

    private String lastOutput = "";

    private int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        lastOutput = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        return status;
    }

    private static String name(TicketKey key) {
        return HexFormat.of().formatHex(key.name());
    }

    @Test
    void newWritesOwnerOnlyFilesInEitherLayout() throws IOException {
        Path nginx = dir.resolve("ticket.key");
        assertEquals(0, run("keys", "new", "--format", "nginx", nginx.toString()), lastOutput);
        assertEquals(80, Files.size(nginx));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nginx)));
        assertFalse(lastOutput.contains(HexFormat.of().formatHex(Files.readAllBytes(nginx)).substring(32)),
                "never prints key material");

        Path small = dir.resolve("small.key");
        assertEquals(0, run("keys", "new", "--format", "nginx", "--aes128", small.toString()), lastOutput);
        assertEquals(48, Files.size(small));

        Path haproxy = dir.resolve("tls-ticket-keys");
        assertEquals(0, run("keys", "new", "--format", "haproxy", haproxy.toString()), lastOutput);
        assertEquals(3, TicketKeyFiles.parseHaproxy(Files.readAllBytes(haproxy), "f").size());
        assertEquals(1, run("keys", "new", "--format", "haproxy", haproxy.toString()), "does not overwrite");
    }

    @Test
    void rotatingAnNginxDirectoryMovesNextToCurrentAndCurrentToPrevious() throws IOException {
        Path keys = dir.resolve("keys");
        assertEquals(0, run("keys", "rotate", "--format", "nginx", keys.toString()), lastOutput);
        List<Path> files = TicketKeyFiles.nginxDirectory(keys);
        KeySet before = TicketKeyFiles.load(files, TicketKeyFormat.NGINX);
        byte[] nextBytes = Files.readAllBytes(files.get(1));
        byte[] currentBytes = Files.readAllBytes(files.get(0));

        assertEquals(0, run("keys", "rotate", "--format", "nginx", keys.toString()), lastOutput);
        assertArrayEquals(nextBytes, Files.readAllBytes(files.get(0)), "next became current");
        assertArrayEquals(currentBytes, Files.readAllBytes(files.get(2)), "current became previous");
        KeySet after = TicketKeyFiles.load(files, TicketKeyFormat.NGINX);
        assertEquals(name(before.previous().get(0)), name(after.active()));
        assertEquals(3, after.all().size());
        for (Path file : files) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void rotatingAnHaproxyFileAppendsAKeyAndTheOldNextSeals() throws IOException {
        Path file = dir.resolve("tls-ticket-keys");
        assertEquals(0, run("keys", "new", "--format", "haproxy", "--aes128", file.toString()), lastOutput);
        KeySet before = TicketKeyFiles.load(List.of(file), TicketKeyFormat.HAPROXY);
        assertEquals(0, run("keys", "rotate", "--format", "haproxy", file.toString()), lastOutput);
        KeySet after = TicketKeyFiles.load(List.of(file), TicketKeyFormat.HAPROXY);
        assertEquals(name(before.next().get(0)), name(after.active()));
        assertEquals(name(before.active()), name(after.previous().get(0)));
        assertEquals(16, after.next().get(0).aesKey().length, "keeps the file's AES size");
        assertEquals(3, TicketKeyFiles.parseHaproxy(Files.readAllBytes(file), "f").size());
    }

    @Test
    void badUsageSaysWhy() {
        assertEquals(2, run("keys", "new", dir.resolve("x").toString()));
        assertTrue(lastOutput.contains("--format"), lastOutput);
        assertEquals(2, run("keys", "new", "--format", "caddy", dir.resolve("x").toString()));
        assertTrue(lastOutput.contains("unknown --format caddy"), lastOutput);
        assertEquals(1, run("keys", "show", "--format", "nginx", "/dev/zero"));
        assertTrue(lastOutput.contains("/dev/zero"), lastOutput);
    }

    /** A rotation refuses to run while another holds the key directory's lock, and runs once it is free. */
    @Test
    void aSecondConcurrentRotationIsRefused() throws IOException {
        Path keys = dir.resolve("keys");
        assertEquals(0, run("keys", "rotate", "--format", "nginx", keys.toString()), lastOutput);
        byte[] next = Files.readAllBytes(keys.resolve("next.key"));
        Path haproxy = dir.resolve("haproxy.keys");
        assertEquals(0, run("keys", "new", "--format", "haproxy", haproxy.toString()), lastOutput);
        for (Path lockFile : List.of(keys.resolve(".ossl-tickets-rotate.lock"), dir.resolve(".ossl-tickets-rotate.lock"))) {
            try (java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(lockFile,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = other.lock()) {
                Path target = lockFile.getParent().equals(keys) ? keys : haproxy;
                String format = target == keys ? "nginx" : "haproxy";
                byte[] before = Files.readAllBytes(target == keys ? keys.resolve("next.key") : haproxy);
                assertEquals(1, run("keys", "rotate", "--format", format, target.toString()));
                assertTrue(lastOutput.contains("another keys rotate is running on") && lastOutput.contains(lockFile.toString()),
                        lastOutput);
                assertArrayEquals(before, Files.readAllBytes(target == keys ? keys.resolve("next.key") : haproxy),
                        "nothing rotated");
            }
        }
        assertEquals(0, run("keys", "rotate", "--format", "nginx", keys.toString()), lastOutput);
        assertArrayEquals(next, Files.readAllBytes(keys.resolve("current.key")), "a free lock rotates");
    }

    /** File errors whose JDK message is only a path are described by what happened, with the path. */
    @Test
    void fileErrorsSayWhatHappenedNotJustThePath() {
        Path missingDir = dir.resolve("missing").resolve("x.key");
        assertEquals(1, run("keys", "new", "--format", "nginx", missingDir.toString()));
        assertTrue(lastOutput.contains(dir.resolve("missing").toString()) && lastOutput.contains("no such file or directory"),
                lastOutput);
        assertEquals(1, run("keys", "new", "--format", "nginx", "/proc/x.key"));
        assertTrue(lastOutput.matches("(?s).*failed: /proc/\\S*: \\S.*"), "a reason after the path: " + lastOutput);
        assertEquals(1, run("keys", "rotate", "--format", "haproxy", dir.resolve("absent").toString()));
        assertTrue(lastOutput.contains(dir.resolve("absent").toString()) && lastOutput.matches("(?s).*absent\\S*: \\S.*"),
                lastOutput);
    }
}
