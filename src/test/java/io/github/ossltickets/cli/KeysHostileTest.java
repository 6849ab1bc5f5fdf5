package io.github.ossltickets.cli;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.TicketKeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ossl-tickets keys} against files that someone else changes under it. */
@Timeout(30)
class KeysHostileTest {
    @TempDir
    Path dir;

    /**
     * {@code keys new} on a symbolic link whose target is missing (or a link loop): an entry exists
     * there, and keys new does not overwrite. It took the link for nothing and replaced it with a file.
     */
    @Test
    void newDoesNotReplaceADanglingSymbolicLink() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("ticket.key"), dir.resolve("secrets/ticket.key"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        int status = Keys.run(new String[] {"new", "--format", "nginx", link.toString()}, quiet,
                new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        String message = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(Files.isSymbolicLink(link), "the link is still there");
        assertEquals(1, status, message);
        assertTrue(message.contains(link + " exists; keys new does not overwrite"), message);
    }

    /**
     * {@code keys rotate} of an nginx directory whose current.key is swapped, by rename, between a key
     * file and a FIFO: every run ends (an error, or a rotation of a key file). Rotate read current.key
     * and next.key a second time with an unbounded read that opened whatever was there by then, and
     * hung forever on the FIFO.
     */
    @Test
    void rotateEndsWhenItsKeyFileIsSwappedForAFifo() throws Exception {
        Path keys = dir.resolve("keys");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        assertEquals(0, Keys.run(new String[] {"rotate", "--format", "nginx", keys.toString()}, quiet, quiet));
        Path current = keys.resolve("current.key");
        Path validKey = dir.resolve("valid.key");
        TicketKeyFiles.write(validKey, TicketKeyFiles.nginxBytes(TicketKey.random()));
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

        AtomicBoolean stop = new AtomicBoolean();
        Thread swapper = new Thread(() -> {
            Path staged = keys.resolve(".staged");
            try {
                for (boolean toFifo = true; !stop.get(); toFifo = !toFifo) {
                    Files.deleteIfExists(staged);
                    Files.createLink(staged, toFifo ? fifo : validKey); // a hard link keeps the FIFO for the next swap
                    Files.move(staged, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(200, 2000));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "swapper");
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger rotated = new AtomicInteger();
        Thread rotator = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < end) {
                if (Keys.run(new String[] {"rotate", "--format", "nginx", keys.toString()}, quiet, quiet) == 0) {
                    rotated.incrementAndGet();
                }
                runs.incrementAndGet();
            }
        }, "rotator");
        rotator.setDaemon(true);
        swapper.setDaemon(true);
        swapper.start();
        rotator.start();
        rotator.join(TimeUnit.SECONDS.toMillis(15));
        stop.set(true);
        boolean hung = rotator.isAlive();
        StringBuilder where = new StringBuilder();
        for (StackTraceElement frame : rotator.getStackTrace()) {
            where.append("\n  at ").append(frame);
        }
        releaseOpensBlockedOn(fifo);
        swapper.join(5000);
        assertFalse(hung, "keys rotate hung after " + runs.get() + " runs (" + rotated.get() + " rotated):"
                + " it opened current.key after a FIFO replaced it" + where);
        assertTrue(runs.get() > 0, "no run ended");
    }

    /** A writer for any open still blocked on the FIFO, so that no thread is left behind; a daemon. */
    private static void releaseOpensBlockedOn(Path fifo) {
        Thread release = new Thread(() -> {
            try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
                // opening is enough
            } catch (Exception ignored) {
                // nothing was blocked
            }
        });
        release.setDaemon(true);
        release.start();
    }
}
