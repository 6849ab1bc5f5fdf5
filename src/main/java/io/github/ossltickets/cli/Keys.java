package io.github.ossltickets.cli;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyFiles;
import io.github.ossltickets.keys.TicketKeyFormat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * {@code ossl-tickets keys ...}: writes and rotates ticket key files in nginx's and HAProxy's layouts
 * ({@link TicketKeyFormat}). Files are written with mode 0600 and put in place by an atomic rename,
 * so a server reloading them never reads half a file. Pure Java: no OpenSSL call.
 */
final class Keys {
    private Keys() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        String action = args[0];
        TicketKeyFormat format = null;
        boolean aes128 = false;
        List<Path> paths = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            boolean equalsSign = args[i].startsWith("--format="); // --opt=VALUE, as serve takes it
            switch (equalsSign ? "--format" : args[i]) {
                case "--format" -> {
                    if (format != null) {
                        return usageError(err, "--format is given twice; give it once");
                    }
                    if (equalsSign ? args[i].equals("--format=") : i + 1 == args.length) {
                        return usageError(err, "--format needs a value: nginx or haproxy");
                    }
                    String value = equalsSign ? args[i].substring("--format=".length()) : args[++i];
                    try {
                        format = TicketKeyFormat.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        return usageError(err, "unknown --format " + value + ": nginx or haproxy");
                    }
                }
                case "--aes128" -> aes128 = true;
                default -> {
                    if (args[i].startsWith("-")) {
                        return usageError(err, "unknown option " + args[i]);
                    }
                    paths.add(Path.of(args[i]));
                }
            }
        }
        if (format == null) {
            return usageError(err, "keys " + action + " needs --format nginx or --format haproxy");
        }
        if (aes128 && (action.equals("show") || action.equals("rotate") && format == TicketKeyFormat.HAPROXY)) {
            return usageError(err, "--aes128 is for keys new and keys rotate --format nginx; keys rotate --format"
                    + " haproxy keeps the size of the file's keys (one file cannot mix sizes), and keys show reads keys");
        }
        try {
            switch (action) {
                case "new" -> {
                    if (paths.size() != 1) {
                        return usageError(err, "keys new takes one FILE");
                    }
                    writeNew(paths.get(0), format, aes128, out);
                }
                case "rotate" -> {
                    if (paths.size() != 1) {
                        return usageError(err, "keys rotate takes one DIR (nginx) or FILE (haproxy)");
                    }
                    Path target = paths.get(0);
                    if (format == TicketKeyFormat.HAPROXY && Files.isDirectory(target)) { // "/" has no parent
                        throw new IOException(target + " is a directory; keys rotate --format haproxy takes the"
                                + " key FILE (--format nginx takes a DIR)");
                    }
                    Path dir = format == TicketKeyFormat.NGINX ? target
                            : target.toAbsolutePath().getParent();
                    if (format == TicketKeyFormat.NGINX) {
                        Files.createDirectories(dir); // a first rotation makes the directory
                    }
                    try (FileChannel lock = rotationLock(dir)) {
                        if (format == TicketKeyFormat.NGINX) {
                            rotateNginx(target, aes128, out);
                        } else {
                            rotateHaproxy(target, out);
                        }
                    }
                }
                case "show" -> {
                    if (paths.isEmpty()) {
                        return usageError(err, "keys show takes the key FILEs");
                    }
                    show(TicketKeyFiles.load(paths, format), out);
                }
                default -> {
                    return usageError(err, "unknown keys action: " + action);
                }
            }
        } catch (IOException | RuntimeException e) {
            err.println("ossl-tickets keys " + action + " failed: " + describe(e));
            return 1;
        }
        return 0;
    }

    /** The file that {@code keys rotate} locks in the key directory, so two rotations never interleave. */
    static final String LOCK_FILE = ".ossl-tickets-rotate.lock";

    /**
     * Takes the exclusive lock of rotations in {@code dir}, held until the channel closes: two rotations at
     * once would each read the same keys and the slower would overwrite the key the faster published.
     */
    private static FileChannel rotationLock(Path dir) throws IOException {
        Path lockFile = dir.resolve(LOCK_FILE);
        // Opening a FIFO for writing blocks until a reader comes: refuse anything but a regular file first,
        // and a link (where the lock would be taken, or a file created, elsewhere) on opening.
        if (Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the rotation lock " + lockFile + " is not a regular file (a FIFO, a directory, a"
                    + " device or a symbolic link); remove it, and keys rotate makes a new one");
        }
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("another keys rotate is running on " + dir + " (it holds " + lockFile
                    + "); try again when it has finished");
        }
        return channel;
    }

    /**
     * What went wrong, naming the path: the JDK's file exceptions often carry only the path as their
     * message ("/proc/.x.key.tmp"), so their type says what happened.
     */
    static String describe(Exception e) {
        if (e instanceof FileSystemException failure && failure.getReason() == null) {
            String what;
            if (failure instanceof NoSuchFileException) {
                what = "no such file or directory";
            } else if (failure instanceof AccessDeniedException) {
                what = "permission denied";
            } else if (failure instanceof FileAlreadyExistsException) {
                what = "already exists";
            } else if (failure instanceof DirectoryNotEmptyException) {
                what = "directory not empty";
            } else if (failure instanceof NotDirectoryException) {
                what = "not a directory";
            } else {
                what = "file system error (" + failure.getClass().getSimpleName() + ")";
            }
            String other = failure.getOtherFile() == null ? "" : " -> " + failure.getOtherFile();
            return failure.getFile() + other + ": " + what;
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static TicketKey newKey(boolean aes128) {
        TicketKey random = TicketKey.random();
        return aes128 ? new TicketKey(random.name(), Arrays.copyOf(random.hmacKey(), 16),
                Arrays.copyOf(random.aesKey(), 16)) : random;
    }

    /** One key for nginx; for HAProxy the three lines it needs (previous, sealing, next). */
    private static void writeNew(Path file, TicketKeyFormat format, boolean aes128, PrintStream out)
            throws IOException {
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // a dangling link is an entry too
            throw new IOException(file + " exists; keys new does not overwrite (use keys rotate)");
        }
        if (format == TicketKeyFormat.NGINX) {
            TicketKeyFiles.write(file, TicketKeyFiles.nginxBytes(newKey(aes128)));
        } else {
            TicketKeyFiles.write(file, TicketKeyFiles.haproxyBytes(List.of(newKey(aes128), newKey(aes128),
                    newKey(aes128))));
        }
        out.println("wrote " + file);
        show(TicketKeyFiles.load(List.of(file), format), out);
    }

    /**
     * An nginx key directory holds current.key (seals), next.key (published ahead) and previous.key; list
     * them to nginx in that order. A rotation moves current to previous and next to current, and makes a
     * new next, one atomic rename at a time, in an order where every moment's files hold every key a
     * ticket may carry. A missing directory content is created.
     */
    private static void rotateNginx(Path dir, boolean aes128, PrintStream out) throws IOException {
        List<Path> files = TicketKeyFiles.nginxDirectory(dir);
        Path current = files.get(0);
        Path next = files.get(1);
        Path previous = files.get(2);
        Files.createDirectories(dir);
        if (!Files.exists(current) && !Files.exists(next) && !Files.exists(previous)) {
            for (Path file : files) {
                TicketKeyFiles.write(file, TicketKeyFiles.nginxBytes(newKey(aes128)));
            }
            out.println("created " + dir + " with three new keys");
        } else {
            KeySet before = TicketKeyFiles.load(files, TicketKeyFormat.NGINX);
            byte[] sealing = keyFileAgain(current);
            byte[] comingUp = keyFileAgain(next);
            boolean currentIsAes128 = before.active().aesKey().length == 16;
            // previous <- current, current <- next, next <- new: at each step every key is still listed.
            TicketKeyFiles.write(previous, sealing);
            TicketKeyFiles.write(current, comingUp);
            TicketKeyFiles.write(next, TicketKeyFiles.nginxBytes(newKey(aes128 || currentIsAes128)));
            out.println("rotated " + dir);
        }
        show(TicketKeyFiles.load(files, TicketKeyFormat.NGINX), out);
    }

    /**
     * A key file read once more, for its bytes to be copied: bounded like every read, and refused unless
     * it still holds a key (someone may have replaced it since it was loaded, with a FIFO even).
     */
    private static byte[] keyFileAgain(Path file) throws IOException {
        byte[] content = io.github.ossltickets.SmallFiles.read(file, TicketKeyFiles.MAX_FILE_BYTES, "the ticket key file");
        TicketKeyFiles.parseNginx(content, file.toString());
        return content;
    }

    /** Appends a key and keeps the last three lines: the old next key seals, the new one is next. */
    private static void rotateHaproxy(Path file, PrintStream out) throws IOException {
        List<TicketKey> keys = new ArrayList<>(TicketKeyFiles.parseHaproxy(
                io.github.ossltickets.SmallFiles.read(file, TicketKeyFiles.MAX_FILE_BYTES, "the ticket key file"),
                file.toString()));
        keys.add(newKey(keys.get(0).aesKey().length == 16));
        List<TicketKey> kept = keys.subList(keys.size() - TicketKeyFiles.HAPROXY_KEYS, keys.size());
        TicketKeyFiles.write(file, TicketKeyFiles.haproxyBytes(kept));
        out.println("rotated " + file);
        show(TicketKeyFiles.load(List.of(file), TicketKeyFormat.HAPROXY), out);
    }

    /** Names and roles only, never key material. */
    private static void show(KeySet keys, PrintStream out) {
        out.println("  seals  " + describe(keys.active()));
        keys.next().forEach(key -> out.println("  next   " + describe(key)));
        keys.previous().forEach(key -> out.println("  opens  " + describe(key)));
    }

    private static String describe(TicketKey key) {
        return HexFormat.of().formatHex(key.name()) + " AES-" + key.aesKey().length * 8;
    }

    private static int usageError(PrintStream err, String message) {
        err.println(message);
        usage(err);
        return 2;
    }

    private static void usage(PrintStream out) {
        out.println("usage: ossl-tickets keys <new|rotate|show> --format nginx|haproxy [--aes128] PATH...");
        out.println("  new    --format nginx FILE     one key (80 bytes; 48 with --aes128), mode 0600");
        out.println("         --format haproxy FILE   three base64 lines (previous, sealing, next)");
        out.println("  rotate --format nginx DIR      DIR/current.key, next.key, previous.key: list them to");
        out.println("                                 nginx in that order; next becomes current, a new next");
        out.println("         --format haproxy FILE   appends a key and keeps the last three lines");
        out.println("  show   --format F FILE...      key names and roles, never the key material");
    }
}
