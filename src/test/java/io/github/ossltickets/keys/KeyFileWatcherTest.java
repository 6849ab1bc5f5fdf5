package io.github.ossltickets.keys;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.github.ossltickets.keys.Handshakes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key files replaced while clients resume continuously: by rename, by a Kubernetes-style {@code ..data}
 * symbolic-link swap, and by a rewrite in place. Every handshake must resume; the new keys must take
 * over; a corrupt replacement must keep the old keys and be reported.
 */
@Timeout(60)
class KeyFileWatcherTest {
    private static final Duration POLL = Duration.ofMillis(100);

    @TempDir
    Path dir;

    /** Resumes one TLS 1.2 session (under the key every file set keeps) over and over on another thread. */
    private static final class Load implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger handshakes = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final Thread thread;

        Load(SslContext server, SslContext client, SslSession session) {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    Handshakes.Outcome outcome = Handshakes.connect(server, client, session);
                    handshakes.incrementAndGet();
                    if (!outcome.ok() || !outcome.reused()) {
                        failures.add(outcome.toString());
                    }
                }
            });
            thread.start();
        }

        void awaitMore(int count) throws InterruptedException {
            int target = handshakes.get() + count;
            while (handshakes.get() < target) {
                Thread.sleep(5);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    private static void awaitActive(KeyFileWatcher watcher, TicketKey expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!hex(watcher.current().active()).equals(hex(expected))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the watcher did not load " + expected + "; it holds " + watcher.current()
                        + ", last error " + watcher.lastError());
            }
            Thread.sleep(10);
        }
    }

    private static void replaceByRename(Path target, byte[] content) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".new");
        Files.write(temporary, content);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void reloadsOnRenameSymlinkSwapAndRewriteWithoutAFailedHandshake() throws Exception {
        TicketKey kept = TicketKey.random();
        // A Kubernetes Secret volume: files are links through ..data, which points at a timestamped directory.
        Path version1 = Files.createDirectory(dir.resolve("..v1"));
        Files.write(version1.resolve("current.key"), TicketKeyFiles.nginxBytes(kept));
        Files.write(version1.resolve("kept.key"), TicketKeyFiles.nginxBytes(kept));
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Path current = dir.resolve("current.key");
        Path keptFile = dir.resolve("kept.key");
        Files.createSymbolicLink(current, Path.of("..data/current.key"));
        Files.createSymbolicLink(keptFile, Path.of("..data/kept.key"));

        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        try (SslContext server = Handshakes.server(TlsVersion.TLS1_2);
             SslContext client = Handshakes.client(TlsVersion.TLS1_2);
             KeyFileWatcher watcher = KeyFileWatcher.start(List.of(current, keptFile), TicketKeyFormat.NGINX,
                     ring::update, POLL)) {
            server.setTicketKeyCallback(ring);
            assertEquals(hex(kept), hex(ring.keys().active()));
            SslSession session = Handshakes.firstSession(server, client);
            try (Load load = new Load(server, client, session)) {
                load.awaitMore(20);

                // 1. The ..data symbolic link swapped to a new directory, as the kubelet does.
                TicketKey second = TicketKey.random();
                Path version2 = Files.createDirectory(dir.resolve("..v2"));
                Files.write(version2.resolve("current.key"), TicketKeyFiles.nginxBytes(second));
                Files.write(version2.resolve("kept.key"), TicketKeyFiles.nginxBytes(kept));
                Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
                Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
                awaitActive(watcher, second);
                load.awaitMore(20);

                // 2. A regular file renamed over the link.
                TicketKey third = TicketKey.random();
                replaceByRename(current, TicketKeyFiles.nginxBytes(third));
                awaitActive(watcher, third);
                load.awaitMore(20);

                // 3. The same file rewritten in place.
                TicketKey fourth = Handshakes.randomAes128();
                Files.write(current, TicketKeyFiles.nginxBytes(fourth), StandardOpenOption.TRUNCATE_EXISTING);
                awaitActive(watcher, fourth);
                load.awaitMore(20);
                assertTrue(watcher.reloads() >= 3, "reloads: " + watcher.reloads());
                assertTrue(load.failures.isEmpty(), load.failures.size() + " of " + load.handshakes
                        + " handshakes did not resume: " + load.failures);
            }
        }
    }

    @Test
    void aCorruptReplacementKeepsTheKeysAndIsReported() throws Exception {
        TicketKey kept = TicketKey.random();
        Path file = dir.resolve("tls-ticket-keys");
        Files.write(file, TicketKeyFiles.haproxyBytes(List.of(TicketKey.random(), kept, TicketKey.random())));
        List<LogRecord> warnings = Collections.synchronizedList(new ArrayList<>());
        Logger logger = Logger.getLogger(KeyFileWatcher.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        try (SslContext server = Handshakes.server(TlsVersion.TLS1_2);
             SslContext client = Handshakes.client(TlsVersion.TLS1_2);
             KeyFileWatcher watcher = KeyFileWatcher.start(List.of(file), TicketKeyFormat.HAPROXY, ring::update, POLL)) {
            server.setTicketKeyCallback(ring);
            SslSession session = Handshakes.firstSession(server, client);
            try (Load load = new Load(server, client, session)) {
                replaceByRename(file, "bm90IGEga2V5\n".repeat(3).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (watcher.failedReloads() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                load.awaitMore(20);
                assertTrue(watcher.failedReloads() >= 1, "the bad file was refused");
                String error = watcher.lastError().orElseThrow();
                assertTrue(error.contains(file.toString()) && error.contains("line 1"), error);
                assertEquals(hex(kept), hex(ring.keys().active()), "the old keys stay");
                assertEquals(1, warnings.size(), "one warning for one bad file, however often it is polled: "
                        + warnings.stream().map(LogRecord::getMessage).toList());
                assertTrue(warnings.get(0).getMessage().contains(file.toString()), warnings.get(0).getMessage());
                assertTrue(load.failures.isEmpty(), load.failures.toString());

                // A good file afterwards is loaded and clears the error.
                TicketKey next = TicketKey.random();
                replaceByRename(file, TicketKeyFiles.haproxyBytes(List.of(kept, next, TicketKey.random())));
                awaitActive(watcher, next);
                assertTrue(watcher.lastError().isEmpty());
            }
        } finally {
            logger.removeHandler(handler);
        }
    }

    /** A missing file, or a directory in its place, warns once per reason however often it is polled. */
    @Test
    void aMissingFileOrADirectoryInItsPlaceWarnsOncePerReason() throws Exception {
        Path file = dir.resolve("tls-ticket-keys");
        TicketKey kept = TicketKey.random();
        Files.write(file, TicketKeyFiles.haproxyBytes(List.of(TicketKey.random(), kept, TicketKey.random())));
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        Logger logger = Logger.getLogger(KeyFileWatcher.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        try (KeyFileWatcher watcher = KeyFileWatcher.start(List.of(file), TicketKeyFormat.HAPROXY, ring::update,
                Duration.ofHours(1))) {
            Files.delete(file);
            for (int i = 0; i < 5; i++) {
                watcher.checkNow();
            }
            assertTrue(watcher.failedReloads() >= 5, "each poll is counted: " + watcher.failedReloads());
            assertEquals(1, warnings.size(), "one warning while the file stays missing: " + warnings);
            Files.createDirectory(file);
            long failed = watcher.failedReloads();
            for (int i = 0; i < 5; i++) {
                watcher.checkNow();
            }
            assertTrue(watcher.failedReloads() >= failed + 5);
            assertEquals(2, warnings.size(), "a new reason warns once more: " + warnings);
            assertTrue(warnings.get(1).contains(file.toString()), warnings.get(1));
            assertEquals(hex(kept), hex(ring.keys().active()), "the old keys stay");
        } finally {
            logger.removeHandler(handler);
        }
    }

    /** A poll interval under 1 ms would busy-loop, one over a day overflowed the wait: both refused. */
    @Test
    void pollIntervalsOutside1MsTo1DayAreRefused() throws Exception {
        Path file = dir.resolve("tls-ticket-keys");
        Files.write(file, TicketKeyFiles.haproxyBytes(List.of(TicketKey.random(), TicketKey.random(), TicketKey.random())));
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(500), Duration.ofDays(1).plusNanos(1),
                Duration.ofSeconds(Long.MAX_VALUE)}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> KeyFileWatcher.start(List.of(file), TicketKeyFormat.HAPROXY, keys -> { }, bad), bad.toString());
            assertTrue(refused.getMessage().contains("PT0.001S to PT24H"), refused.getMessage());
        }
        try (KeyFileWatcher fastest = KeyFileWatcher.start(List.of(file), TicketKeyFormat.HAPROXY, keys -> { },
                Duration.ofMillis(1))) {
            assertTrue(fastest.lastError().isEmpty());
        }
    }

    @Test
    void theFirstLoadFailsInsteadOfServingWithNoKeys() throws IOException {
        Path file = dir.resolve("bad.key");
        Files.write(file, new byte[81]);
        List<KeySet> handed = new ArrayList<>();
        IOException e = assertThrows(IOException.class,
                () -> KeyFileWatcher.start(List.of(file), TicketKeyFormat.NGINX, handed::add, POLL));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("81 bytes"), e.getMessage());
        assertTrue(handed.isEmpty());
    }

    @Test
    void aConsumerThatThrowsRefusesTheReloadAndTheWatcherGoesOn() throws Exception {
        Path file = dir.resolve("ticket.key");
        Files.write(file, TicketKeyFiles.nginxBytes(TicketKey.random()));
        AtomicInteger calls = new AtomicInteger();
        TicketKey third = TicketKey.random();
        List<KeySet> accepted = Collections.synchronizedList(new ArrayList<>());
        try (KeyFileWatcher watcher = KeyFileWatcher.start(List.of(file), TicketKeyFormat.NGINX, keys -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("the consumer is busy");
            }
            accepted.add(keys);
        }, POLL)) {
            replaceByRename(file, TicketKeyFiles.nginxBytes(TicketKey.random()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (watcher.failedReloads() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(watcher.lastError().orElseThrow().contains("the consumer is busy"));
            replaceByRename(file, TicketKeyFiles.nginxBytes(third));
            awaitActive(watcher, third);
            assertEquals(2, accepted.size(), "the first load and the third file");
        }
    }
    /**
     * A consumer that throws an Error (an assert, a class that failed to load): the reload is refused as
     * for a RuntimeException and the watcher goes on. Its thread died, and keys silently stopped reloading.
     */
    @Test
    void aConsumerThatThrowsAnErrorRefusesTheReloadAndTheWatcherGoesOn() throws Exception {
        Path file = dir.resolve("ticket.key");
        Files.write(file, TicketKeyFiles.nginxBytes(TicketKey.random()));
        AtomicInteger calls = new AtomicInteger();
        TicketKey third = TicketKey.random();
        try (KeyFileWatcher watcher = KeyFileWatcher.start(List.of(file), TicketKeyFormat.NGINX, keys -> {
            if (calls.incrementAndGet() == 2) {
                throw new NoClassDefFoundError("com/example/KeyAudit");
            }
        }, POLL)) {
            replaceByRename(file, TicketKeyFiles.nginxBytes(TicketKey.random()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (calls.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            replaceByRename(file, TicketKeyFiles.nginxBytes(third));
            awaitActive(watcher, third);
            assertEquals(1, watcher.failedReloads());
        }
    }
}
