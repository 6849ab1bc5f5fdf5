package io.github.ossltickets.net;

import io.github.ossltickets.NetworkBio;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.Ssl;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One TLS connection over a blocking socket: an {@link Ssl} whose bytes pass through a
 * {@link NetworkBio} to and from the socket, as {@code SSLEngine}'s wrap and unwrap would.
 *
 * <p>Threads: one thread reading and another writing at the same time is the normal use, as with a
 * socket. Every native call on the connection runs under one guard that is never held while a
 * thread waits on the socket, so a read blocked on a silent peer does not hold up a write. Two
 * readers, or two writers, take turns: a {@link #write} sends all its bytes before another write
 * starts. {@link #handshake} may run beside a read or write. {@link #close()} and {@link #abort()}
 * work from any thread; a read, write or handshake that another thread's {@code close()} or
 * {@code abort()} ends throws {@link SocketException} saying so. Drive the connection through this
 * class only: {@link #ssl()} is for read-only calls (session, protocol, attachment).
 *
 * <p>Failures: when OpenSSL fails the connection (a ticket callback refused, the peer broke the
 * protocol), the alert OpenSSL chose is sent to the peer before the {@link OpenSslException} is
 * thrown.
 */
public final class TlsConnection implements AutoCloseable {
    /** One TLS record (16 KB of data plus its header and padding) fits in each buffer. */
    private static final int BUFFER_SIZE = 17 * 1024;
    /**
     * The longest timeout honoured; longer ones, up to {@code Long.MAX_VALUE} seconds, are cut to it.
     * It is the most a socket's read timeout ({@code Socket.setSoTimeout}, an int of milliseconds) takes.
     */
    public static final Duration MAX_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
    /** {@link #receive}'s deadline for a read or write: the connection's read timeout for each wait. */
    private static final long PER_WAIT = Long.MIN_VALUE;

    private final Ssl ssl;
    private final NetworkBio network;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int readTimeoutMillis;
    private final Consumer<Ssl> beforeClose;

    /** Every native call on {@link #ssl} and {@link #network}; held only for the call, never during socket I/O. */
    private final ReentrantLock engine = new ReentrantLock();
    /** One {@link #read} at a time, and one {@link #write} at a time: their bytes stay in order. */
    private final ReentrantLock readers = new ReentrantLock();
    private final ReentrantLock writers = new ReentrantLock();
    /** One thread waits on the socket for the peer's bytes ({@link #fromSocket} is its buffer). */
    private final ReentrantLock receiving = new ReentrantLock(true);
    /** One thread moves OpenSSL's output to the socket, so records leave in the order OpenSSL made them. */
    private final ReentrantLock sending = new ReentrantLock(true);
    /** A socket write did not complete within the read timeout, and {@link #TIMER} closed the socket. */
    private volatile boolean writeStalled;
    /** A thread left output for the one holding {@link #sending}, which sends it before it lets go. */
    private volatile boolean sendRequested;
    private final byte[] toSocket = new byte[BUFFER_SIZE];
    private final byte[] fromSocket = new byte[BUFFER_SIZE];
    /**
     * Whole records of plaintext pass through these, reused (Ssl's ranged calls would copy each); made
     * on the first read or write of a record or more.
     */
    private byte[] readRecord; // under readers
    private byte[] writeRecord; // under writers

    /** How many times the peer's bytes (or its end of stream) were handed to OpenSSL; guarded by {@link #engine}. */
    private long receptions;
    /** The peer closed its side of the socket; guarded by {@link #engine}. */
    private boolean inputEnded;
    /** {@link #ssl} and {@link #network} are freed; guarded by {@link #engine}. */
    private boolean freed;
    /** Calls of handshake, read and write in progress, so that {@link #close()} knows if it is alone. */
    private final AtomicInteger callsInProgress = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    /** Set once by {@link #close()} or {@link #abort()}: what ends the calls of other threads. */
    private final AtomicReference<Ending> ending = new AtomicReference<>();

    /** How the connection ended ("closed", "aborted") and on which thread. */
    private record Ending(String how, Thread thread) {}

    private InputStream inputView;
    private OutputStream outputView;

    /**
     * Takes over {@code ssl} and {@code socket}: if this constructor fails, it closes both.
     * {@code beforeClose}, if not null, sees the connection just before it is shut down and freed.
     */
    TlsConnection(Ssl ssl, Socket socket, Duration readTimeout, Consumer<Ssl> beforeClose) throws IOException {
        try {
            this.ssl = Objects.requireNonNull(ssl, "ssl");
            this.socket = Objects.requireNonNull(socket, "socket");
            this.readTimeoutMillis = (int) Math.max(1, positive(readTimeout, "readTimeout").toMillis());
            this.beforeClose = beforeClose;
            if (ssl.hasTransport()) {
                throw new IllegalArgumentException("this Ssl already has a transport (SSL_get_rbio or SSL_get_wbio"
                        + " is set: it was joined with a BIO pair or is carried by another connection); give"
                        + " over() a new Ssl from SslContext.newSsl()");
            }
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.network = ssl.attachNetworkBio(BUFFER_SIZE);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ssl, socket, e);
            throw e;
        }
    }

    /**
     * For {@link TlsServer}: a connection whose handshake already ran, without blocking, through
     * {@code network} ({@code ssl}'s attached BIO). Takes over all three: if this constructor fails, it
     * closes them.
     */
    TlsConnection(Ssl ssl, NetworkBio network, Socket socket, Duration readTimeout) throws IOException {
        try {
            this.ssl = Objects.requireNonNull(ssl, "ssl");
            this.network = Objects.requireNonNull(network, "network");
            this.socket = Objects.requireNonNull(socket, "socket");
            this.readTimeoutMillis = (int) Math.max(1, positive(readTimeout, "readTimeout").toMillis());
            this.beforeClose = null;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        } catch (IOException | RuntimeException e) {
            if (network != null) {
                network.close();
            }
            closeQuietly(ssl, socket, e);
            throw e;
        }
    }

    /**
     * Carries {@code ssl} over {@code socket}; this connection owns both from now on and closes them,
     * also when this method throws (a null or refused argument, a socket that is closed or not
     * connected). {@code ssl} must be fresh: one that already has a transport
     * ({@link Ssl#hasTransport()}) is refused with {@link IllegalArgumentException}.
     * A read that does not complete within {@code readTimeout} throws {@link SocketTimeoutException} (the
     * timeout bounds the whole call, however the peer trickles its bytes); a write whose record the peer
     * does not take within it, the socket full, throws {@link SocketTimeoutException} and ends the connection;
     * {@code readTimeout} must be positive, and is cut to {@link #MAX_TIMEOUT} (24.8 days) if longer.
     */
    public static TlsConnection over(Ssl ssl, Socket socket, Duration readTimeout) throws IOException {
        return new TlsConnection(ssl, socket, readTimeout, null);
    }

    private static Duration positive(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + timeout);
        }
        return timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout;
    }

    private static void closeQuietly(Ssl ssl, Socket socket, Exception failure) {
        try {
            if (ssl != null) {
                ssl.close();
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** The TLS connection, for read-only calls: its session, protocol and attachment. Do not drive it directly. */
    public Ssl ssl() {
        return ssl;
    }

    /** The socket underneath. */
    public Socket socket() {
        return socket;
    }

    /**
     * Runs the handshake to the end, or throws: {@link SocketTimeoutException} if it takes longer than
     * {@code timeout} (positive; cut to {@link #MAX_TIMEOUT}), {@link OpenSslException} if TLS fails
     * (after sending the peer OpenSSL's alert), {@link EOFException} if the peer leaves.
     */
    public void handshake(Duration timeout) throws IOException {
        Duration limit = positive(timeout, "timeout");
        long deadline = System.nanoTime() + limit.toNanos();
        enter();
        try {
            run(() -> ssl.handshake() ? 1 : Ssl.WANT_IO, deadline, "the TLS handshake");
        } catch (SocketTimeoutException e) {
            SocketTimeoutException late = new SocketTimeoutException("the TLS handshake did not finish within "
                    + limit.toMillis() + " ms");
            late.initCause(e);
            throw late;
        } finally {
            callsInProgress.decrementAndGet();
        }
    }

    /**
     * Reads application data into the start of {@code buffer}; returns how many bytes, or -1 when the
     * peer closed the connection with close_notify. Returns or throws {@link SocketTimeoutException}
     * within the read timeout: a peer that trickles a record a byte at a time cannot hold the call longer.
     */
    public int read(byte[] buffer) throws IOException {
        return read(buffer, 0, buffer.length);
    }

    /**
     * Reads application data into {@code buffer[offset, offset + length)}, at most one record's worth;
     * returns how many bytes (0 only when {@code length} is 0), or -1 when the peer closed the
     * connection with close_notify. One read at a time: a second thread waits for the first.
     */
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(buffer, "buffer").length);
        if (length == 0) {
            return 0;
        }
        // A deadline for the whole call, not per socket read: one byte per wait would keep it going forever.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
        readers.lock();
        try {
            enter();
            try {
                if (length < Ssl.RECORD_SIZE) {
                    return run(() -> ssl.read(buffer, offset, length), deadline, "a read");
                }
                if (readRecord == null) {
                    readRecord = new byte[Ssl.RECORD_SIZE];
                }
                int read = run(() -> ssl.read(readRecord), deadline, "a read");
                if (read > 0) {
                    System.arraycopy(readRecord, 0, buffer, offset, read);
                }
                return read;
            } catch (SocketTimeoutException e) {
                SocketTimeoutException late = new SocketTimeoutException("a read did not complete within the read"
                        + " timeout of " + readTimeoutMillis + " ms");
                late.initCause(e);
                throw late;
            } finally {
                callsInProgress.decrementAndGet();
            }
        } finally {
            readers.unlock();
        }
    }

    /** For logs: "{@code TlsConnection[peer /127.0.0.1:50122, Ssl[owned, open 0x…]]}"; no secret. */
    @Override
    public String toString() {
        return "TlsConnection[peer " + socket.getRemoteSocketAddress() + ", " + ssl + "]";
    }

    /** Writes all of {@code data} and sends it. */
    public void write(byte[] data) throws IOException {
        write(data, 0, data.length);
    }

    /**
     * Writes {@code data[offset, offset + length)} and sends it, one record at a time, in time
     * proportional to {@code length}. One write at a time: a second thread waits until the first has
     * sent all its bytes, so writes never interleave.
     */
    public void write(byte[] data, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(data, "data").length);
        writers.lock();
        try {
            enter();
            try {
                int end = offset + length;
                for (int from = offset; from < end; ) {
                    int start = from;
                    int written;
                    if (end - start >= Ssl.RECORD_SIZE) { // a whole record: through the reused array
                        if (writeRecord == null) {
                            writeRecord = new byte[Ssl.RECORD_SIZE];
                        }
                        System.arraycopy(data, start, writeRecord, 0, Ssl.RECORD_SIZE);
                        written = run(() -> ssl.write(writeRecord), PER_WAIT, "a write");
                    } else {
                        written = run(() -> ssl.write(data, start, end - start), PER_WAIT, "a write");
                    }
                    if (written <= 0) {
                        throw new EOFException("the connection ended during a write (SSL_write returned " + written
                                + ")");
                    }
                    from += written;
                }
            } finally {
                callsInProgress.decrementAndGet();
            }
        } finally {
            writers.unlock();
        }
    }

    /**
     * A view of {@link #read(byte[], int, int)} as an {@link InputStream}, for code that expects one:
     * -1 at the peer's close_notify. Closing it closes this whole connection, as with a socket's
     * stream. The same view every time.
     */
    public synchronized InputStream inputStream() {
        if (inputView == null) {
            inputView = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = TlsConnection.this.read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    return TlsConnection.this.read(buffer, offset, length);
                }

                @Override
                public void close() {
                    TlsConnection.this.close();
                }
            };
        }
        return inputView;
    }

    /**
     * A view of {@link #write(byte[], int, int)} as an {@link OutputStream}. Each write is sent before
     * it returns, so {@code flush()} has nothing to do; wrap it in a {@code BufferedOutputStream} for
     * many small writes. Closing it closes this whole connection (close_notify first), as with a
     * socket's stream. The same view every time.
     */
    public synchronized OutputStream outputStream() {
        if (outputView == null) {
            outputView = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    TlsConnection.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] data, int offset, int length) throws IOException {
                    TlsConnection.this.write(data, offset, length);
                }

                @Override
                public void close() {
                    TlsConnection.this.close();
                }
            };
        }
        return outputView;
    }

    /** One step of OpenSSL's state machine: bytes, {@link Ssl#WANT_IO} or {@link Ssl#END_OF_STREAM}. */
    @FunctionalInterface
    private interface Step {
        int run();
    }

    private void enter() throws SocketException {
        callsInProgress.incrementAndGet();
        if (ending.get() != null) {
            callsInProgress.decrementAndGet();
            throw closedException(null);
        }
    }

    /**
     * Repeats {@code step} until it gives something other than {@link Ssl#WANT_IO}, moving bytes
     * between the socket and OpenSSL in between; sends what OpenSSL wrote, also when it fails.
     */
    private int run(Step step, long deadline, String during) throws IOException {
        while (true) {
            int result;
            boolean output;
            long receptionsSeen;
            RuntimeException failure = null;
            engine.lock();
            try {
                checkNotFreed();
                try {
                    result = step.run();
                } catch (OpenSslException e) {
                    if (closeStarted.get()) { // close() said goodbye as this call began: closed, not failed
                        SocketException closed = new SocketException("the connection was closed by another thread");
                        closed.initCause(e);
                        throw closed;
                    }
                    failure = e;
                    result = Ssl.WANT_IO;
                } catch (IllegalStateException e) {
                    if (ending.get() != null) {
                        throw closedException(e);
                    }
                    throw e;
                }
                output = network.pending() > 0;
                receptionsSeen = receptions;
            } catch (IllegalStateException e) {
                throw freedUnder(e);
            } finally {
                unlockEngine();
            }
            if (failure != null) {
                sendAlert(failure);
                throw failure;
            }
            if (output) {
                // A call that is done need not wait behind another thread blocked on a full socket:
                // that thread sends this output too. One that must go on needs the room, and waits.
                flush(during, result == Ssl.WANT_IO);
                if (result == Ssl.WANT_IO) {
                    continue; // OpenSSL may have stopped because the BIO pair was full: let it go on first
                }
            }
            if (result != Ssl.WANT_IO) {
                return result;
            }
            receive(receptionsSeen, deadline, during);
        }
    }

    /** Sends the alert OpenSSL wrote when it failed, so that the peer learns why; a gone peer adds nothing. */
    private void sendAlert(RuntimeException failure) {
        try {
            flush("sending the alert", true);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Sends everything OpenSSL has written and the socket has not taken yet, in order. Unless
     * {@code wait}, returns at once if another thread is sending: that thread sends this output too.
     */
    private void flush(String during, boolean wait) throws IOException {
        if (wait) {
            sending.lock();
        } else if (!sending.tryLock()) {
            sendRequested = true;
            if (!sending.tryLock()) {
                return; // the sender is still inside, and checks sendRequested after it lets go
            }
        }
        try {
            drain(during);
        } finally {
            sending.unlock();
        }
        if (sendRequested && sending.tryLock()) {
            try {
                drain(during);
            } finally {
                sending.unlock();
            }
        }
    }

    /** Under {@link #sending}: moves OpenSSL's output to the socket until none is left. */
    private void drain(String during) throws IOException {
        sendRequested = false;
        int bytesOut = 0;
        try {
            while (true) {
                int n;
                engine.lock();
                try {
                    checkNotFreed();
                    n = network.read(toSocket);
                } catch (IllegalStateException e) {
                    throw freedUnder(e);
                } finally {
                    unlockEngine();
                }
                if (n == 0) {
                    return;
                }
                // A blocking socket write has no timeout of its own: a peer that reads nothing would hold
                // this thread for ever once the socket buffers are full.
                ScheduledFuture<?> giveUp = TIMER.schedule(this::writeStalled, readTimeoutMillis, TimeUnit.MILLISECONDS);
                try {
                    bytesOut = n;
                    out.write(toSocket, 0, n);
                } finally {
                    giveUp.cancel(false);
                }
            }
        } catch (IOException e) { // SocketException, or AsynchronousCloseException on a channel's socket
            if (writeStalled) {
                SocketTimeoutException late = new SocketTimeoutException("the peer did not take " + bytesOut
                        + " bytes within the read timeout of " + readTimeoutMillis + " ms during " + during
                        + " (it reads nothing, or too slowly); the connection was closed");
                late.initCause(e);
                throw late;
            }
            throw e instanceof SocketException && ending.get() != null ? closedException(e) : e;
        }
    }

    /** On {@link #TIMER}: a socket write did not complete within the read timeout; the connection ends. */
    private void writeStalled() {
        writeStalled = true;
        ending.compareAndSet(null, new Ending("closed: a write did not complete within " + readTimeoutMillis + " ms",
                Thread.currentThread()));
        closeSocket();
    }

    /**
     * Waits for the peer's next bytes and hands them to OpenSSL; at the peer's end of stream, says so
     * to OpenSSL. Returns at once if another thread handed bytes over since {@code receptionsSeen}.
     */
    private void receive(long receptionsSeen, long deadline, String during) throws IOException {
        int timeoutMillis = deadline == PER_WAIT ? readTimeoutMillis : millisUntil(deadline);
        try {
            if (!receiving.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new SocketTimeoutException("another thread waited for the peer during all of " + timeoutMillis
                        + " ms of " + during);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the peer during " + during);
        }
        try {
            int room;
            engine.lock();
            try {
                checkNotFreed();
                if (receptions != receptionsSeen) {
                    return; // another thread's bytes may be what OpenSSL waits for
                }
                if (inputEnded) {
                    throw new EOFException("the peer closed the connection during " + during
                            + " without close_notify");
                }
                room = network.room();
            } catch (IllegalStateException e) {
                throw freedUnder(e);
            } finally {
                unlockEngine();
            }
            if (room == 0) {
                throw new IOException("OpenSSL takes no more of the peer's bytes during " + during
                        + " although it waits for more (the BIO pair is full)");
            }
            if (deadline != PER_WAIT) {
                timeoutMillis = millisUntil(deadline);
            }
            socket.setSoTimeout(timeoutMillis);
            int n;
            try {
                n = in.read(fromSocket, 0, Math.min(fromSocket.length, room));
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("the peer sent nothing for " + timeoutMillis + " ms during "
                        + during);
            }
            engine.lock();
            try {
                checkNotFreed();
                if (n < 0) {
                    inputEnded = true;
                    network.endOfInput(); // OpenSSL's next call sees end of file
                } else {
                    network.write(fromSocket, n);
                }
                receptions++;
            } catch (IllegalStateException e) {
                throw freedUnder(e);
            } finally {
                unlockEngine();
            }
        } catch (SocketException e) {
            throw ending.get() != null ? closedException(e) : e;
        } finally {
            receiving.unlock();
        }
    }

    private static int millisUntil(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("time is up");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** Under {@link #engine}: refuses to touch freed native objects. */
    private void checkNotFreed() throws SocketException {
        if (freed || ending.get() != null) {
            throw closedException(null);
        }
    }

    /**
     * A native object found closed although {@link #checkNotFreed()} passed: its owner freed it meanwhile
     * (a {@link TlsServer} frees the connection of a handler that returned while another thread still used
     * it). The handle refused the call, so nothing was touched: the call ends as closed.
     */
    private RuntimeException freedUnder(IllegalStateException e) throws SocketException {
        if (ending.get() != null) {
            throw closedException(e);
        }
        return e;
    }

    /** What a call ended by {@link #close()} or {@link #abort()} throws. */
    private SocketException closedException(Exception cause) {
        Ending how = ending.get();
        SocketException e = new SocketException(how == null ? "the connection was closed" : "the connection was "
                + how.how() + (how.thread() == Thread.currentThread() ? "" : " by another thread"));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** Unlocks the guard; the last holder after a {@link #close()} from another thread frees the native objects. */
    private void unlockEngine() {
        try {
            freeIfClosed();
        } finally {
            engine.unlock();
        }
        // close() may have failed to take the guard just before this unlock: then it is ours to free
        if (closeStarted.get() && !engine.isHeldByCurrentThread() && engine.tryLock()) {
            try {
                freeIfClosed();
            } finally {
                engine.unlock();
            }
        }
    }

    private void freeIfClosed() {
        if (ending.get() != null && !freed && engine.getHoldCount() == 1) {
            free();
        }
    }

    /** Under {@link #engine}: hands the connection to {@code beforeClose}, then frees it. */
    private void free() {
        freed = true;
        try {
            if (beforeClose != null) {
                beforeClose.accept(ssl);
            }
        } catch (RuntimeException ignored) {
            // what the observer wanted to keep is lost; freeing goes on
        } finally {
            ssl.close();
            network.close();
        }
    }

    /**
     * Closes the socket at once, from any thread: a read, write or handshake in progress on another
     * thread fails with {@link SocketException}, and the connection can then only be closed. For
     * timeouts and shutdown; {@link #close()} still frees the connection.
     */
    public void abort() {
        ending.compareAndSet(null, new Ending("aborted", Thread.currentThread()));
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }

    /**
     * Ends the connection; idempotent, from any thread, never throws for a peer that has gone.
     * Called while no other thread uses the connection, it sends close_notify if the handshake finished,
     * then frees the connection and closes the socket. Called while another thread reads, writes or
     * runs the handshake, it closes the socket at once, so that thread's call ends with
     * {@link SocketException} ("the connection was closed by another thread"), and the connection is
     * freed as soon as no native call runs.
     */
    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        if (callsInProgress.get() == 0 && ending.get() == null) {
            sayGoodbye();
        }
        ending.compareAndSet(null, new Ending("closed", Thread.currentThread()));
        closeSocket(); // wakes the threads blocked on the socket
        if (engine.tryLock()) { // else the thread in a native call frees on its way out (unlockEngine)
            unlockEngine();
        }
    }

    /** Sends close_notify when nobody else uses the connection; a peer that left cannot get it. */
    private void sayGoodbye() {
        engine.lock();
        try {
            if (freed || socket.isClosed() || !ssl.isHandshakeFinished()) {
                return;
            }
            ssl.shutdown();
        } catch (RuntimeException peerGone) {
            return;
        } finally {
            engine.unlock();
        }
        try {
            flush("close", true); // a peer that stopped reading: the write times out (drain)
        } catch (IOException | RuntimeException peerGone) {
            // freeing goes on
        }
    }

    /** Closes the socket of a write (close_notify's too) that the peer has not taken within the read timeout. */
    private static final ScheduledThreadPoolExecutor TIMER = writeTimer();

    private static ScheduledThreadPoolExecutor writeTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "TlsConnection write timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setKeepAliveTime(10, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true); // no thread while nothing is closing
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
