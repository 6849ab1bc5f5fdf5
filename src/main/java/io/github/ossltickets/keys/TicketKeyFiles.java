package io.github.ossltickets.keys;

import io.github.ossltickets.SmallFiles;
import io.github.ossltickets.TicketKey;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes ticket key files in the layouts nginx and HAProxy use ({@link TicketKeyFormat}),
 * byte for byte: {@link #nginxBytes} and {@link #haproxyBytes} give back the bytes that
 * {@link #parseNginx} and {@link #parseHaproxy} read.
 *
 * <p>Files are read with {@link SmallFiles#read} and a small cap, so a FIFO, a device, a directory or
 * a huge file fails at once with its path named. Files are written with mode 0600 and put in place by
 * an atomic rename, so a reader never sees half a file.
 */
public final class TicketKeyFiles {
    private TicketKeyFiles() {}

    /** The most bytes read from one key file: an HAProxy file of about 500 keys; an nginx file is 80. */
    public static final int MAX_FILE_BYTES = 64 * 1024;
    /** HAProxy's TLS_TICKETS_NO: it keeps this many keys of the file, and needs at least this many lines. */
    public static final int HAPROXY_KEYS = 3;

    private static final int NGINX_AES256_LENGTH = 80;
    private static final int NGINX_AES128_LENGTH = 48;

    /**
     * The keys in force from {@code paths}, read now. NGINX: one key per file, the first seals, the others
     * only open (their tickets are renewed); a file may repeat another's key (the same bytes), which a
     * rotation in progress does for a moment. HAPROXY: exactly one file; its last three lines are the
     * previous, sealing and next keys.
     *
     * @throws IOException naming the file and what is wrong with it; never returns an empty set
     */
    public static KeySet load(List<Path> paths, TicketKeyFormat format) throws IOException {
        Objects.requireNonNull(format, "format");
        List<byte[]> contents = new ArrayList<>();
        for (Path path : checkPaths(paths, format)) {
            contents.add(read(path));
        }
        return keySet(paths, contents, format);
    }

    /** Reads one key file, bounded; the message names the path if it cannot. */
    static byte[] read(Path path) throws IOException {
        return SmallFiles.read(path, MAX_FILE_BYTES, "the ticket key file");
    }

    static List<Path> checkPaths(List<Path> paths, TicketKeyFormat format) {
        Objects.requireNonNull(paths, "paths");
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no ticket key file given");
        }
        if (format == TicketKeyFormat.HAPROXY && paths.size() != 1) {
            throw new IllegalArgumentException("HAProxy's tls-ticket-keys format is one file with a key per line,"
                    + " not " + paths.size() + " files: " + paths);
        }
        return List.copyOf(paths);
    }

    /** The key set that {@code contents}, read from {@code paths}, hold. */
    static KeySet keySet(List<Path> paths, List<byte[]> contents, TicketKeyFormat format) throws IOException {
        if (format == TicketKeyFormat.HAPROXY) {
            return haproxyKeySet(parseHaproxy(contents.get(0), paths.get(0).toString()), paths.get(0).toString());
        }
        List<TicketKey> keys = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            TicketKey key = parseNginx(contents.get(i), paths.get(i).toString());
            TicketKey same = find(keys, key);
            if (same == null) {
                keys.add(key);
            } else if (!sameMaterial(same, key)) {
                throw new IOException("the ticket key file " + paths.get(i) + " holds a key named "
                        + HexFormat.of().formatHex(key.name()) + ", as an earlier file does, with other key"
                        + " material; each key needs its own name");
            }
        }
        return new KeySet(keys.get(0), List.of(), keys.subList(1, keys.size()));
    }

    /**
     * The key in one nginx key file.
     *
     * @param source the file's path, for messages
     * @throws IOException if the content is not 48 or 80 bytes, or its HMAC or AES key is all zero bytes
     */
    public static TicketKey parseNginx(byte[] content, String source) throws IOException {
        if (content.length == NGINX_AES256_LENGTH) {
            return notAllZero(new TicketKey(Arrays.copyOfRange(content, 0, 16), Arrays.copyOfRange(content, 16, 48),
                    Arrays.copyOfRange(content, 48, 80)), "the ticket key file " + source);
        }
        if (content.length == NGINX_AES128_LENGTH) {
            return notAllZero(new TicketKey(Arrays.copyOfRange(content, 0, 16), Arrays.copyOfRange(content, 32, 48),
                    Arrays.copyOfRange(content, 16, 32)), "the ticket key file " + source);
        }
        throw new IOException("the ticket key file " + source + " has " + content.length + " bytes; an nginx"
                + " ticket key file has 80 (AES-256) or 48 (AES-128)");
    }

    /** nginx's layout of {@code key}: 80 bytes for AES-256 with a 32-byte HMAC key, 48 for AES-128 with 16. */
    public static byte[] nginxBytes(TicketKey key) {
        byte[] aes = key.aesKey();
        byte[] hmac = key.hmacKey();
        if (aes.length == 32 && hmac.length == 32) {
            return concat(key.name(), hmac, aes);
        }
        if (aes.length == 16 && hmac.length == 16) {
            return concat(key.name(), aes, hmac);
        }
        throw new IllegalArgumentException(key + " with a " + hmac.length + "-byte HMAC key has no nginx layout:"
                + " nginx takes AES-256 with a 32-byte HMAC key, or AES-128 with a 16-byte one");
    }

    /**
     * The keys in an HAProxy file, in file order.
     *
     * @param source the file's path, for messages
     * @throws IOException naming the line: bad base64, a wrong size, sizes mixed, an HMAC or AES key of
     *     zero bytes only, fewer than three lines
     */
    public static List<TicketKey> parseHaproxy(byte[] content, String source) throws IOException {
        String text = new String(content, StandardCharsets.US_ASCII);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // the newline that ends the last line
        }
        List<TicketKey> keys = new ArrayList<>();
        int size = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(line);
            } catch (IllegalArgumentException e) {
                throw new IOException("the ticket key file " + source + ", line " + (i + 1) + ": not base64 ("
                        + e.getMessage() + ")", e);
            }
            if (raw.length != 48 && raw.length != 80) {
                throw new IOException("the ticket key file " + source + ", line " + (i + 1) + ": " + raw.length
                        + " bytes; HAProxy's tls-ticket-keys lines are 48 (AES-128) or 80 (AES-256) bytes");
            }
            if (size >= 0 && raw.length != size) {
                throw new IOException("the ticket key file " + source + ", line " + (i + 1) + ": " + raw.length
                        + " bytes after " + size + "-byte lines; HAProxy does not mix AES-128 and AES-256 keys");
            }
            size = raw.length;
            int aes = raw.length == 80 ? 32 : 16;
            keys.add(notAllZero(new TicketKey(Arrays.copyOfRange(raw, 0, 16),
                    Arrays.copyOfRange(raw, 16 + aes, raw.length), Arrays.copyOfRange(raw, 16, 16 + aes)),
                    "the ticket key file " + source + ", line " + (i + 1)));
            Arrays.fill(raw, (byte) 0);
        }
        if (keys.size() < HAPROXY_KEYS) {
            throw new IOException("the ticket key file " + source + " has " + keys.size() + " keys; HAProxy's"
                    + " tls-ticket-keys needs at least " + HAPROXY_KEYS + " (previous, sealing, next)");
        }
        return keys;
    }

    /**
     * What HAProxy does with a file's keys: it keeps the last three lines and seals with the
     * second-to-last. Its configuration manual (doc/configuration.txt, {@code tls-ticket-keys}) says
     * "Last TLS_TICKETS_NO keys will be used for decryption and the penultimate one for encryption.
     * This enables easy key rotation by just appending new key to the file"; src/cfgparse-ssl.c sets
     * the encryption index to the line count minus two, and src/ssl_sock.c returns 2 (renew) for a
     * ticket under any of the three but the sealing one. So the last line is the next key, published
     * one rotation before it seals.
     */
    public static KeySet haproxyKeySet(List<TicketKey> inFileOrder, String source) throws IOException {
        int n = inFileOrder.size();
        if (n < HAPROXY_KEYS) {
            throw new IOException("the ticket key file " + source + " has " + n + " keys; HAProxy needs at least "
                    + HAPROXY_KEYS);
        }
        try {
            return new KeySet(inFileOrder.get(n - 2), List.of(inFileOrder.get(n - 1)), List.of(inFileOrder.get(n - 3)));
        } catch (IllegalArgumentException e) {
            throw new IOException("the ticket key file " + source + ": " + e.getMessage(), e);
        }
    }

    /** HAProxy's layout of {@code keys}, in that order: one base64 line each, ending in a newline. */
    public static byte[] haproxyBytes(List<TicketKey> keys) {
        StringBuilder out = new StringBuilder();
        int size = -1;
        for (TicketKey key : keys) {
            byte[] aes = key.aesKey();
            byte[] hmac = key.hmacKey();
            if (hmac.length != aes.length) {
                throw new IllegalArgumentException(key + " with a " + hmac.length + "-byte HMAC key has no HAProxy"
                        + " layout: HAProxy's HMAC key is as long as the AES key");
            }
            byte[] raw = concat(key.name(), aes, hmac);
            if (size >= 0 && raw.length != size) {
                throw new IllegalArgumentException("HAProxy does not mix AES-128 and AES-256 keys in one file");
            }
            size = raw.length;
            out.append(Base64.getEncoder().encodeToString(raw)).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Which files the nginx layout of a key directory has, in the order nginx should list them. */
    public static List<Path> nginxDirectory(Path dir) {
        return List.of(dir.resolve("current.key"), dir.resolve("next.key"), dir.resolve("previous.key"));
    }

    /**
     * Writes {@code content} to {@code target} so that a reader sees the old file or the new one, never
     * a mix: a temporary file in the same directory, created with mode 0600 (owner read and write) where
     * the file system has POSIX permissions, flushed to disk, then renamed over the target.
     */
    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temporary = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Refuses a key whose HMAC or AES key is all zero bytes: what a file allocated but never written
     * holds (truncate, a crash before its data reached the disk). Everyone knows that key, so anyone
     * could mint tickets the server accepts, and read the master secret in any ticket sent under it.
     */
    private static TicketKey notAllZero(TicketKey key, String where) throws IOException {
        String zero = allZero(key.hmacKey()) ? "HMAC" : allZero(key.aesKey()) ? "AES" : null;
        if (zero != null) {
            throw new IOException(where + ": the " + zero + " key of " + key + " is all zero bytes (a file allocated"
                    + " but never written?); anyone could forge tickets under it");
        }
        return key;
    }

    private static boolean allZero(byte[] material) {
        return Arrays.equals(material, new byte[material.length]);
    }

    private static TicketKey find(List<TicketKey> keys, TicketKey key) {
        for (TicketKey candidate : keys) {
            if (candidate.hasName(key.name())) {
                return candidate;
            }
        }
        return null;
    }

    static boolean sameMaterial(TicketKey a, TicketKey b) {
        return java.security.MessageDigest.isEqual(a.hmacKey(), b.hmacKey())
                && java.security.MessageDigest.isEqual(a.aesKey(), b.aesKey());
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
