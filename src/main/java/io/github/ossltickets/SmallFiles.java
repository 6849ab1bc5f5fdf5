package io.github.ossltickets;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the small files a TLS server is configured with (certificates, keys, ticket keys, passwords)
 * so that a hostile or mistaken path fails fast with a message naming it, instead of hanging or
 * exhausting memory:
 * <ul>
 * <li>only a regular file is opened (symbolic links are followed, as a mounted Kubernetes Secret
 * needs): a FIFO would block {@code open} until a writer comes, and {@code /dev/zero} never ends;</li>
 * <li>at most {@code maxBytes} are read, whatever size the file claims;</li>
 * <li>a file replaced or rewritten while it is read is read again, and refused if it keeps changing.</li>
 * </ul>
 * Pure JDK; no native call.
 */
public final class SmallFiles {
    private SmallFiles() {}

    /** How often a file that changes while it is read is read again before it is refused. */
    private static final int ATTEMPTS = 3;

    /**
     * The whole content of {@code path}, a regular file of at most {@code maxBytes} bytes.
     *
     * @param what what the file is, for messages ("the certificate file", "the ticket key file")
     * @throws IOException naming {@code what}, the path and the reason: missing, a directory, not a
     *     regular file, unreadable, larger than {@code maxBytes}, changing while read, or an open that
     *     blocked for 3 s (a FIFO swapped in while it was opened, a file system that does not answer)
     */
    public static byte[] read(Path path, int maxBytes, String what) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(what, "what");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes cannot be negative: " + maxBytes);
        }
        for (int attempt = 1; ; attempt++) {
            BasicFileAttributes before = regularFile(path, what);
            byte[] content = readAtMost(path, maxBytes, what);
            BasicFileAttributes after = regularFile(path, what);
            if (sameFile(before, after) && after.size() == content.length) {
                return content;
            }
            if (attempt == ATTEMPTS) {
                if (sameFile(before, after)) { // the same file, unchanged, holds other than its size says
                    throw new IOException("cannot read " + what + " " + path + ": its size says " + after.size()
                            + " bytes, and reading it gave " + content.length + " (a /proc or /sys file?)");
                }
                throw new IOException("cannot read " + what + " " + path + ": it changed while it was read, "
                        + ATTEMPTS + " times in a row");
            }
        }
    }

    private static BasicFileAttributes regularFile(Path path, String what) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + what + " " + path + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read " + what + " " + path + ": permission denied", e);
        } catch (FileSystemException e) { // a symbolic link loop, a name too long, ...
            throw failed(path, what, e);
        }
        if (attributes.isDirectory()) {
            throw new IOException("cannot read " + what + " " + path + ": it is a directory, not a file");
        }
        if (!attributes.isRegularFile()) {
            throw new IOException("cannot read " + what + " " + path + ": it is not a regular file (a FIFO,"
                    + " a device or a socket), so reading it could block or never end");
        }
        return attributes;
    }

    private static byte[] readAtMost(Path path, int maxBytes, String what) throws IOException {
        try (SeekableByteChannel channel = openWithoutHanging(path, what)) {
            int capacity = (int) Math.min((long) maxBytes + 1, Math.max(channel.size() + 1, 1));
            ByteBuffer buffer = ByteBuffer.allocate(Math.max(capacity, 1));
            while (true) {
                if (!buffer.hasRemaining()) {
                    if (buffer.capacity() > maxBytes) {
                        throw new IOException("cannot read " + what + " " + path + ": it is larger than "
                                + maxBytes + " bytes");
                    }
                    // It grew since its size was read: make room, never past maxBytes + 1.
                    ByteBuffer larger = ByteBuffer.allocate((int) Math.min((long) maxBytes + 1,
                            buffer.capacity() * 2L));
                    buffer.flip();
                    larger.put(buffer);
                    buffer = larger;
                }
                if (channel.read(buffer) < 0) {
                    return Arrays.copyOf(buffer.array(), buffer.position());
                }
            }
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read " + what + " " + path + ": permission denied", e);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + what + " " + path + ": it was removed while it was opened", e);
        } catch (FileSystemException e) {
            throw failed(path, what, e);
        }
    }

    /** Any other file system error, with {@code what} and the path in front of the system's reason. */
    private static IOException failed(Path path, String what, FileSystemException e) {
        String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        return new IOException("cannot read " + what + " " + path + ": " + reason, e);
    }

    /** How long an open may take before it is taken for an open of a FIFO that no writer will come to. */
    private static final long OPEN_TIMEOUT_MILLIS = 2000;
    /** How long after that the open is given to be released, before the read is refused. */
    private static final long RELEASE_MILLIS = 1000;

    /** Runs the opens, and the opens that release them; daemons, kept a minute when idle. */
    private static final ExecutorService OPENERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "ossl-tickets-open");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Opens for reading. The path was a regular file a moment ago, but someone who can write its
     * directory may have swapped in a FIFO since, and opening a FIFO blocks until a writer comes: no
     * Java API opens without blocking. So the open runs on a thread of its own. If it lasts too long,
     * the path, if it is a FIFO, is opened for writing (releaseReaderOf), which releases a reader
     * blocked on it; the read then ends at once and the check after it refuses the file. If the FIFO
     * was swapped out again, nothing can release that open: the caller is refused, and the opening
     * thread (a daemon) is left to a writer that may never come.
     */
    static SeekableByteChannel openWithoutHanging(Path path, String what) throws IOException {
        CompletableFuture<SeekableByteChannel> opened = new CompletableFuture<>();
        OPENERS.execute(() -> {
            try {
                SeekableByteChannel channel = Files.newByteChannel(path, StandardOpenOption.READ);
                if (!opened.complete(channel)) {
                    channel.close(); // the caller stopped waiting for it
                }
            } catch (IOException | RuntimeException | Error e) {
                opened.completeExceptionally(e);
            }
        });
        try {
            try {
                return opened.get(OPEN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException blocked) {
                OPENERS.execute(() -> releaseReaderOf(path));
            }
            try {
                return opened.get(RELEASE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillBlocked) {
                opened.completeExceptionally(new IOException("cannot read " + what + " " + path + ": opening it did"
                        + " not return in " + (OPEN_TIMEOUT_MILLIS + RELEASE_MILLIS) + " ms (a FIFO put in its place"
                        + " while it was opened, or a file system that does not answer)"));
                return opened.get(); // opened just now after all, or that refusal
            }
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) cause;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            if (!opened.cancel(false)) { // opened meanwhile: the channel is ours to close
                try (SeekableByteChannel unused = opened.getNow(null)) {
                    // closed
                } catch (RuntimeException | IOException ignored) {
                    // failed to open or to close: nothing to keep
                }
            }
            throw new InterruptedIOException("interrupted while opening " + what + " " + path);
        }
    }

    /**
     * Opens {@code path} for writing if it is a FIFO, which releases a reader blocked opening it; closing
     * it gives that reader its end of file. Only a FIFO: the path may by now lead anywhere its writer
     * chose (a symbolic link swapped in), and opening a device (a watchdog, a terminal) or a file for
     * writing has effects of its own. The FIFO found is opened without following links, so that it
     * cannot become a link to something else between the check and the open.
     */
    private static void releaseReaderOf(Path path) {
        try {
            Path entry = path.toRealPath();
            int mode = (Integer) Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) != S_IFIFO) {
                return; // nothing a reader could be blocked on
            }
            try (FileChannel writer = FileChannel.open(entry, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                // opening is all it takes
            }
        } catch (IOException | RuntimeException gone) {
            // swapped again, or no "unix" view: the caller is refused after RELEASE_MILLIS
        }
    }

    /** The file type bits of a Unix mode, and the type of a FIFO. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private static boolean sameFile(BasicFileAttributes before, BasicFileAttributes after) {
        return Objects.equals(before.fileKey(), after.fileKey()) && before.size() == after.size()
                && before.lastModifiedTime().equals(after.lastModifiedTime());
    }
}
