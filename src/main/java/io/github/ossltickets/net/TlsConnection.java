package io.github.ossltickets.net;

import io.github.ossltickets.NetworkBio;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.Ssl;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One TLS connection over a blocking socket: an {@link Ssl} whose bytes pass through a
 * {@link NetworkBio} to and from the socket, as {@code SSLEngine}'s wrap and unwrap would. Its two
 * buffers are made once and reused for every record. Use it from one thread at a time;
 * {@link #abort()} may come from any thread.
 */
public final class TlsConnection implements AutoCloseable {
    /** One TLS record (16 KB of data plus its header and padding) fits in each buffer. */
    private static final int BUFFER_SIZE = 17 * 1024;

    private final Ssl ssl;
    private final NetworkBio network;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] toSocket = new byte[BUFFER_SIZE];
    private final byte[] fromSocket = new byte[BUFFER_SIZE];
    private final int readTimeoutMillis;
    private final Consumer<Ssl> beforeClose;
    private boolean inputEnded;
    private boolean closed;

    /** Takes over {@code ssl} and {@code socket}: if this constructor fails, it closes both. */
    TlsConnection(Ssl ssl, Socket socket, Duration readTimeout, Consumer<Ssl> beforeClose) throws IOException {
        this.ssl = Objects.requireNonNull(ssl, "ssl");
        this.socket = Objects.requireNonNull(socket, "socket");
        this.readTimeoutMillis = Math.toIntExact(Math.max(1, readTimeout.toMillis()));
        this.beforeClose = beforeClose;
        try {
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.network = ssl.attachNetworkBio(BUFFER_SIZE);
        } catch (IOException | RuntimeException e) {
            ssl.close();
            socket.close();
            throw e;
        }
    }

    /**
     * For {@link TlsServer}: a connection whose handshake already ran, without blocking, through
     * {@code network} ({@code ssl}'s attached BIO). Takes over all three: if this constructor fails, it
     * closes them.
     */
    TlsConnection(Ssl ssl, NetworkBio network, Socket socket, Duration readTimeout) throws IOException {
        this.ssl = Objects.requireNonNull(ssl, "ssl");
        this.network = Objects.requireNonNull(network, "network");
        this.socket = Objects.requireNonNull(socket, "socket");
        this.readTimeoutMillis = Math.toIntExact(Math.max(1, readTimeout.toMillis()));
        this.beforeClose = null;
        try {
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        } catch (IOException | RuntimeException e) {
            ssl.close();
            network.close();
            socket.close();
            throw e;
        }
    }

    /**
     * Carries {@code ssl} over {@code socket}; this connection owns both from now on and closes them
     * (also when this method throws).
     * A read that waits longer than {@code readTimeout} throws {@link SocketTimeoutException}.
     */
    public static TlsConnection over(Ssl ssl, Socket socket, Duration readTimeout) throws IOException {
        return new TlsConnection(ssl, socket, Objects.requireNonNull(readTimeout, "readTimeout"), null);
    }

    /** The TLS connection, for its session, protocol and attachment. */
    public Ssl ssl() {
        return ssl;
    }

    /** The socket underneath. */
    public Socket socket() {
        return socket;
    }

    /**
     * Runs the handshake to the end, or throws: {@link SocketTimeoutException} if it takes longer than
     * {@code timeout}, {@link OpenSslException} if TLS fails, {@link EOFException} if the peer leaves.
     */
    public void handshake(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ssl.handshake()) {
            if (flush() > 0) {
                continue; // OpenSSL may have stopped because the BIO pair was full: let it go on first
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("the TLS handshake did not finish within " + timeout.toMillis() + " ms");
            }
            try {
                receive((int) Math.max(1, left / 1_000_000), "the TLS handshake");
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("the TLS handshake did not finish within " + timeout.toMillis()
                        + " ms");
            }
        }
        flush(); // the last flight, and TLS 1.3 tickets
    }

    /**
     * Reads application data into the start of {@code buffer}; returns how many bytes, or -1 when the
     * peer closed the connection with close_notify.
     */
    public int read(byte[] buffer) throws IOException {
        while (true) {
            int read = ssl.read(buffer);
            if (read != Ssl.WANT_IO) {
                return read; // bytes, or END_OF_STREAM (-1)
            }
            if (flush() == 0) { // reading can make OpenSSL answer (a key update): send that first
                receive(readTimeoutMillis, "a read");
            }
        }
    }

    /** Writes all of {@code data} and sends it. */
    public void write(byte[] data) throws IOException {
        while (ssl.write(data) == Ssl.WANT_IO) {
            if (flush() == 0) { // the BIO pair was full: send, then OpenSSL goes on where it stopped
                receive(readTimeoutMillis, "a write"); // nothing to send: OpenSSL needs the peer first
            }
        }
        flush();
    }

    /** Sends what OpenSSL has written and the socket has not taken yet; returns how many bytes. */
    private int flush() throws IOException {
        int sent = 0;
        for (int n; (n = network.read(toSocket)) > 0; ) {
            out.write(toSocket, 0, n);
            sent += n;
        }
        out.flush();
        return sent;
    }

    /** Waits for the peer's next bytes and hands them to OpenSSL; at the peer's end of stream, says so to OpenSSL. */
    private void receive(int timeoutMillis, String during) throws IOException {
        if (inputEnded) {
            throw new EOFException("the peer closed the connection during " + during + " without close_notify");
        }
        socket.setSoTimeout(timeoutMillis);
        int n = in.read(fromSocket, 0, Math.min(fromSocket.length, Math.max(1, network.room())));
        if (n < 0) {
            inputEnded = true;
            network.endOfInput(); // OpenSSL's next call sees end of file
        } else {
            network.write(fromSocket, n);
        }
    }

    /** Closes the socket at once, from any thread: a blocked read or write on it fails. For timeouts and shutdown. */
    public void abort() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }

    /**
     * Sends close_notify if the handshake finished, then frees the connection and closes the socket.
     * Idempotent; never throws for a peer that has already gone.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (beforeClose != null) {
                beforeClose.accept(ssl);
            }
            if (!socket.isClosed() && ssl.isHandshakeFinished()) {
                ssl.shutdown();
                flush();
            }
        } catch (IOException | RuntimeException peerGone) {
            // a peer that left cannot get our close_notify; freeing goes on
        } finally {
            ssl.close();
            network.close();
            abort();
        }
    }
}
