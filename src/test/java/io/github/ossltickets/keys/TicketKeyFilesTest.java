package io.github.ossltickets.keys;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.github.ossltickets.keys.Handshakes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nginx and HAProxy key files: layouts, round trips, which key seals, and hostile files. */
@Timeout(30)
class TicketKeyFilesTest {
    @TempDir
    Path dir;

    private static byte[] filled(int length, int first) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (first + i);
        }
        return bytes;
    }

    /** nginx's ngx_ssl_session_ticket_keys: 80 bytes are name | HMAC | AES; 48 bytes are name | AES | HMAC. */
    @Test
    void nginxLayoutsMatchNginxsReader() throws IOException {
        byte[] file80 = filled(80, 0);
        TicketKey aes256 = TicketKeyFiles.parseNginx(file80, "k80");
        assertArrayEquals(Arrays.copyOfRange(file80, 0, 16), aes256.name());
        assertArrayEquals(Arrays.copyOfRange(file80, 16, 48), aes256.hmacKey());
        assertArrayEquals(Arrays.copyOfRange(file80, 48, 80), aes256.aesKey());

        byte[] file48 = filled(48, 100);
        TicketKey aes128 = TicketKeyFiles.parseNginx(file48, "k48");
        assertArrayEquals(Arrays.copyOfRange(file48, 0, 16), aes128.name());
        assertArrayEquals(Arrays.copyOfRange(file48, 16, 32), aes128.aesKey());
        assertArrayEquals(Arrays.copyOfRange(file48, 32, 48), aes128.hmacKey());

        assertArrayEquals(file80, TicketKeyFiles.nginxBytes(aes256), "byte for byte");
        assertArrayEquals(file48, TicketKeyFiles.nginxBytes(aes128), "byte for byte");
    }

    /**
     * An 80-byte nginx file is also what SSL_CTX_set_tlsext_ticket_keys takes: a ticket sealed by OpenSSL's
     * built-in keys set from the file's bytes opens on a server whose ring read the same file.
     */
    @Test
    void an80ByteNginxFileIsOpenSslsOwnLayout() throws IOException {
        Path file = dir.resolve("ticket.key");
        Files.write(file, TicketKeyFiles.nginxBytes(TicketKey.random()));
        for (TlsVersion version : new TlsVersion[] {TlsVersion.TLS1_2, TlsVersion.TLS1_3}) {
            try (SslContext builtIn = Handshakes.server(version); SslContext ring = Handshakes.server(version);
                 SslContext client = Handshakes.client(version)) {
                builtIn.setTicketKeys(Files.readAllBytes(file));
                ring.setTicketKeyCallback(TicketKeyRing.of(TicketKeyFiles.load(List.of(file), TicketKeyFormat.NGINX)));
                SslSession session = Handshakes.firstSession(builtIn, client);
                Handshakes.Outcome outcome = Handshakes.connect(ring, client, session);
                assertTrue(outcome.ok() && outcome.reused(), version + ": " + outcome);
            }
        }
    }

    @Test
    void nginxListTheFirstSealsTheRestOpen() throws IOException {
        TicketKey first = TicketKey.random();
        TicketKey second = Handshakes.randomAes128();
        Path a = dir.resolve("a.key");
        Path b = dir.resolve("b.key");
        Files.write(a, TicketKeyFiles.nginxBytes(first));
        Files.write(b, TicketKeyFiles.nginxBytes(second));
        KeySet keys = TicketKeyFiles.load(List.of(a, b), TicketKeyFormat.NGINX);
        assertEquals(hex(first), hex(keys.active()));
        assertEquals(List.of(hex(second)), keys.previous().stream().map(Handshakes::hex).toList());
        assertTrue(keys.next().isEmpty());
    }

    /** HAProxy: the second-to-last line seals, the last is next, the one before previous; earlier lines unused. */
    @Test
    void haproxyTheSecondToLastLineSeals() throws IOException {
        List<TicketKey> lines = List.of(TicketKey.random(), TicketKey.random(), TicketKey.random(), TicketKey.random());
        Path file = dir.resolve("tls-ticket-keys");
        Files.write(file, TicketKeyFiles.haproxyBytes(lines));
        KeySet keys = TicketKeyFiles.load(List.of(file), TicketKeyFormat.HAPROXY);
        assertEquals(hex(lines.get(2)), hex(keys.active()));
        assertEquals(List.of(hex(lines.get(3))), keys.next().stream().map(Handshakes::hex).toList());
        assertEquals(List.of(hex(lines.get(1))), keys.previous().stream().map(Handshakes::hex).toList());
    }

    /** HAProxy lines are name | AES | HMAC, as its struct tls_sess_key_128/256 lay them out. */
    @Test
    void haproxyLayoutAndRoundTrip() throws IOException {
        byte[] raw80 = filled(80, 0);
        byte[] raw48 = filled(48, 7);
        String file80 = (Base64.getEncoder().encodeToString(raw80) + "\n").repeat(3);
        List<TicketKey> keys = TicketKeyFiles.parseHaproxy(file80.getBytes(StandardCharsets.US_ASCII), "f");
        assertArrayEquals(Arrays.copyOfRange(raw80, 16, 48), keys.get(0).aesKey());
        assertArrayEquals(Arrays.copyOfRange(raw80, 48, 80), keys.get(0).hmacKey());
        assertArrayEquals(file80.getBytes(StandardCharsets.US_ASCII), TicketKeyFiles.haproxyBytes(keys));

        String file48 = (Base64.getEncoder().encodeToString(raw48) + "\n").repeat(3);
        List<TicketKey> keys48 = TicketKeyFiles.parseHaproxy(file48.getBytes(StandardCharsets.US_ASCII), "f");
        assertArrayEquals(Arrays.copyOfRange(raw48, 16, 32), keys48.get(0).aesKey());
        assertArrayEquals(Arrays.copyOfRange(raw48, 32, 48), keys48.get(0).hmacKey());
        assertArrayEquals(file48.getBytes(StandardCharsets.US_ASCII), TicketKeyFiles.haproxyBytes(keys48));
    }

    /** The way HAProxy's manual makes keys: {@code openssl rand 80 | openssl base64 -A}, one line per key. */
    @Test
    void haproxyFileMadeWithTheOpensslCommandLine() throws Exception {
        Path file = dir.resolve("keys");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Process process = new ProcessBuilder("sh", "-c", "openssl rand 80 | openssl base64 -A").start();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            text.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim()).append('\n');
        }
        Files.writeString(file, text);
        KeySet keys = TicketKeyFiles.load(List.of(file), TicketKeyFormat.HAPROXY);
        assertEquals(32, keys.active().aesKey().length);
        assertArrayEquals(Files.readAllBytes(file),
                TicketKeyFiles.haproxyBytes(TicketKeyFiles.parseHaproxy(Files.readAllBytes(file), "f")));
    }

    @Test
    void writtenFilesAreOwnerOnlyAndReplacedWhole() throws IOException {
        Path file = dir.resolve("current.key");
        TicketKeyFiles.write(file, TicketKeyFiles.nginxBytes(TicketKey.random()));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
        byte[] replacement = TicketKeyFiles.nginxBytes(TicketKey.random());
        TicketKeyFiles.write(file, replacement);
        assertArrayEquals(replacement, Files.readAllBytes(file));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
        }
    }

    private IOException loadFails(Path path, TicketKeyFormat format) {
        IOException e = assertThrows(IOException.class, () -> TicketKeyFiles.load(List.of(path), format));
        assertTrue(e.getMessage().contains(path.toString()), "names the path: " + e.getMessage());
        return e;
    }

    @Test
    void hostileFilesFailFastNamingThePath() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        for (TicketKeyFormat format : TicketKeyFormat.values()) {
            assertTrue(loadFails(fifo, format).getMessage().contains("not a regular file"));
            assertTrue(loadFails(Path.of("/dev/zero"), format).getMessage().contains("not a regular file"));
            assertTrue(loadFails(dir, format).getMessage().contains("directory"));
            assertTrue(loadFails(dir.resolve("missing"), format).getMessage().contains("no such file"));
            Path huge = dir.resolve("huge");
            Files.write(huge, new byte[TicketKeyFiles.MAX_FILE_BYTES + 1]);
            assertTrue(loadFails(huge, format).getMessage().contains("larger than"));
        }
        Path wrong = dir.resolve("wrong");
        Files.write(wrong, new byte[79]);
        assertTrue(loadFails(wrong, TicketKeyFormat.NGINX).getMessage().contains("79 bytes"));

        Path badBase64 = dir.resolve("bad64");
        Files.writeString(badBase64, Base64.getEncoder().encodeToString(filled(80, 1)) + "\n%%%not base64%%%\n"
                + Base64.getEncoder().encodeToString(filled(80, 3)) + "\n");
        assertTrue(loadFails(badBase64, TicketKeyFormat.HAPROXY).getMessage().contains("line 2: not base64"));

        Path shortLine = dir.resolve("short");
        Files.writeString(shortLine, (Base64.getEncoder().encodeToString(new byte[64]) + "\n").repeat(3));
        assertTrue(loadFails(shortLine, TicketKeyFormat.HAPROXY).getMessage().contains("line 1: 64 bytes"));

        Path mixed = dir.resolve("mixed");
        Files.writeString(mixed, Base64.getEncoder().encodeToString(filled(80, 1)) + "\n"
                + Base64.getEncoder().encodeToString(filled(48, 2)) + "\n"
                + Base64.getEncoder().encodeToString(filled(80, 3)) + "\n");
        assertTrue(loadFails(mixed, TicketKeyFormat.HAPROXY).getMessage().contains("does not mix"));

        Path twoLines = dir.resolve("two");
        Files.write(twoLines, TicketKeyFiles.haproxyBytes(List.of(TicketKey.random(), TicketKey.random())));
        assertTrue(loadFails(twoLines, TicketKeyFormat.HAPROXY).getMessage().contains("at least 3"));

        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        loadFails(empty, TicketKeyFormat.NGINX);
        loadFails(empty, TicketKeyFormat.HAPROXY);
    }

    @Test
    void sameNameWithOtherMaterialIsRefusedButARepeatedKeyIsNot() throws IOException {
        TicketKey key = TicketKey.random();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        Files.write(a, TicketKeyFiles.nginxBytes(key));
        Files.write(b, TicketKeyFiles.nginxBytes(key));
        Files.write(c, TicketKeyFiles.nginxBytes(new TicketKey(key.name(), TicketKey.random().hmacKey(),
                TicketKey.random().aesKey())));
        assertEquals(1, TicketKeyFiles.load(List.of(a, b), TicketKeyFormat.NGINX).all().size());
        IOException e = assertThrows(IOException.class, () -> TicketKeyFiles.load(List.of(a, c), TicketKeyFormat.NGINX));
        assertTrue(e.getMessage().contains(c.toString()) && e.getMessage().contains(hex(key)), e.getMessage());
    }
}
