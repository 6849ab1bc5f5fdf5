package io.github.ossltickets.net;

import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TLS client on blocking sockets that resumes: it keeps the newest session of each server
 * (host and port) and offers it on the next connection. TLS 1.3 tickets are meant for one use, and
 * they arrive after the handshake, so the session is taken when a connection closes, after everything
 * the server sent was read.
 *
 * <p>It does not verify the server's certificate: it is a client for tests, demos and benchmarks.
 */
public final class TlsClient implements AutoCloseable {
    private final SslContext context;
    private final Duration timeout;
    private final Map<String, SslSession> newest = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * A client of {@code context}; {@code timeout} bounds connecting, the handshake and each read. It must
     * be positive, and is cut to {@link TlsConnection#MAX_TIMEOUT} if longer.
     *
     * @throws IllegalArgumentException if {@code context} is closed, or not made by {@link SslContext#forClient()},
     *     or {@code timeout} is not positive
     */
    public TlsClient(SslContext context, Duration timeout) {
        Objects.requireNonNull(context, "context");
        if (!context.isOpen()) {
            throw new IllegalArgumentException("a TlsClient needs an open SslContext; this one was closed");
        }
        if (!context.isClient()) {
            throw new IllegalArgumentException("a TlsClient needs a client context (SslContext.forClient()), not "
                    + (context.isServer() ? "a server context" : "a borrowed one"));
        }
        this.context = context;
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a TlsClient's timeout must be positive, not " + timeout);
        }
        this.timeout = timeout.compareTo(TlsConnection.MAX_TIMEOUT) > 0 ? TlsConnection.MAX_TIMEOUT : timeout;
    }

    /** For logs: "{@code TlsClient[SslContext[client, owned, open 0x…], servers with a session: 2]}". */
    @Override
    public String toString() {
        return "TlsClient[" + context + ", servers with a session: " + newest.size() + "]";
    }

    /**
     * Connects, offers the newest session for this server if there is one, and runs the handshake.
     *
     * @throws IllegalStateException if this client is closed
     */
    public TlsConnection connect(String host, int port) throws IOException {
        if (closed) {
            throw new IllegalStateException("TlsClient is closed: " + this);
        }
        String server = host + ":" + port;
        Socket socket = new Socket();
        TlsConnection connection = null;
        try {
            // At least 1 ms: a shorter timeout is 0 ms to connect(), which waits without a bound.
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            socket.setTcpNoDelay(true);
            Ssl ssl = context.newSsl();
            SslSession offered = newest.get(server);
            if (offered != null) {
                try {
                    ssl.setSession(offered);
                } catch (IllegalStateException closedMeanwhile) {
                    // another thread replaced it: connect without
                }
            }
            connection = new TlsConnection(ssl, socket, timeout, closing -> keepNewest(server, closing));
            connection.handshake(timeout);
            return connection;
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                connection.close();
            } else {
                socket.close();
            }
            throw e;
        }
    }

    /** The session this client would offer to {@code host:port} next, as a copy of your own to close. */
    public Optional<SslSession> session(String host, int port) {
        SslSession session = newest.get(host + ":" + port);
        try {
            return session == null ? Optional.empty() : Optional.of(session.copy());
        } catch (IllegalStateException replacedMeanwhile) {
            return Optional.empty();
        }
    }

    /**
     * Forgets and frees every session; {@link #connect} refuses from then on. A connection still open
     * keeps working, and its session is freed, not kept, when it closes. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        forgetAll();
    }

    /** Each session is removed by exactly one caller, which frees it: close() and a late keepNewest may race. */
    private void forgetAll() {
        for (String server : newest.keySet()) {
            SslSession session = newest.remove(server);
            if (session != null) {
                session.close();
            }
        }
    }

    private void keepNewest(String server, Ssl ssl) {
        Optional<SslSession> session = ssl.session();
        if (session.isEmpty()) {
            return;
        }
        if (!session.get().isResumable()) {
            session.get().close();
            return;
        }
        SslSession previous = newest.put(server, session.get());
        if (previous != null) {
            previous.close();
        }
        if (closed) { // closed meanwhile: what close() may have missed is freed here
            forgetAll();
        }
    }
}
