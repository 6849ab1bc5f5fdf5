package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile paths fail fast, naming the path and the reason; a good file reads whole. */
@Timeout(20)
class SmallFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsARegularFileAndASymlinkToIt() throws IOException {
        Path file = Files.write(dir.resolve("key"), new byte[] {1, 2, 0, 3});
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertArrayEquals(new byte[] {1, 2, 0, 3}, SmallFiles.read(file, 4, "the key file"));
        assertArrayEquals(new byte[] {1, 2, 0, 3}, SmallFiles.read(link, 4, "the key file"));
        assertArrayEquals(new byte[0], SmallFiles.read(Files.write(dir.resolve("empty"), new byte[0]), 0, "x"));
    }

    @Test
    void refusesAFifoWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String message = refused(fifo, 100);
        assertTrue(message.contains("not a regular file"), message);
    }

    /**
     * A FIFO swapped in between the check and the open (someone who can write the directory): the
     * open would block until a writer came; the watchdog releases it, and the read ends at once.
     */
    @Test
    void anOpenOfAFifoIsReleased() throws Exception {
        Path fifo = dir.resolve("swapped");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        long start = System.nanoTime();
        try (var channel = SmallFiles.openWithoutHanging(fifo, "the test file")) {
            assertEquals(-1, channel.read(java.nio.ByteBuffer.allocate(16)), "end of file, not a wait");
        }
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "released within the watchdog's time");
    }

    /**
     * A FIFO renamed in between the check and the open, then a regular file renamed over it: the open
     * blocks on a FIFO no longer at the path, which the watchdog's open of the path cannot release.
     * Readers hung there forever; now each read ends, refused after the watchdog's time.
     */
    @Test
    void anOpenOfAFifoThatWasSwappedOutAgainIsRefusedNotWaitedFor() throws Exception {
        Path file = Files.write(dir.resolve("key"), new byte[80]);
        Path regular = Files.write(dir.resolve("regular"), new byte[80]);
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<IOException> unnamed = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.List<Thread> readers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        SmallFiles.read(file, 100, "the test file");
                    } catch (IOException refused) {
                        if (!refused.getMessage().startsWith("cannot read the test file " + file + ": ")) {
                            unnamed.compareAndSet(null, refused);
                        }
                    }
                    reads.incrementAndGet();
                }
            }, "reader-" + i);
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
        }
        Path staged = dir.resolve(".staged");
        long end = System.nanoTime() + 1_500_000_000L; // less than the watchdog's time: no swap-back helps
        for (boolean toFifo = true; System.nanoTime() < end; toFifo = !toFifo) {
            Files.deleteIfExists(staged);
            Files.createLink(staged, toFifo ? fifo : regular); // a hard link keeps the FIFO for the next swap
            Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            java.util.concurrent.TimeUnit.MICROSECONDS.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(50, 500));
        }
        Files.deleteIfExists(staged);
        Files.createLink(staged, regular);
        Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        stop.set(true);
        long deadline = System.nanoTime() + 8_000_000_000L;
        for (Thread reader : readers) {
            reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        boolean hung = readers.stream().anyMatch(Thread::isAlive);
        Thread release = new Thread(() -> { // a writer for any open still blocked on the FIFO
            try (var writer = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                // opening is enough
            } catch (IOException ignored) {
                // no reader was blocked
            }
        });
        release.setDaemon(true);
        release.start();
        assertFalse(hung, "a read still waits on a FIFO that is no longer at its path, after " + reads.get() + " reads");
        assertEquals(null, unnamed.get(), "every refusal names the file");
    }

    /** The kernel's inotify, to see whether any process opened a file for writing (IN_CLOSE_WRITE). */
    interface Inotify extends com.sun.jna.Library {
        Inotify C = com.sun.jna.Native.load("c", Inotify.class);
        int IN_NONBLOCK = 04000;
        int IN_CLOSE_WRITE = 0x8;

        int inotify_init1(int flags);

        int inotify_add_watch(int fd, String path, int mask);

        long read(int fd, byte[] buffer, long count);

        int close(int fd);
    }

    /**
     * An open blocked on a FIFO whose path became a symbolic link meanwhile: the release opened the
     * path for writing wherever the link led (a device, a terminal, another file: here a regular file
     * the test watches). It opens a FIFO, and nothing else.
     */
    @Test
    void theReleaseOfABlockedOpenWritesNothingASymbolicLinkLeadsTo() throws Exception {
        Path file = dir.resolve("key");
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Files.createLink(file, fifo); // the FIFO swapped in; "fifo" keeps it, to release it at the end
        Path victim = Files.write(dir.resolve("victim"), new byte[80]);
        int watch = Inotify.C.inotify_init1(Inotify.IN_NONBLOCK);
        assertTrue(watch >= 0, "inotify_init1");
        try {
            assertTrue(Inotify.C.inotify_add_watch(watch, victim.toString(), Inotify.IN_CLOSE_WRITE) >= 0);
            java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (var channel = SmallFiles.openWithoutHanging(file, "the test file")) {
                    ended.complete(null);
                } catch (Throwable e) {
                    ended.complete(e);
                }
            }, "blocked-open");
            reader.setDaemon(true);
            reader.start();
            Thread.sleep(500); // the open blocks on the FIFO; then the path becomes a link to the victim
            Path staged = Files.createSymbolicLink(dir.resolve(".staged"), victim);
            Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Throwable refusal = ended.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(refusal instanceof IOException && refusal.getMessage().contains("did not return"),
                    "the open is refused: " + refusal);
            long events = Inotify.C.read(watch, new byte[4096], 4096);
            assertTrue(events <= 0, "the victim was opened for writing by the release of the blocked open");
        } finally {
            Inotify.C.close(watch);
            Thread release = new Thread(() -> { // a writer for the opener still blocked on the FIFO
                try (var writer = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                    // opening is enough
                } catch (IOException ignored) {
                    // no reader was blocked
                }
            });
            release.setDaemon(true);
            release.start();
        }
    }

    /** A file whose size is not what it holds: the message says so, not that it kept changing. */
    @Test
    void aProcFileIsRefusedForItsSizeNotAsChanging() {
        String message = refused(Paths.get("/proc/self/status"), 1 << 20);
        assertTrue(message.contains("its size says 0 bytes, and reading it gave "), message);
    }

    @Test
    void refusesDevZeroADirectoryAndAMissingFile() {
        assertTrue(refused(Paths.get("/dev/zero"), 100).contains("not a regular file"));
        assertTrue(refused(dir, 100).contains("is a directory"));
        assertTrue(refused(dir.resolve("missing"), 100).contains("no such file"));
    }

    @Test
    void refusesAFileOverTheLimitWithoutReadingIt() throws IOException {
        Path huge = dir.resolve("huge");
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(64L << 30); // sparse: 64 GiB claimed, nothing on disk
        }
        assertTrue(refused(huge, 1 << 20).contains("larger than 1048576 bytes"));
        Path justOver = Files.write(dir.resolve("over"), new byte[101]);
        assertTrue(refused(justOver, 100).contains("larger than 100 bytes"));
        assertEquals(100, SmallFiles.read(Files.write(dir.resolve("at"), new byte[100]), 100, "x").length);
    }

    private static String refused(Path path, int max) {
        IOException e = assertThrows(IOException.class, () -> SmallFiles.read(path, max, "the test file"));
        assertTrue(e.getMessage().contains("the test file " + path), e.getMessage());
        return e.getMessage();
    }
}
