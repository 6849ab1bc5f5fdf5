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

    /** Connects, offers the newest session for this server if there is one, and runs the handshake. */
    public TlsConnection connect(String host, int port) throws IOException {
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

    /** Forgets every session. */
    @Override
    public void close() {
        newest.values().forEach(SslSession::close);
        newest.clear();
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
    }
}
