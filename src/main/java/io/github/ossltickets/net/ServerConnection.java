package io.github.ossltickets.net;

import io.github.ossltickets.NetworkBio;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.ffi.StackProof;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One accepted connection of a {@link TlsServer}, from accept to free. The selector thread
 * ({@link HandshakeSelector}) owns it while it waits for its ClientHello, runs its handshake, and
 * waits for its first request; then a worker owns it while the handler runs. {@link #release()}
 * frees it exactly once, from whichever thread gets there first.
 */
final class ServerConnection {
    /**
     * Where the connection is; only the thread that owns it changes this (the server's turn lock owns
     * {@link #WAITING}: entering, leaving it).
     */
    enum Phase {
        /** No native object yet: the first TLS record (the ClientHello) is still arriving. */
        HELLO,
        /** The handshake runs on the selector thread. */
        HANDSHAKE,
        /** Handshake done; waits, still on the selector, for the first request bytes. */
        AWAIT_REQUEST,
        /**
         * Its first request is there, but its client address has {@code maxWorkersPerClient} workers busy:
         * it waits for one of them, up to the read timeout ({@link #waitDeadline}), holding no worker.
         */
        WAITING,
        /** Queued for or running on a worker. */
        WORKER,
        /** Freed. */
        RELEASED
    }

    final SocketChannel channel;
    final InetAddress client;
    final SocketAddress remote;
    private final TlsServer server;
    private final AtomicBoolean released = new AtomicBoolean();

    volatile Phase phase = Phase.HELLO;
    /** When the selector gives up on this connection in its current phase (System.nanoTime). */
    long deadline;
    /**
     * When it gives up waiting for a worker of its address (System.nanoTime). Apart from {@link #deadline}:
     * the entry its handshake left in the first-request queue must keep the deadline it was queued with,
     * or it would hold back the expiry of every connection queued behind it.
     */
    long waitDeadline;
    /** The first TLS record as it arrives, byte by byte if the peer is slow; null once handed to OpenSSL. */
    byte[] hello;
    int helloLength;
    /** Created only once the first record is complete, so that idle and slow peers hold no native memory. */
    volatile Ssl ssl;
    volatile NetworkBio network;
    /** What OpenSSL wrote that the socket did not take yet; null when everything went out. */
    ByteBuffer unsent;
    /** The peer closed its side during the handshake. */
    boolean inputEnded;
    /** The worker's view of it, once a worker runs it. */
    volatile TlsConnection connection;
    volatile Thread worker;
    /** Counted among its address's busy workers (TlsServer#busyWorkers); guarded by the server's turn lock. */
    boolean holdsTurn;

    ServerConnection(SocketChannel channel, InetAddress client, SocketAddress remote, TlsServer server) {
        this.channel = channel;
        this.client = client;
        this.remote = remote;
        this.server = server;
    }

    /**
     * Closes the socket and frees every native object, once; the server's counts then drop. Safe from
     * any thread, also while a worker is still inside a call on the connection: a native object in use
     * is freed when that call returns (the handles defer it), and the worker's next call throws.
     */
    void release() {
        release(null);
    }

    /** {@link #release()}, its free covered by {@code stackProof}, the calling thread's open proof ({@link StackProof}). */
    void release(Object stackProof) {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        phase = Phase.RELEASED;
        dropHello();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        TlsConnection running;
        synchronized (this) { // after the flag: openOnWorker either sees it, or made what is read here
            running = connection;
        }
        if (running != null) {
            // The handler may have handed its connection to a thread that still uses it: only the
            // TlsConnection frees under its guard, now or when that thread's native call returns. Freed here,
            // the Ssl's half of the BIO pair could go under a BIO_read of the other half (a crash).
            running.close();
        } else {
            freeNativeObjects(stackProof);
        }
        // A released connection may stay queued in the selector's deadline queues behind a slow peer,
        // until that peer's deadline: it keeps nothing large there (the TlsConnection has 34 KB of buffers).
        connection = null;
        unsent = null;
        server.released(this);
    }

    /**
     * The worker's view of the connection, made in one step with the check that it is not released, so
     * that {@link #release} frees through it; null if it was released first.
     */
    synchronized TlsConnection openOnWorker(Duration readTimeout) throws IOException {
        if (released.get()) {
            return null;
        }
        connection = new TlsConnection(ssl, network, channel.socket(), readTimeout);
        return connection;
    }

    private void freeNativeObjects(Object stackProof) {
        Ssl ssl = this.ssl;
        NetworkBio network = this.network;
        if (ssl != null) {
            StackProof.arm(stackProof);
            try {
                ssl.close();
            } finally {
                StackProof.disarm(stackProof);
            }
        }
        if (network != null) {
            network.close();
        }
    }

    /** Lets go of the partial first record, and of its share of the server's budget for them. */
    void dropHello() {
        byte[] partial = hello;
        hello = null;
        if (partial != null) {
            server.helloBuffered(-partial.length);
        }
    }

    boolean isReleased() {
        return released.get();
    }
}
