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
}
