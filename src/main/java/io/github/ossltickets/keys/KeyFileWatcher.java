package io.github.ossltickets.keys;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reloads ticket key files when they change, with no restart and no dropped handshake: the new
 * {@link KeySet} goes to a consumer (typically {@link TicketKeyRing#update}), which swaps it in at once.
 *
 * <p>It notices every way people replace files: a rename over the old file, a rewrite in place, and
 * the symbolic-link swap a mounted Kubernetes Secret does (the {@code ..data} link replaced). A
 * {@link WatchService} on each file's directory wakes it at once; it also re-reads the files every
 * poll interval, because a WatchService misses some of these (a change behind a symbolic link in
 * another directory, network file systems). The files are small, so it compares their content, not
 * their times.
 *
 * <p>A file that cannot be read or parsed on a reload changes nothing: the current keys stay, a WARNING
 * naming the path and the reason goes to {@link System.Logger} (once per bad content, or once while a
 * file stays missing or unreadable for the same reason), and
 * {@link #failedReloads()} and {@link #lastError()} say so. The first load, in {@link #start}, fails
 * instead: a server never runs with no keys.
 */
public final class KeyFileWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KeyFileWatcher.class.getName());
    /** How long to let a burst of file events settle before reading, so a rewrite in progress is read whole. */
    private static final long SETTLE_MILLIS = 50;
    /** Shorter would busy-loop (the wait is in whole milliseconds); longer is no poll at all. */
    private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(1);
    private static final Duration MAX_POLL_INTERVAL = Duration.ofDays(1);

    private final List<Path> paths;
    private final TicketKeyFormat format;
    private final Consumer<KeySet> onChange;
    private final Duration pollInterval;
    private final WatchService watchService;
    private final Thread thread;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failedReloads = new AtomicLong();
    private volatile KeySet current;
    private volatile String lastError;
    private List<byte[]> loadedContents;
    private List<byte[]> failedContents;
    private volatile boolean closed;

    private KeyFileWatcher(List<Path> paths, TicketKeyFormat format, Consumer<KeySet> onChange, Duration pollInterval)
            throws IOException {
        this.paths = TicketKeyFiles.checkPaths(paths, format);
        this.format = format;
        this.onChange = onChange;
        this.pollInterval = pollInterval;
        this.loadedContents = readAll();
        this.current = TicketKeyFiles.keySet(this.paths, loadedContents, format);
        onChange.accept(current);
        this.watchService = FileSystems.getDefault().newWatchService();
        try {
            Set<Path> dirs = new LinkedHashSet<>();
            for (Path path : this.paths) {
                dirs.add(path.toAbsolutePath().getParent());
            }
            for (Path dir : dirs) {
                dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.OVERFLOW);
            }
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.thread = new Thread(this::run, "ossl-tickets key file watcher " + this.paths.get(0));
        thread.setDaemon(true);
    }

    /**
     * Loads the keys from {@code paths}, hands them to {@code onChange}, and then hands over each change.
     * {@code onChange} runs on the watcher's thread after the first call, which runs on the caller's.
     *
     * @param pollInterval how often the files are re-read even without a file event: 1 ms to 1 day
     * @throws IllegalArgumentException if {@code pollInterval} is outside 1 ms to 1 day
     * @throws IOException if the files cannot be loaded now, naming the file and the reason
     */
    public static KeyFileWatcher start(List<Path> paths, TicketKeyFormat format, Consumer<KeySet> onChange,
            Duration pollInterval) throws IOException {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(onChange, "onChange");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0 || pollInterval.compareTo(MAX_POLL_INTERVAL) > 0) {
            throw new IllegalArgumentException("the key file poll interval is " + MIN_POLL_INTERVAL + " to "
                    + MAX_POLL_INTERVAL + ", not " + pollInterval);
        }
        KeyFileWatcher watcher = new KeyFileWatcher(paths, format, onChange, pollInterval);
        watcher.thread.start();
        return watcher;
    }

    /** {@link #start} with a poll every 5 seconds. */
    public static KeyFileWatcher start(List<Path> paths, TicketKeyFormat format, Consumer<KeySet> onChange)
            throws IOException {
        return start(paths, format, onChange, Duration.ofSeconds(5));
    }

    /** The keys loaded last. */
    public KeySet current() {
        return current;
    }

    /** Reloads that changed the keys, the first load not counted. */
    public long reloads() {
        return reloads.get();
    }

    /** Reloads refused: a file missing, unreadable or malformed. The current keys stayed. */
    public long failedReloads() {
        return failedReloads.get();
    }

    /** Why the last refused reload was refused, naming the file; empty once a reload succeeds. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Reads the files now and applies a change; what the watcher's thread does on each event and poll. */
    public synchronized void checkNow() {
        if (closed) {
            return;
        }
        List<byte[]> contents;
        KeySet loaded;
        try {
            contents = readAll();
            if (sameContents(contents, loadedContents)) {
                return;
            }
            loaded = TicketKeyFiles.keySet(paths, contents, format);
            onChange.accept(loaded); // a consumer that throws refuses the reload like a bad file
        } catch (IOException | RuntimeException e) {
            refuse(e);
            return;
        } catch (Error e) { // a consumer's assert or class that failed to load refuses the reload too
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            refuse(e);
            return;
        }
        loadedContents = contents;
        failedContents = null;
        current = loaded;
        lastError = null;
        reloads.incrementAndGet();
    }

    private void refuse(Throwable e) {
        if (closed) {
            return; // a read interrupted by close() is no bad file
        }
        List<byte[]> attempted = null;
        try {
            attempted = readAll();
        } catch (IOException | RuntimeException ignored) {
            // unreadable: compared as null below
        }
        String reason = e.getMessage() != null ? e.getMessage() : e.toString();
        // Same reason as last time: no new WARNING, unless readable contents changed (a new bad file).
        // A missing or unreadable file has no contents, and warns once for as long as it stays so.
        boolean newContents = attempted != null && failedContents != null && !sameContents(attempted, failedContents);
        boolean repeated = reason.equals(lastError) && !newContents;
        if (!repeated) {
            LOG.log(System.Logger.Level.WARNING, "not reloading the session-ticket keys from " + paths
                    + ", keeping the current ones: " + reason);
        }
        // After the log, so whoever sees the count also finds the warning.
        failedContents = attempted;
        lastError = reason;
        failedReloads.incrementAndGet();
    }

    private List<byte[]> readAll() throws IOException {
        List<byte[]> contents = new ArrayList<>(paths.size());
        for (Path path : paths) {
            contents.add(TicketKeyFiles.read(path));
        }
        return contents;
    }

    private static boolean sameContents(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watchService.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    Thread.sleep(SETTLE_MILLIS);
                    drain(key);
                }
                checkNow();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the session-ticket key file watcher stopped; keys no longer reload", e);
        }
    }

    /** Takes every pending event: one read of the files answers them all. */
    private void drain(WatchKey first) {
        WatchKey key = first;
        while (key != null) {
            key.pollEvents();
            key.reset();
            key = watchService.poll();
        }
    }

    /** Stops watching; the keys already handed over stay in force. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            watchService.close();
        } catch (IOException ignored) {
            // nothing to release beyond what close already did
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
