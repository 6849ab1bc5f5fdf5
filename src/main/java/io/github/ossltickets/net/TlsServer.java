package io.github.ossltickets.net;

import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A TLS server: one selector thread accepts and runs every handshake without blocking, and a pool of
 * workers runs the blocking {@link Handler}, one connection per worker.
 *
 * <p>A connection reaches a worker only once its handshake is done and its first request bytes have
 * arrived. Until then it costs a socket and a little heap: a peer that connects and says nothing, or
 * sends its ClientHello a byte at a time, holds no thread and no native memory, and is closed at its
 * handshake deadline. Limits: connections open at once from one client address
 * ({@link Builder#maxPerClient}), and in all ({@link Builder#maxConnections}); at the global limit a new
 * connection displaces the oldest one still in its handshake, or is refused if none is. Refusals are
 * counted in {@link #stats()}. One client address has at most {@link Builder#maxWorkersPerClient} workers
 * at once (a quarter of them by default): its further connections wait for one of its own, so that a
 * client whose connections stall their workers (a peer that never reads what it asked for holds one for
 * the read timeout) cannot stall every other client.
 *
 * <p>The limit of this design: a connection kept alive between requests stays with its worker, for at
 * most the read timeout per request (the {@link Handler} is one blocking call per connection).
 *
 * <pre>{@code
 * try (TlsServer server = TlsServer.builder(context, connection -> { ... }).port(8443).build()) {
 *     ...
 * }
 * }</pre>
 *
 * {@link #close()} shuts down gracefully: it stops accepting, lets running handlers finish for the
 * grace period, then closes their sockets and interrupts them; every native object is freed before it
 * returns, also those of a handler that never returns (its next call on the connection throws).
 */
public final class TlsServer implements AutoCloseable {
    /** What the server does with each connection after its handshake. */
    @FunctionalInterface
    public interface Handler {
        /** Serves one connection; the server closes it afterwards. */
        void serve(TlsConnection connection) throws IOException;
    }

    /**
     * Connection counts since the start. The names are those of {@code serve}'s {@code /stats}
     * ({@code connections-refused} is {@link #connectionsRefused()}, and so on).
     *
     * @param connectionsAccepted connections accepted
     * @param connectionsRefused connections closed at once by a limit (the per-client ones included)
     * @param connectionsRefusedPerClient of those, refused because their address had {@link Builder#maxPerClient} open
     * @param connectionsEvicted connections still in their handshake closed to make room at {@link Builder#maxConnections}
     * @param connectionsTimedOut connections closed because their handshake, or their first request, took too long
     * @param handshakes handshakes completed
     * @param resumptions of those, resumed sessions
     * @param connectionsFailed connections that ended in an error (TLS, transport, or the handler's exception),
     *        except those in {@code connectionsAbandoned}
     * @param connectionsOpen connections not yet freed
     * @param connectionsAbandoned connections whose peer went away while the handler used them (its write
     *        or read failed with a broken pipe or a reset): the peer left, nothing failed on this side
     * @param connectionsQueuedPerClient connections that waited for a worker because their address had
     *        {@link Builder#maxWorkersPerClient} busy (those that waited past the read timeout are also in
     *        {@code connectionsTimedOut})
     */
    public record Stats(long connectionsAccepted, long connectionsRefused, long connectionsRefusedPerClient,
            long connectionsEvicted, long connectionsTimedOut, long handshakes, long resumptions,
            long connectionsFailed, int connectionsOpen, long connectionsAbandoned, long connectionsQueuedPerClient) {

        /**
         * The counts without {@link #connectionsQueuedPerClient()}, as before it was counted.
         *
         * @param connectionsAccepted connections accepted
         * @param connectionsRefused connections closed at once by a limit
         * @param connectionsRefusedPerClient of those, refused by {@link Builder#maxPerClient}
         * @param connectionsEvicted connections closed in their handshake to make room
         * @param connectionsTimedOut connections closed for taking too long
         * @param handshakes handshakes completed
         * @param resumptions of those, resumed sessions
         * @param connectionsFailed connections that ended in an error
         * @param connectionsOpen connections not yet freed
         * @param connectionsAbandoned connections whose peer went away while the handler used them
         */
        public Stats(long connectionsAccepted, long connectionsRefused, long connectionsRefusedPerClient,
                long connectionsEvicted, long connectionsTimedOut, long handshakes, long resumptions,
                long connectionsFailed, int connectionsOpen, long connectionsAbandoned) {
            this(connectionsAccepted, connectionsRefused, connectionsRefusedPerClient, connectionsEvicted,
                    connectionsTimedOut, handshakes, resumptions, connectionsFailed, connectionsOpen,
                    connectionsAbandoned, 0);
        }

        /**
         * The counts without {@link #connectionsAbandoned()}, as before it was counted apart.
         *
         * @param connectionsAccepted connections accepted
         * @param connectionsRefused connections closed at once by a limit
         * @param connectionsRefusedPerClient of those, refused by {@link Builder#maxPerClient}
         * @param connectionsEvicted connections closed in their handshake to make room
         * @param connectionsTimedOut connections closed for taking too long
         * @param handshakes handshakes completed
         * @param resumptions of those, resumed sessions
         * @param connectionsFailed connections that ended in an error
         * @param connectionsOpen connections not yet freed
         */
        public Stats(long connectionsAccepted, long connectionsRefused, long connectionsRefusedPerClient,
                long connectionsEvicted, long connectionsTimedOut, long handshakes, long resumptions,
                long connectionsFailed, int connectionsOpen) {
            this(connectionsAccepted, connectionsRefused, connectionsRefusedPerClient, connectionsEvicted,
                    connectionsTimedOut, handshakes, resumptions, connectionsFailed, connectionsOpen, 0, 0);
        }

        /**
         * The former name of {@link #connectionsAccepted()}, kept for one release.
         *
         * @return {@link #connectionsAccepted()}
         * @deprecated renamed {@link #connectionsAccepted()}, as {@code /stats} names it
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public long accepted() {
            return connectionsAccepted;
        }

        /**
         * The former name of {@link #connectionsRefused()}, kept for one release.
         *
         * @return {@link #connectionsRefused()}
         * @deprecated renamed {@link #connectionsRefused()}, as {@code /stats} names it
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public long rejected() {
            return connectionsRefused;
        }

        /**
         * The former name of {@link #connectionsRefusedPerClient()}, kept for one release.
         *
         * @return {@link #connectionsRefusedPerClient()}
         * @deprecated renamed {@link #connectionsRefusedPerClient()}, as {@code /stats} names it
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public long rejectedPerClient() {
            return connectionsRefusedPerClient;
        }

        /**
         * The former name of {@link #connectionsEvicted()}, kept for one release.
         *
         * @return {@link #connectionsEvicted()}
         * @deprecated renamed {@link #connectionsEvicted()}, as {@code /stats} names it
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public long evicted() {
            return connectionsEvicted;
        }

        /**
         * The former name of {@link #connectionsTimedOut()}, kept for one release.
         *
         * @return {@link #connectionsTimedOut()}
         * @deprecated renamed {@link #connectionsTimedOut()}, as {@code /stats} names it
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public long timedOut() {
            return connectionsTimedOut;
        }

        /**
         * The former name of {@link #connectionsFailed()}, kept for one release.
         *
         * @return {@link #connectionsFailed()}
         * @deprecated renamed {@link #connectionsFailed()}, as {@code /stats} names it
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public long failures() {
            return connectionsFailed;
        }

        /**
         * The former name of {@link #connectionsOpen()}, kept for one release.
         *
         * @return {@link #connectionsOpen()}
         * @deprecated renamed {@link #connectionsOpen()}, as {@code /stats} names it
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public int open() {
            return connectionsOpen;
        }
    }

    /** After the grace and the interrupt, how long close() waits for handlers to unwind before freeing under them. */
    private static final long UNWIND_MILLIS = 500;

    private final Handler handler;
    private final Duration readTimeout;
    private final Duration grace;
    private final System.Logger logger;
    private final int maxPerClient;
    private final int maxWorkersPerClient;
    private final int maxConnections;
    private final int port;
    private final Consumer<Ssl> handshakeListener; // null for none
    private final Selector selector;
    private final Thread selectorThread;
    private final ThreadPoolExecutor workers;
    private final Set<Thread> workerThreads = ConcurrentHashMap.newKeySet();
    private final Set<ServerConnection> live = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder rejectedPerClient = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder resumptions = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder abandoned = new LongAdder();
    private final LongAdder queuedPerClient = new LongAdder();
    /**
     * Guards {@link #busyWorkers}, {@link #waitingForWorker} and each connection's {@code holdsTurn}, so that
     * a worker's turn passes to the next waiting connection of its address in one step, whatever releases,
     * expires or closes at the same time.
     */
    private final Object turns = new Object();
    /** Per client address: its connections queued for or running on a worker; absent at 0. */
    private final Map<InetAddress, Integer> busyWorkers = new HashMap<>();
    /** Per client address at {@link #maxWorkersPerClient}: its connections waiting for one of its workers, in order. */
    private final Map<InetAddress, ArrayDeque<ServerConnection>> waitingForWorker = new HashMap<>();
    /** Heap held by partial first records (ServerConnection.hello), all connections together. */
    private final AtomicLong helloBytes = new AtomicLong();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;
    /** The thread running {@link #shutdown()}: a close() from it (its logger) returns at once. */
    private volatile Thread shutdownThread;
    /** Why the selector thread died, if it did: the server then accepts nothing more. */
    private volatile Throwable selectorFailure;

    private TlsServer(Builder builder) throws IOException {
        SslContext context = requireServerContext(builder.context);
        this.handler = builder.handler;
        this.readTimeout = builder.readTimeout;
        this.grace = builder.grace;
        this.logger = new GuardedLogger(builder.logger);
        this.maxPerClient = builder.maxPerClient;
        int workersPerClient = builder.maxWorkersPerClient != 0 ? builder.maxWorkersPerClient
                : Math.max(1, builder.workers / 4);
        // At the workers or more, no cap: every connection waits in the pool's queue, without a deadline, as before it.
        this.maxWorkersPerClient = workersPerClient < builder.workers ? workersPerClient : Integer.MAX_VALUE;
        this.maxConnections = builder.maxConnections;
        this.handshakeListener = builder.handshakeListener;
        ServerSocketChannel listener = null;
        Selector selector = null;
        try {
            listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            bind(listener, builder.address, builder.port, builder.backlog);
            listener.configureBlocking(false);
            this.port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            selector = Selector.open();
            HandshakeSelector loop = new HandshakeSelector(this, context, selector, listener,
                    builder.handshakeTimeout.toNanos(), readTimeout.toNanos(), logger);
            this.selector = selector;
            AtomicInteger threadNumber = new AtomicInteger();
            this.workers = new ThreadPoolExecutor(builder.workers, builder.workers, 0, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), task -> { // bounded by maxConnections: each task is an open connection
                        Thread thread = new Thread(task, "ossl-tickets-worker-" + port + "-"
                                + threadNumber.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            this.selectorThread = new Thread(loop, "ossl-tickets-selector-" + port);
            selectorThread.setDaemon(true);
            selectorThread.start();
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(listener);
            closeQuietly(selector);
            throw e;
        }
    }

    /** Binds, naming the address and port in the exception if that fails. */
    private static void bind(ServerSocketChannel listener, InetAddress address, int port, int backlog)
            throws IOException {
        try {
            listener.bind(new InetSocketAddress(address, port), backlog);
        } catch (IOException e) {
            BindException named = new BindException("cannot listen on " + address.getHostAddress() + " port " + port
                    + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    static SslContext requireServerContext(SslContext context) {
        Objects.requireNonNull(context, "context");
        if (!context.isOpen()) {
            throw new IllegalArgumentException("a TlsServer needs an open SslContext; this one was closed");
        }
        if (!context.isServer()) {
            throw new IllegalArgumentException("a TlsServer needs a server context (SslContext.forServer()), not "
                    + (context.isClient() ? "a client context" : "a borrowed one"));
        }
        return context;
    }

    /**
     * A builder for a server of {@code context} that hands connections to {@code handler}.
     *
     * @throws IllegalArgumentException if {@code context} is closed, or not made by {@link SslContext#forServer()}
     */
    public static Builder builder(SslContext context, Handler handler) {
        return new Builder(requireServerContext(context), handler);
    }

    /** The port the server listens on (useful after binding port 0). */
    public int port() {
        return port;
    }

    /** Counts since the start. */
    public Stats stats() {
        return new Stats(accepted.sum(), rejected.sum(), rejectedPerClient.sum(), evicted.sum(), timedOut.sum(),
                handshakes.sum(), resumptions.sum(), failures.sum(), open.get(), abandoned.sum(),
                queuedPerClient.sum());
    }

    /**
     * True while the server accepts and handshakes: false once {@link #close()} began, or if its selector
     * thread died of an {@link Error} (out of memory). A dead server has closed its port and its connections
     * waiting for a handshake or a first request, and logged why at ERROR; a supervisor should close it and
     * restart.
     */
    public boolean isRunning() {
        return !closing && selectorFailure == null;
    }

    /** For logs: "{@code TlsServer[port 8443, running|stopped, 3 connections open]}". */
    @Override
    public String toString() {
        return "TlsServer[port " + port + ", " + (isRunning() ? "running" : "stopped") + ", " + open.get()
                + " connections open]";
    }

    boolean isClosing() {
        return closing;
    }

    /** The selector thread dies of {@code e}: record it first (logging may fail as well), then say so. */
    void selectorDied(Throwable e) {
        selectorFailure = e;
        logger.log(Level.ERROR, "the server on port " + port + " stopped: its selector thread died; its port is"
                + " closed and it accepts no more connections", e);
    }

    /** On the selector's way out: frees every connection no worker owns. */
    void releaseSelectorConnections() {
        for (ServerConnection connection : live) {
            if (connection.phase != ServerConnection.Phase.WORKER) {
                connection.release();
            }
        }
    }

    // ---- called by the selector thread ----

    /** Null if a connection from {@code client} may open now, else why not (and counts the refusal). */
    String admit(InetAddress client) {
        accepted.increment();
        if (closing) {
            rejected.increment();
            return "the server is closing";
        }
        if (client != null && perClient.getOrDefault(client, 0) >= maxPerClient) {
            rejected.increment();
            rejectedPerClient.increment();
            return client.getHostAddress() + " already has " + maxPerClient + " connections open (maxPerClient)";
        }
        return null;
    }

    /** Counts a connection refused because every one open at {@link Builder#maxConnections} is past its handshake. */
    void refusedAtCap() {
        rejected.increment();
    }

    int openConnections() {
        return open.get();
    }

    boolean atConnectionCap() {
        return open.get() >= maxConnections;
    }

    /** Adds {@code bytes} (negative: frees) to the heap held by partial first records; returns the new total. */
    long helloBuffered(long bytes) {
        return helloBytes.addAndGet(bytes);
    }

    void evicted() {
        evicted.increment();
    }

    /** Counts a connection the selector admitted; it stays counted until {@link #released}. */
    void opened(ServerConnection connection) {
        open.incrementAndGet();
        live.add(connection);
        if (connection.client != null) {
            perClient.merge(connection.client, 1, Integer::sum);
        }
    }

    /**
     * Counts the handshake and runs the listener; false if the listener closed the connection's Ssl, which
     * then ends (the caller releases it), logged at INFO and counted as neither failed nor abandoned.
     */
    boolean handshakeFinished(ServerConnection connection) {
        handshakes.increment();
        if (connection.ssl.isSessionReused()) {
            resumptions.increment();
        }
        if (handshakeListener == null) {
            return true;
        }
        try {
            handshakeListener.accept(connection.ssl);
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                // Out of memory, or the JVM broken: the selector thread's own Error path stops the server
                // (isRunning() false, port closed, logged at ERROR) so that a supervisor restarts it.
                throw e;
            }
            listenerFailed(connection, e); // the stack unwound: the thread is as sound as before the call
        } catch (Throwable e) { // also an Error of the listener's own, or a checked exception thrown sneakily
            listenerFailed(connection, e);
        }
        if (isClosed(connection.ssl)) {
            logger.log(Level.INFO, "connection from " + connection.remote + " ended: the handshake listener"
                    + " closed its Ssl");
            return false;
        }
        return true;
    }

    /** The listener's bug, not the peer's: the connection goes on, since a listener only observes. */
    private void listenerFailed(ServerConnection connection, Throwable e) {
        logger.log(Level.WARNING, "the handshake listener threw on the connection from " + connection.remote
                + "; the connection goes on", e);
    }

    private static boolean isClosed(Ssl ssl) {
        try {
            ssl.isSessionReused(); // throws on a closed Ssl, reads nothing else
            return false;
        } catch (IllegalStateException closed) {
            return true;
        }
    }

    void timedOut(ServerConnection connection, Exception why) {
        timedOut.increment();
        logger.log(Level.INFO, "connection from " + connection.remote + " closed: " + why.getMessage());
    }

    void failed(ServerConnection connection, Throwable why) {
        failures.increment();
        if (closing) {
            return;
        }
        boolean peersFault = why instanceof IOException || why instanceof OpenSslException;
        if (peersFault) {
            logger.log(Level.INFO, "connection from " + connection.remote + " ended: " + why);
        } else {
            logger.log(Level.ERROR, "connection from " + connection.remote + " ended: the handler failed", why);
        }
    }

    /**
     * A broken pipe or a reset from the socket itself (not from close() or abort() here, whose exceptions
     * say "the connection was closed"): the peer closed or reset its end while the handler wrote or read.
     */
    private static boolean peerWentAway(Throwable e) {
        String message = e.getMessage();
        return e instanceof IOException && message != null
                && (message.contains("Broken pipe") || message.contains("Connection reset"));
    }

    /** Called once per connection by {@link ServerConnection#release()}, after everything is freed. */
    void released(ServerConnection connection) {
        live.remove(connection);
        if (connection.client != null) {
            perClient.computeIfPresent(connection.client, (client, count) -> count == 1 ? null : count - 1);
        }
        open.decrementAndGet();
        ServerConnection next = leaveTurns(connection);
        if (next != null) {
            execute(next);
        }
    }

    /**
     * Hands a connection whose first request arrived to the pool; or, if its address already has
     * {@link #maxWorkersPerClient} workers, makes it wait for one of them and returns false (the selector
     * then keeps its deadline).
     */
    boolean toWorker(ServerConnection connection) {
        synchronized (turns) {
            if (connection.isReleased()) {
                return true; // closed meanwhile (by close()): nothing to hand, nothing to count
            }
            InetAddress client = connection.client;
            if (client != null && busyWorkers.getOrDefault(client, 0) >= maxWorkersPerClient) {
                connection.phase = ServerConnection.Phase.WAITING;
                waitingForWorker.computeIfAbsent(client, waiting -> new ArrayDeque<>()).add(connection);
                queuedPerClient.increment();
                return false;
            }
            takeTurn(connection);
        }
        execute(connection);
        return true;
    }

    /** True if the connection still waited for a worker: it no longer does, and the caller closes it. */
    boolean stopWaiting(ServerConnection connection) {
        synchronized (turns) {
            if (connection.phase != ServerConnection.Phase.WAITING) {
                return false; // a worker's turn reached it first, or it was released
            }
            removeWaiting(connection);
            return true;
        }
    }

    private void takeTurn(ServerConnection connection) {
        connection.phase = ServerConnection.Phase.WORKER;
        if (connection.client != null) {
            connection.holdsTurn = true;
            busyWorkers.merge(connection.client, 1, Integer::sum);
        }
    }

    /**
     * A released connection leaves its address's turns: it no longer waits, or its worker turn passes to
     * the address's next waiting connection, which is returned to be executed (none once closing: close()
     * releases those).
     */
    private ServerConnection leaveTurns(ServerConnection connection) {
        synchronized (turns) {
            if (!connection.holdsTurn) {
                removeWaiting(connection);
                return null;
            }
            connection.holdsTurn = false;
            InetAddress client = connection.client;
            busyWorkers.computeIfPresent(client, (address, count) -> count == 1 ? null : count - 1);
            ArrayDeque<ServerConnection> waiting = waitingForWorker.get(client);
            if (waiting == null || closing) {
                return null;
            }
            ServerConnection next = waiting.pollFirst();
            if (waiting.isEmpty()) {
                waitingForWorker.remove(client);
            }
            takeTurn(next);
            return next;
        }
    }

    private void removeWaiting(ServerConnection connection) {
        ArrayDeque<ServerConnection> waiting = waitingForWorker.get(connection.client);
        if (waiting != null && waiting.remove(connection) && waiting.isEmpty()) {
            waitingForWorker.remove(connection.client);
        }
    }

    private void execute(ServerConnection connection) {
        try {
            workers.execute(new Work(connection));
        } catch (RejectedExecutionException shuttingDown) {
            connection.release();
        }
    }

    /** A connection's turn on a worker; a class so that close() can free those still queued. */
    private final class Work implements Runnable {
        final ServerConnection connection;

        Work(ServerConnection connection) {
            this.connection = connection;
        }

        @Override
        public void run() {
            serve(connection);
        }
    }

    private void serve(ServerConnection handed) {
        Thread self = Thread.currentThread();
        workerThreads.add(self);
        handed.worker = self;
        TlsConnection connection = null;
        try {
            if (closing) {
                return;
            }
            connection = handed.openOnWorker(readTimeout);
            if (connection == null) { // released meanwhile
                return;
            }
            handler.serve(connection);
        } catch (Throwable e) { // an Error too: counted and logged, and the worker lives on
            if (peerWentAway(e) && !closing) {
                abandoned.increment();
                logger.log(Level.INFO, "connection from " + handed.remote + " abandoned by the peer: " + e);
            } else {
                failed(handed, e);
            }
        } finally {
            try {
                if (connection != null) {
                    connection.close();
                }
            } catch (RuntimeException | Error e) {
                logger.log(Level.WARNING, "closing the connection from " + handed.remote + " failed", e);
            } finally {
                handed.worker = null;
                handed.release();
                Thread.interrupted(); // an interrupt meant for this connection must not reach the next one
            }
        }
    }

    /**
     * Stops accepting, waits up to the grace period for running handlers, then closes their sockets and
     * interrupts them, and frees everything; returns within the grace period plus about half a second.
     * Idempotent, and safe from several threads at once (later calls wait for the first). Called from
     * a handler, or from the handshake listener or the logger on the selector thread, it starts the
     * shutdown on another thread and returns at once (waiting there would wait for itself): the
     * caller's own connection ends when the callback returns. Called by the logger from within the
     * shutdown, it returns at once too.
     */
    @Override
    public void close() {
        Thread caller = Thread.currentThread();
        if (caller == shutdownThread) {
            return; // from the logger, while this thread's close() runs: it would wait for itself
        }
        if (caller == selectorThread || workerThreads.contains(caller)) {
            if (closeStarted.compareAndSet(false, true)) {
                Thread closer = new Thread(this::shutdown, "ossl-tickets-close-" + port);
                closer.setDaemon(true);
                closer.start();
            }
            return;
        }
        if (closeStarted.compareAndSet(false, true)) {
            shutdown();
        } else {
            try {
                closed.await(grace.toMillis() + 10 * UNWIND_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutdown() {
        shutdownThread = Thread.currentThread();
        closing = true;
        boolean interrupted = false;
        try {
            selector.wakeup();
            workers.shutdown();
            long deadline = System.nanoTime() + grace.toNanos();
            selectorThread.join(Math.max(100, grace.toMillis())); // it stops at once unless a listener blocks it
            if (selectorThread.isAlive()) { // a handshake listener blocks it: it is told to stop
                logger.log(Level.WARNING, "the selector thread of the server on port " + port + " did not stop"
                        + " within the grace period (a handshake listener blocks?); it is interrupted");
                selectorThread.interrupt();
            }
            long left = deadline - System.nanoTime();
            if (!workers.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                for (ServerConnection connection : live) {
                    TlsConnection running = connection.connection;
                    if (running != null) {
                        running.abort(); // blocked reads and writes fail
                    }
                }
                for (Runnable queued : workers.shutdownNow()) { // interrupts the workers too
                    ((Work) queued).connection.release();
                }
                workers.awaitTermination(UNWIND_MILLIS, TimeUnit.MILLISECONDS);
            }
            selectorThread.join(UNWIND_MILLIS);
            if (selectorThread.isAlive()) {
                logger.log(Level.WARNING, "the selector thread of the server on port " + port + " ignored the"
                        + " interrupt (a handshake listener that never returns?); its connections are freed under it");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            for (ServerConnection stuck : live) {
                if (stuck.worker != null) {
                    logger.log(Level.WARNING, "the handler of the connection from " + stuck.remote + " on "
                            + stuck.worker.getName() + " ignored the interrupt; its connection is freed under it");
                }
                stuck.release();
            }
            closed.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // nothing left to do for it
        }
    }

    /** Settings, each with a default. */
    public static final class Builder {
        private final SslContext context;
        private final Handler handler;
        private InetAddress address = InetAddress.getLoopbackAddress();
        private int port = 8443;
        private int workers = 16;
        private int backlog = 1024;
        private int maxPerClient = 256;
        private int maxWorkersPerClient; // 0: a quarter of the workers, at least 1
        private int maxConnections = 10_000;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration grace = Duration.ofSeconds(5);
        private System.Logger logger = System.getLogger(TlsServer.class.getName());
        private Consumer<Ssl> handshakeListener;

        private Builder(SslContext context, Handler handler) {
            this.context = context;
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** The address to listen on; default the loopback address. */
        public Builder bind(InetAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The port; 0 picks a free one ({@link TlsServer#port()}); default 8443. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
            this.port = port;
            return this;
        }

        /** Handlers run at once (default 16); connections ready for a handler wait their turn. */
        public Builder workers(int workers) {
            this.workers = atLeastOne(workers, "workers");
            return this;
        }

        /** The listen backlog: connections the kernel completes before the server accepts them (default 1024). */
        public Builder backlog(int backlog) {
            this.backlog = atLeastOne(backlog, "backlog");
            return this;
        }

        /** Connections open at once from one client address (default 256); more are closed at once. */
        public Builder maxPerClient(int connections) {
            this.maxPerClient = atLeastOne(connections, "maxPerClient");
            return this;
        }

        /**
         * Workers one client address may hold at once (default a quarter of {@link #workers}, at least 1);
         * its further connections, their request received, wait for one of its own workers to free (up to
         * the read timeout, then they are closed), while other addresses are served. A peer that asks for
         * much and reads nothing holds a worker for up to the read timeout per write: without this cap, one
         * address with as many such connections as there are workers stalls every client. Behind a proxy or
         * a load balancer every client has its address: raise this there; at {@link #workers} or more there
         * is no cap.
         */
        public Builder maxWorkersPerClient(int workers) {
            this.maxWorkersPerClient = atLeastOne(workers, "maxWorkersPerClient");
            return this;
        }

        /**
         * Connections open at once (default 10,000; each is a file descriptor). At the limit a new
         * connection displaces the oldest one still in its handshake, or is closed at once if there is none.
         */
        public Builder maxConnections(int connections) {
            this.maxConnections = atLeastOne(connections, "maxConnections");
            return this;
        }

        /** The longest a handshake may take, from accept to its end (default 10 s; cut to {@link TlsConnection#MAX_TIMEOUT}). */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * The longest a read may wait for the peer, and the first request after the handshake, and a write
         * for the peer to take each record (default 30 s).
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** How long {@link TlsServer#close()} lets running handlers finish (default 5 s; cut to {@link TlsConnection#MAX_TIMEOUT}). */
        public Builder grace(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace cannot be negative: " + grace);
            }
            this.grace = grace.compareTo(TlsConnection.MAX_TIMEOUT) > 0 ? TlsConnection.MAX_TIMEOUT : grace;
            return this;
        }

        /**
         * Where the server reports refusals (INFO), peers that fail or time out (INFO), and handlers that
         * throw (ERROR, with the exception); default {@code System.getLogger("io.github.ossltickets.net.TlsServer")}.
         */
        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /**
         * Called with each connection whose handshake just completed, before it waits for its first
         * request: to count or record what the handshake did ({@link Ssl#isSessionReused()}, what its
         * ticket callbacks saw in {@link Ssl#attachment()}). Default: none.
         *
         * <p>It runs on the selector thread, which runs every handshake of the server: it must be quick
         * and must never block (no I/O, no lock another thread may hold, no waiting). While it blocks,
         * no connection is accepted and no handshake moves on, and every waiting client times out.
         * {@link TlsServer#close()} interrupts a listener still blocked after the grace period, and
         * returns anyway about half a second later, freeing the connections under it.
         *
         * <p>Whatever it throws ({@link RuntimeException}, an {@link Error} such as {@link AssertionError}
         * or {@link StackOverflowError}, a checked exception thrown sneakily) is logged at WARNING and the
         * connection goes on; only a {@link VirtualMachineError} other than {@link StackOverflowError}
         * (out of memory) is not caught: it stops the server as in {@link TlsServer#isRunning()}.
         *
         * <p>The {@link Ssl} is the server's: keep no reference past the call (the server frees it when
         * the connection ends). Closing it in the listener ends the connection at once, logged at INFO as
         * closed by the listener and counted as neither failed nor abandoned.
         */
        public Builder handshakeListener(Consumer<Ssl> listener) {
            this.handshakeListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Binds, starts the selector thread, and returns the running server: {@code build()} as for
         * every builder of the library ({@link SslContext.Builder#build()}), so one name ends each chain.
         *
         * @throws BindException naming the address and port if the server cannot listen there
         * @throws IllegalArgumentException if the context was closed since {@link TlsServer#builder}
         */
        public TlsServer build() throws IOException {
            return new TlsServer(this);
        }

        /**
         * The former name of {@link #build()}, kept for one release.
         *
         * @throws IOException as {@link #build()}
         * @deprecated use {@link #build()}, the name every builder of the library ends with
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public TlsServer start() throws IOException {
            return build();
        }

        private static int atLeastOne(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, not " + value);
            }
            return value;
        }

        /** A positive timeout, cut to {@link TlsConnection#MAX_TIMEOUT} as the connections cut it (no overflow in nanoseconds). */
        private static Duration positive(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + duration);
            }
            return duration.compareTo(TlsConnection.MAX_TIMEOUT) > 0 ? TlsConnection.MAX_TIMEOUT : duration;
        }
    }
}
