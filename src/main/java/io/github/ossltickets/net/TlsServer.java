package io.github.ossltickets.net;

import io.github.ossltickets.SslContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A TLS server on blocking sockets: one accept thread and a bounded pool of workers, each running
 * one connection at a time through its handshake and then the {@link Handler}. A connection that
 * stays silent longer than the handshake or read timeout is dropped, so a slow peer cannot hold a
 * worker; when every worker is busy and the queue is full, new connections are closed at once.
 *
 * <pre>{@code
 * try (TlsServer server = TlsServer.builder(context, connection -> { ... }).port(8443).start()) {
 *     ...
 * }
 * }</pre>
 *
 * {@link #close()} shuts down gracefully: it stops accepting, lets running connections finish for
 * the grace period, then closes the rest; every native object is freed.
 */
public final class TlsServer implements AutoCloseable {
    /** What the server does with each connection after its handshake. */
    @FunctionalInterface
    public interface Handler {
        /** Serves one connection; the server closes it afterwards. */
        void serve(TlsConnection connection) throws IOException;
    }

    /** Connection counts since the start; {@code open} counts connections not yet freed. */
    public record Stats(long accepted, long rejected, long handshakes, long resumptions, long failures,
            int open) {}

    private final SslContext context;
    private final Handler handler;
    private final Duration handshakeTimeout;
    private final Duration readTimeout;
    private final Duration grace;
    private final Consumer<String> log;
    private final ServerSocket serverSocket;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;
    private final Set<TlsConnection> open = ConcurrentHashMap.newKeySet();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder resumptions = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile boolean closing;

    private TlsServer(Builder builder) throws IOException {
        this.context = builder.context;
        this.handler = builder.handler;
        this.handshakeTimeout = builder.handshakeTimeout;
        this.readTimeout = builder.readTimeout;
        this.grace = builder.grace;
        this.log = builder.log;
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(builder.address, builder.port), builder.backlog);
        AtomicInteger threadNumber = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(builder.workers, builder.workers, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(builder.backlog), task -> {
                    Thread thread = new Thread(task, "ossl-tickets-worker-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.acceptor = new Thread(this::acceptLoop, "ossl-tickets-acceptor-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A builder for a server of {@code context}, a server context, that hands connections to {@code handler}. */
    public static Builder builder(SslContext context, Handler handler) {
        return new Builder(context, handler);
    }

    /** The port the server listens on (useful after binding port 0). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Counts since the start. */
    public Stats stats() {
        return new Stats(accepted.sum(), rejected.sum(), handshakes.sum(), resumptions.sum(), failures.sum(),
                open.size());
    }

    private void acceptLoop() {
        while (!closing) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closing) {
                    log.accept("accept failed: " + e);
                }
                continue;
            }
            accepted.increment();
            try {
                workers.execute(() -> serve(socket));
            } catch (RejectedExecutionException busy) {
                rejected.increment();
                log.accept("connection from " + socket.getRemoteSocketAddress() + " refused: every worker is busy");
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        TlsConnection connection = null;
        try {
            socket.setTcpNoDelay(true);
            connection = new TlsConnection(context.newSsl(), socket, readTimeout, null);
            open.add(connection);
            if (closing) {
                return;
            }
            connection.handshake(handshakeTimeout);
            handshakes.increment();
            if (connection.ssl().isSessionReused()) {
                resumptions.increment();
            }
            handler.serve(connection);
        } catch (IOException | RuntimeException e) {
            failures.increment();
            if (!closing) {
                log.accept("connection from " + socket.getRemoteSocketAddress() + " ended: " + e);
            }
        } finally {
            if (connection != null) {
                connection.close();
                open.remove(connection); // after the free: stats().open() == 0 means everything is freed
            } else {
                closeQuietly(socket);
            }
        }
    }

    /**
     * Stops accepting, waits up to the grace period for running connections, closes the rest and
     * frees everything. Idempotent.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        closeQuietly(serverSocket);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                open.forEach(TlsConnection::abort); // blocked reads fail; the workers free their connections
                workers.shutdownNow();
                workers.awaitTermination(10, TimeUnit.SECONDS);
            }
            acceptor.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
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
        private int backlog = 64;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration grace = Duration.ofSeconds(5);
        private Consumer<String> log = message -> System.getLogger(TlsServer.class.getName())
                .log(System.Logger.Level.INFO, message);

        private Builder(SslContext context, Handler handler) {
            this.context = Objects.requireNonNull(context, "context");
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

        /** Connections served at once (default 16); up to {@link #backlog} more wait. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("a server needs at least one worker, not " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Accepted connections that may wait for a worker (default 64); more are closed at once. */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** The longest a handshake may take (default 10 s). */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /** The longest a read may wait for the peer (default 30 s). */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** How long {@link TlsServer#close()} lets running connections finish (default 5 s). */
        public Builder grace(Duration grace) {
            this.grace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** Where the server reports connections that fail and refusals; default System.Logger at INFO. */
        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** Binds and starts accepting. */
        public TlsServer start() throws IOException {
            return new TlsServer(this);
        }

        private static Duration positive(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + duration);
            }
            return duration;
        }
    }
}
