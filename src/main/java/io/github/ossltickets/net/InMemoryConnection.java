package io.github.ossltickets.net;

import io.github.ossltickets.MessageLog;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.ffi.StackProof;

import java.util.Objects;

/**
 * A server and a client {@link Ssl} joined by an in-memory BIO pair, driven on the calling thread. No
 * sockets: for tests, the demo and benchmarks. Made by {@link #open}, both sides record their messages
 * ({@link MessageLog}), so a caller can count the NewSessionTickets the client received and see the
 * alerts; {@link #join} pairs connections made elsewhere.
 *
 * <pre>{@code
 * try (InMemoryConnection c = InMemoryConnection.open(server, client, savedSession)) {
 *     c.handshake();
 *     boolean resumed = c.client().isSessionReused();
 * }
 * }</pre>
 */
public final class InMemoryConnection implements AutoCloseable {
    /** How often the pump checks that bytes still move; a handshake needs about 4 rounds. */
    private static final int STALL_CHECK_ROUNDS = 8;
    private final Ssl server;
    private final Ssl client;

    private InMemoryConnection(Ssl server, Ssl client) {
        this.server = server;
        this.client = client;
        client.joinWithBioPair(server);
    }

    /**
     * Joins two connections made elsewhere and takes them over: {@link #close()} closes both. Unlike
     * {@link #open}, it does not track messages: {@link #serverLog()} and {@link #clientLog()} start
     * tracking when first called.
     */
    public static InMemoryConnection join(Ssl server, Ssl client) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(client, "client");
        if (!server.isServer() || client.isServer()) {
            throw new IllegalArgumentException("InMemoryConnection.join takes a server connection, then a client"
                    + " connection; got a " + (server.isServer() ? "server" : "client") + ", then a "
                    + (client.isServer() ? "server" : "client"));
        }
        return new InMemoryConnection(server, client);
    }

    /** A new connection pair; the client offers {@code session} for resumption if it is not null. */
    public static InMemoryConnection open(SslContext serverContext, SslContext clientContext, SslSession session) {
        Objects.requireNonNull(serverContext, "serverContext");
        Objects.requireNonNull(clientContext, "clientContext");
        Ssl server = serverContext.newSsl();
        Ssl client = null;
        try {
            client = clientContext.newSsl();
            if (!server.isServer() || client.isServer()) {
                throw new IllegalArgumentException("InMemoryConnection.open takes a server context, then a client"
                        + " context; got a " + (server.isServer() ? "server" : "client") + " context, then a "
                        + (client.isServer() ? "server" : "client") + " context");
            }
            if (session != null) {
                client.setSession(session);
            }
            server.trackMessages();
            client.trackMessages();
            return new InMemoryConnection(server, client);
        } catch (RuntimeException e) {
            server.close();
            if (client != null) {
                client.close();
            }
            throw e;
        }
    }

    /** A new connection pair with no session offered: a full handshake. */
    public static InMemoryConnection open(SslContext serverContext, SslContext clientContext) {
        return open(serverContext, clientContext, null);
    }

    /**
     * Runs both sides of the handshake to the end, then has the client read once so that TLS 1.3
     * NewSessionTickets, which arrive after the handshake, are processed.
     *
     * @throws OpenSslException from the side that failed first, the other side's failure suppressed;
     *     a ticket callback's exception is its cause
     */
    public void handshake() {
        // One stack proof for the pump's calls into OpenSSL, instead of one for each (StackProof).
        Object proof = StackProof.open();
        try {
            pump(proof);
        } finally {
            StackProof.close(proof);
        }
    }

    /** The handshake loop; {@code proof} is armed before each call into OpenSSL, which disarms it (StackProof). */
    private void pump(Object proof) {
        boolean serverDone = false;
        boolean clientDone = false;
        long moved = -1;
        for (int round = 0; !(serverDone && clientDone); round++) {
            if (round > 0 && round % STALL_CHECK_ROUNDS == 0) { // a handshake takes fewer rounds: no check at all
                long movedBefore = moved;
                moved = client.bytesRead() + client.bytesWritten() + server.bytesRead() + server.bytesWritten();
                if (moved == movedBefore) {
                    throw new IllegalStateException("the handshake stalled: in " + STALL_CHECK_ROUNDS + " rounds neither"
                            + " side read or wrote a byte (client " + (clientDone ? "finished" : "waiting")
                            + ", server " + (serverDone ? "finished" : "waiting") + ")");
                }
            }
            try {
                StackProof.arm(proof);
                clientDone = step(client, clientDone);
            } catch (OpenSslException clientFailure) {
                throw withPeerFailure(clientFailure, server);
            }
            try {
                StackProof.arm(proof);
                serverDone = step(server, serverDone);
            } catch (OpenSslException serverFailure) {
                throw withPeerFailure(serverFailure, client);
            }
        }
        StackProof.arm(proof);
        readPostHandshakeMessages();
    }

    /**
     * Moves one side on: the handshake while it runs; afterwards a read, so that a finished side keeps
     * draining what its peer still sends (TLS 1.3 tickets can outgrow the BIO pair's buffer).
     */
    private static boolean step(Ssl side, boolean done) {
        if (!done) {
            return side.handshake();
        }
        if (side.read(new byte[1]) > 0) {
            throw new IllegalStateException("unexpected application data during the handshake");
        }
        return true;
    }

    /** The client reads whatever the server sent after the handshake (TLS 1.3 tickets, an alert). */
    public void readPostHandshakeMessages() {
        byte[] oneByte = new byte[1];
        int read = client.read(oneByte);
        if (read > 0) {
            throw new IllegalStateException("unexpected application data from the server");
        }
    }

    /** Lets the peer run once so it reads the alert the failing side sent; its failure is suppressed. */
    private static OpenSslException withPeerFailure(OpenSslException failure, Ssl peer) {
        try {
            if (peer.isHandshakeFinished()) {
                peer.read(new byte[1]);
            } else {
                peer.handshake();
            }
        } catch (RuntimeException peerFailure) {
            failure.addSuppressed(peerFailure);
        }
        return failure;
    }

    /** Sends {@code data} from one side and reads it on the other; returns what was read. */
    public byte[] send(boolean fromClient, byte[] data) {
        Ssl writer = fromClient ? client : server;
        Ssl reader = fromClient ? server : client;
        if (writer.write(data) != data.length) {
            throw new IllegalStateException("short write into the BIO pair");
        }
        byte[] buffer = new byte[data.length];
        int total = 0;
        while (total < data.length) {
            byte[] chunk = new byte[data.length - total];
            int read = reader.read(chunk);
            if (read <= 0) {
                throw new IllegalStateException("peer sent " + data.length + " bytes but only " + total + " arrived");
            }
            System.arraycopy(chunk, 0, buffer, total, read);
            total += read;
        }
        return buffer;
    }

    public Ssl server() {
        return server;
    }

    public Ssl client() {
        return client;
    }

    /** The server's messages: tickets sent, alerts sent ({@link Ssl#trackMessages()}). */
    public MessageLog serverLog() {
        return server.trackMessages();
    }

    /** The client's messages: NewSessionTickets received, alerts received ({@link Ssl#trackMessages()}). */
    public MessageLog clientLog() {
        return client.trackMessages();
    }

    /** Shuts down and frees the client, then the server ({@link Ssl#close()}). */
    @Override
    public void close() {
        Object proof = StackProof.open(); // one proof for the two frees
        try {
            StackProof.arm(proof);
            client.close();
        } finally {
            try {
                StackProof.arm(proof);
                server.close();
            } finally {
                StackProof.close(proof);
            }
        }
    }

    /** For logs: "{@code InMemoryConnection[server Ssl[…], client Ssl[…]]}". */
    @Override
    public String toString() {
        return "InMemoryConnection[server " + server + ", client " + client + "]";
    }
}
