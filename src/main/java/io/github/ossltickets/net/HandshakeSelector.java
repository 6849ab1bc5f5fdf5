package io.github.ossltickets.net;

import io.github.ossltickets.NetworkBio;
import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.ffi.StackProof;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's one selector thread: it accepts, applies the connection limits, runs every handshake
 * without blocking, and hands a connection to a worker only when its handshake is done and its first
 * request bytes are there. A peer that connects and says nothing, or sends its ClientHello a byte at a
 * time, therefore costs a socket and about a kilobyte of heap (plus the bytes of its partial first record,
 * within {@link #HELLO_BUDGET} for all of them) until its handshake deadline, never a
 * thread and never native memory (the {@code SSL} is made when the first record is complete).
 *
 * <p>Deadlines: each phase on this thread has a fixed timeout, so connections enter each phase's queue
 * in deadline order and the expired ones are always at its head. Entries for connections that moved on
 * stay in the queue until they reach the head, and are skipped there.
 */
final class HandshakeSelector implements Runnable {
    /** The BIO pair holds one whole TLS record (16 KB of data plus header and padding) each way. */
    static final int BIO_SIZE = 17 * 1024;
    /** A TLS record header: type, version (2), length (2). */
    private static final int RECORD_HEADER = 5;
    private static final int HANDSHAKE_RECORD = 22;
    /** The heap all partial first records may hold together: about 480 of the largest, thousands of usual ones. */
    static final long HELLO_BUDGET = 8L * 1024 * 1024;
    /** How long accepting pauses after accept() fails (out of file descriptors): the listener stays readable. */
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final TlsServer server;
    private final SslContext context;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final SelectionKey acceptKey;
    private final long handshakeNanos;
    private final long firstRequestNanos;
    private final System.Logger logger;
    private final ArrayDeque<ServerConnection> handshaking = new ArrayDeque<>();
    private final ArrayDeque<ServerConnection> awaitingRequest = new ArrayDeque<>();
    /** Connections whose address has maxWorkersPerClient busy workers, by {@link ServerConnection#waitDeadline}. */
    private final ArrayDeque<ServerConnection> waitingForWorker = new ArrayDeque<>();
    private final List<ServerConnection> readyForWorkers = new ArrayList<>();
    /**
     * The one buffer between sockets and BIOs for every connection on this thread: nothing per connection.
     * Direct, so that neither the JDK (socket) nor JNA (BIO) copies it on the way.
     */
    private final ByteBuffer io = ByteBuffer.allocateDirect(BIO_SIZE);
    private long acceptPausedUntil;
    private boolean acceptPaused;
    /**
     * This thread's calls into OpenSSL all come from a few frames below its loop, a depth that never
     * changes: one stack proof for the thread's life spares each its own probe ({@link StackProof}).
     */
    private Object stackProof;
    private static final String RUNS_ONCE = "the server's selector loop runs once: Thread.run() was called again"
            + " on its thread, or on another";
    /** Set by the first {@link #run()}: code on this thread (a listener, a logger) could call Thread.run() again. */
    private final AtomicBoolean started = new AtomicBoolean();

    HandshakeSelector(TlsServer server, SslContext context, Selector selector, ServerSocketChannel listener,
            long handshakeNanos, long firstRequestNanos, System.Logger logger) throws IOException {
        this.server = server;
        this.context = context;
        this.selector = selector;
        this.listener = listener;
        this.handshakeNanos = handshakeNanos;
        this.firstRequestNanos = firstRequestNanos;
        this.logger = logger;
        this.acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            // A second loop would share this one's connections and selector, and arm its stack proof at
            // another depth: refused, on this thread as on any other. A constant message: this may run with
            // the stack nearly full, where building a string can overflow.
            throw new IllegalStateException(RUNS_ONCE);
        }
        try {
            stackProof = StackProof.open();
            boolean keysWaiting = false;
            while (!server.isClosing()) {
                try {
                    long wait = untilNextDeadline();
                    if (keysWaiting) {
                        selector.selectNow();
                    } else if (wait == 0) {
                        selector.select();
                    } else {
                        selector.select(wait);
                    }
                    if (server.isClosing()) {
                        break;
                    }
                    processSelectedKeys();
                    expire(System.nanoTime());
                    keysWaiting = handToWorkers();
                } catch (IOException | RuntimeException e) {
                    logger.log(Level.ERROR, "the server's selector loop failed; it goes on", e);
                } catch (Error e) {
                    server.selectorDied(e); // first: logging may fail too (out of memory)
                    throw e;
                }
            }
        } finally {
            releaseEverything();
            StackProof.close(stackProof);
        }
    }

    /**
     * New connections and handshakes first, then the connections past their handshake: a client in its
     * handshake waits for the server's next flight, while the first request of a finished handshake (or,
     * as often, its close) waits for nobody, and would otherwise delay the next client.
     */
    private void processSelectedKeys() {
        Set<SelectionKey> selected = selector.selectedKeys();
        Iterator<SelectionKey> keys = selected.iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            if (key == acceptKey) {
                keys.remove();
                acceptAll();
            } else if (((ServerConnection) key.attachment()).phase != ServerConnection.Phase.AWAIT_REQUEST) {
                keys.remove();
                process(key);
            }
        }
        for (SelectionKey key : selected) {
            process(key);
        }
        selected.clear();
    }

    private void process(SelectionKey key) {
        ServerConnection connection = (ServerConnection) key.attachment();
        try {
            if (key.isValid()) {
                step(connection, key);
            }
        } catch (CancelledKeyException released) {
            release(connection);
        } catch (IOException | RuntimeException e) {
            server.failed(connection, e);
            release(connection);
        }
    }

    private void acceptAll() {
        if (!acceptKey.isValid()) {
            return;
        }
        while (true) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                // Out of file descriptors, most likely: the listener stays readable, so pause instead of spinning.
                logger.log(Level.WARNING, "accept on " + listener.socket().getLocalSocketAddress() + " failed;"
                        + " accepting pauses for 100 ms: " + e.getMessage());
                acceptKey.interestOps(0);
                acceptPaused = true;
                acceptPausedUntil = System.nanoTime() + ACCEPT_PAUSE_NANOS;
                return;
            }
            if (channel == null) {
                return;
            }
            admit(channel);
        }
    }

    /** Applies the limits, then registers the connection to wait for its ClientHello. */
    private void admit(SocketChannel channel) {
        SocketAddress remote;
        try {
            remote = channel.getRemoteAddress();
        } catch (IOException gone) {
            closeQuietly(channel);
            return;
        }
        InetAddress client = remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
        String refusal = server.admit(client);
        if (refusal == null && server.atConnectionCap()) {
            ServerConnection oldest = oldestHandshaking();
            if (oldest != null) {
                server.evicted();
                logger.log(Level.INFO, "connection from " + oldest.remote + " closed before its handshake ended"
                        + " to make room for a new one: the server holds its maximum of connections");
                release(oldest);
            } else {
                refusal = "the server holds its maximum of connections, none of them still in its handshake";
                server.refusedAtCap();
            }
        }
        if (refusal != null) {
            logger.log(Level.INFO, "connection from " + remote + " refused: " + refusal);
            closeQuietly(channel);
            return;
        }
        ServerConnection connection = new ServerConnection(channel, client, remote, server);
        server.opened(connection);
        SelectionKey key;
        try {
            channel.configureBlocking(false);
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            key = channel.register(selector, SelectionKey.OP_READ, connection);
        } catch (IOException | RuntimeException e) {
            server.failed(connection, e);
            release(connection);
            return;
        }
        connection.deadline = System.nanoTime() + handshakeNanos;
        enqueue(handshaking, connection, HandshakeSelector::isHandshaking);
        try {
            receiveHello(connection, key); // a client sends its ClientHello at once: often it is here already
        } catch (IOException | RuntimeException e) {
            server.failed(connection, e);
            release(connection);
        }
    }

    /** The whole record's length from its header, split between what was kept and what just arrived. */
    private static int declaredLength(byte[] kept, ByteBuffer arrived, int keptLength) {
        int high = 3 < keptLength ? kept[3] : arrived.get(3 - keptLength);
        int low = 4 < keptLength ? kept[4] : arrived.get(4 - keptLength);
        return RECORD_HEADER + ((high & 0xff) << 8 | (low & 0xff));
    }

    /**
     * Past {@link #HELLO_BUDGET} bytes of partial first records in all, the oldest connections still
     * sending theirs are closed, as at the connection cap: thousands of peers that each send most of a
     * 16 KB record and stop cannot exhaust the heap.
     */
    private void keepHellosWithinBudget(ServerConnection growing) {
        Iterator<ServerConnection> oldestFirst = handshaking.iterator();
        while (server.helloBuffered(0) > HELLO_BUDGET && oldestFirst.hasNext()) {
            ServerConnection candidate = oldestFirst.next();
            if (candidate != growing && candidate.phase == ServerConnection.Phase.HELLO && candidate.hello != null) {
                oldestFirst.remove();
                server.evicted();
                logger.log(Level.INFO, "connection from " + candidate.remote + " closed before its ClientHello was"
                        + " complete: partial ClientHellos hold their maximum of " + HELLO_BUDGET + " bytes in all");
                release(candidate);
            }
        }
    }

    private ServerConnection oldestHandshaking() {
        for (ServerConnection candidate; (candidate = handshaking.pollFirst()) != null; ) {
            if (isHandshaking(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean isHandshaking(ServerConnection connection) {
        ServerConnection.Phase phase = connection.phase;
        return phase == ServerConnection.Phase.HELLO || phase == ServerConnection.Phase.HANDSHAKE;
    }

    /** Moves one connection on as far as it goes without waiting. */
    private void step(ServerConnection connection, SelectionKey key) throws IOException {
        if (connection.unsent != null) {
            if (!sendUnsent(connection, key)) {
                return;
            }
        }
        switch (connection.phase) {
            case HELLO -> receiveHello(connection, key);
            case HANDSHAKE -> {
                if (key.isReadable()) {
                    receive(connection);
                }
                drive(connection, key);
            }
            case AWAIT_REQUEST -> awaitRequest(connection, key);
            default -> { } // a worker or the release owns it now
        }
    }

    /** Collects the first record; the connection gets its SSL when the record is whole, or is not TLS. */
    private void receiveHello(ServerConnection connection, SelectionKey key) throws IOException {
        io.clear().limit(BIO_SIZE - connection.helloLength);
        int n = connection.channel.read(io);
        if (n < 0) {
            if (connection.helloLength == 0) {
                release(connection); // a port probe (a load balancer's health check): not a failure
                return;
            }
            throw new EOFException("the peer closed the connection before its ClientHello was complete ("
                    + connection.helloLength + " bytes)");
        }
        if (n == 0) {
            return;
        }
        if (connection.helloLength == 0 && isFirstRecordDone(io, n)) {
            startHandshake(connection, key, io.flip()); // all of it in one read, as usual: no copy to keep
            return;
        }
        int length = connection.helloLength + n;
        byte[] hello = connection.hello;
        if (hello == null || hello.length < length) {
            // Doubling (a peer sending byte by byte costs no quadratic copying), but never past the length
            // the record's header declares: the buffer holds about what arrived.
            int limit = length >= RECORD_HEADER ? Math.max(length, declaredLength(hello, io, connection.helloLength))
                    : BIO_SIZE;
            int size = Math.min(Math.min(BIO_SIZE, limit),
                    Math.max(length, Math.max(64, 2 * (hello == null ? 0 : hello.length))));
            byte[] grown = Arrays.copyOf(hello == null ? new byte[0] : hello, size);
            server.helloBuffered(size - (hello == null ? 0 : hello.length));
            connection.hello = hello = grown;
            keepHellosWithinBudget(connection);
        }
        io.get(0, hello, connection.helloLength, n);
        connection.helloLength = length;
        if (!isFirstRecordDone(ByteBuffer.wrap(hello), length)) {
            return;
        }
        startHandshake(connection, key, ByteBuffer.wrap(hello, 0, length));
    }

    /**
     * True when the first {@code length} bytes of {@code received} hold the whole first record, or are
     * not TLS at all, or fill the BIO: OpenSSL judges them then, and names what is wrong.
     */
    private static boolean isFirstRecordDone(ByteBuffer received, int length) {
        if (length < RECORD_HEADER) {
            return false;
        }
        boolean looksLikeTls = (received.get(0) & 0xff) == HANDSHAKE_RECORD && received.get(1) == 3;
        int recordLength = RECORD_HEADER + ((received.get(3) & 0xff) << 8 | (received.get(4) & 0xff));
        return !looksLikeTls || length >= recordLength || length >= BIO_SIZE;
    }

    /** The first record is here: the connection gets its SSL, and its handshake starts. */
    private void startHandshake(ServerConnection connection, SelectionKey key, ByteBuffer firstRecord)
            throws IOException {
        StackProof.arm(stackProof);
        try {
            connection.ssl = context.newSsl();
        } finally {
            StackProof.disarm(stackProof);
        }
        connection.network = connection.ssl.attachNetworkBio(BIO_SIZE);
        if (firstRecord.isDirect()) {
            connection.network.write(firstRecord);
        } else {
            connection.network.write(firstRecord.array(), firstRecord.limit());
        }
        connection.dropHello();
        connection.phase = ServerConnection.Phase.HANDSHAKE;
        drive(connection, key);
    }

    /** Hands the peer's bytes to OpenSSL, as many as its BIO takes; at end of stream, says so. */
    private void receive(ServerConnection connection) throws IOException {
        NetworkBio network = connection.network;
        int room = network.room();
        if (room == 0 || connection.inputEnded) {
            return;
        }
        io.clear().limit(Math.min(room, BIO_SIZE));
        int n = connection.channel.read(io);
        if (n < 0) {
            connection.inputEnded = true;
            network.endOfInput();
        } else if (n > 0) {
            network.write(io.flip());
        }
    }

    /** Runs the handshake until it needs the peer, sending what OpenSSL writes. */
    private void drive(ServerConnection connection, SelectionKey key) throws IOException {
        while (true) {
            boolean finished;
            StackProof.arm(stackProof);
            try {
                finished = connection.ssl.handshake();
            } catch (OpenSslException failed) { // its alert waits in the BIO: the peer should learn why
                sendAlert(connection, key, failed);
                throw failed;
            } finally {
                StackProof.disarm(stackProof);
            }
            int sent = send(connection, key);
            if (connection.unsent != null) {
                return; // the socket is full: go on when it is writable
            }
            if (finished) {
                handshakeFinished(connection, key);
                return;
            }
            if (sent == 0 && connection.inputEnded) {
                throw new EOFException("the peer closed the connection during the TLS handshake without"
                        + " close_notify");
            }
            if (sent < BIO_SIZE && !connection.inputEnded) {
                // OpenSSL stopped for the peer, not for room in a full BIO: it has nothing more to say now.
                return;
            }
        }
    }

    /** Sends the alert OpenSSL wrote when the handshake failed, so that the peer learns why; a gone peer adds nothing. */
    private void sendAlert(ServerConnection connection, SelectionKey key, RuntimeException failure) {
        try {
            send(connection, key);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Sends what OpenSSL wrote; what the socket does not take waits in {@code unsent}. Returns bytes taken from OpenSSL. */
    private int send(ServerConnection connection, SelectionKey key) throws IOException {
        int total = 0;
        for (int n; (n = connection.network.read(io.clear())) > 0; ) {
            total += n;
            connection.channel.write(io.flip());
            if (io.hasRemaining()) {
                ByteBuffer rest = ByteBuffer.allocate(io.remaining() + connection.network.pending());
                rest.put(io);
                for (int more; (more = connection.network.read(io.clear())) > 0; ) {
                    total += more;
                    if (rest.remaining() < more) {
                        rest = ByteBuffer.allocate(rest.position() + more).put(rest.flip());
                    }
                    rest.put(io.flip());
                }
                connection.unsent = rest.flip();
                key.interestOps(SelectionKey.OP_WRITE);
                break;
            }
            if (n < io.capacity()) {
                break; // BIO_read gives all it holds, up to the room asked for: it is empty, asking again gives 0
            }
        }
        return total;
    }

    /** Writes what waits; true when all of it went out (then reading resumes). */
    private boolean sendUnsent(ServerConnection connection, SelectionKey key) throws IOException {
        connection.channel.write(connection.unsent);
        if (connection.unsent.hasRemaining()) {
            return false;
        }
        connection.unsent = null;
        key.interestOps(SelectionKey.OP_READ);
        return true;
    }

    private void handshakeFinished(ServerConnection connection, SelectionKey key) {
        if (!server.handshakeFinished(connection)) {
            release(connection); // the handshake listener closed the Ssl
            return;
        }
        connection.phase = ServerConnection.Phase.AWAIT_REQUEST;
        if (connection.network.room() < BIO_SIZE) {
            toWorker(connection, key); // bytes that came with the client's last flight wait in the BIO
        } else if (connection.inputEnded) {
            release(connection); // the client resumed or got its ticket, and left: nothing for a handler
        } else {
            connection.deadline = System.nanoTime() + firstRequestNanos;
            enqueue(awaitingRequest, connection, HandshakeSelector::awaitsRequestDeadline);
        }
    }

    /**
     * The first bytes after the handshake go to OpenSSL, and the connection to a worker. A client that
     * leaves without a byte (it only wanted a session, or a ticket) is closed here: no worker is woken.
     */
    private void awaitRequest(ServerConnection connection, SelectionKey key) throws IOException {
        if (!key.isReadable()) {
            return; // no byte available means the peer's end only when the socket is readable
        }
        int n;
        try {
            // Readable with no byte to read is the peer's end: its FIN, or its reset (openssl s_time, and every
            // client that closes with SO_LINGER 0). Asking first spares the read that a reset makes throw: the
            // JDK builds two exceptions with their stack traces for it, about a tenth of a resumption's time.
            n = connection.channel.socket().getInputStream().available() == 0 ? -1
                    : connection.channel.read(io.clear());
        } catch (IOException reset) {
            n = -1;
        }
        if (n < 0) {
            release(connection);
        } else if (n > 0) {
            connection.network.write(io.flip()); // the BIO is empty here: a whole buffer fits
            toWorker(connection, key);
        }
    }

    /** Leaves the selector; the channel becomes blocking for the worker after the next select deregisters it. */
    private void toWorker(ServerConnection connection, SelectionKey key) {
        connection.phase = ServerConnection.Phase.WORKER;
        key.cancel();
        readyForWorkers.add(connection);
    }

    /** Returns true if selecting (to deregister cancelled keys) found keys that wait to be processed. */
    private boolean handToWorkers() throws IOException {
        if (readyForWorkers.isEmpty()) {
            return false;
        }
        selector.selectNow(); // deregisters the cancelled keys, so that their channels may block
        for (ServerConnection connection : readyForWorkers) {
            try {
                connection.channel.configureBlocking(true);
                connection.waitDeadline = System.nanoTime() + firstRequestNanos; // if it waits for a worker of its address
                if (!server.toWorker(connection)) {
                    enqueue(waitingForWorker, connection, HandshakeSelector::waitsForWorker);
                }
            } catch (IOException | RuntimeException e) {
                server.failed(connection, e);
                release(connection);
            }
        }
        readyForWorkers.clear();
        return !selector.selectedKeys().isEmpty();
    }

    /**
     * Adds to a deadline queue. Entries of connections that moved on wait for the head, which one slow
     * peer can hold for its whole timeout: once most entries are such, they are dropped at once, so a
     * queue holds at most about twice the connections open however many pass behind a slow peer.
     */
    private void enqueue(ArrayDeque<ServerConnection> queue, ServerConnection connection,
            java.util.function.Predicate<ServerConnection> waiting) {
        queue.add(connection);
        if (queue.size() > 2 * server.openConnections() + 64) {
            queue.removeIf(waiting.negate());
        }
    }

    private static boolean awaitsRequestDeadline(ServerConnection connection) {
        return connection.phase == ServerConnection.Phase.AWAIT_REQUEST;
    }

    /** Its request is there, and it waits for a worker (its address has maxWorkersPerClient busy). */
    private static boolean waitsForWorker(ServerConnection connection) {
        return connection.phase == ServerConnection.Phase.WAITING;
    }

    /** Closes the connections whose phase outlived its deadline. */
    private void expire(long now) {
        if (acceptPaused && now - acceptPausedUntil >= 0 && acceptKey.isValid()) {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        for (ServerConnection connection; (connection = handshaking.peekFirst()) != null; ) {
            if (isHandshaking(connection) && now - connection.deadline < 0) {
                break;
            }
            handshaking.pollFirst();
            if (isHandshaking(connection)) {
                server.timedOut(connection, new SocketTimeoutException("the TLS handshake did not finish within "
                        + TimeUnit.NANOSECONDS.toMillis(handshakeNanos) + " ms"));
                release(connection);
            }
        }
        for (ServerConnection connection; (connection = awaitingRequest.peekFirst()) != null; ) {
            if (awaitsRequestDeadline(connection) && now - connection.deadline < 0) {
                break;
            }
            awaitingRequest.pollFirst();
            if (awaitsRequestDeadline(connection)) {
                server.timedOut(connection, new SocketTimeoutException("no request within "
                        + TimeUnit.NANOSECONDS.toMillis(firstRequestNanos) + " ms after the handshake"));
                release(connection);
            }
        }
        for (ServerConnection connection; (connection = waitingForWorker.peekFirst()) != null; ) {
            if (waitsForWorker(connection) && now - connection.waitDeadline < 0) {
                break;
            }
            waitingForWorker.pollFirst();
            if (waitsForWorker(connection) && server.stopWaiting(connection)) { // unless a worker took it just now
                server.timedOut(connection, new SocketTimeoutException("its request waited "
                        + TimeUnit.NANOSECONDS.toMillis(firstRequestNanos) + " ms for a worker: "
                        + connection.client.getHostAddress() + " had maxWorkersPerClient workers busy"));
                release(connection);
            }
        }
    }

    /** Milliseconds until the earliest deadline (at least 1), or 0 when there is none. */
    private long untilNextDeadline() {
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        ServerConnection first = handshaking.peekFirst();
        if (first != null) {
            next = first.deadline - now;
        }
        first = awaitingRequest.peekFirst();
        if (first != null) {
            next = Math.min(next, first.deadline - now);
        }
        first = waitingForWorker.peekFirst();
        if (first != null) {
            next = Math.min(next, first.waitDeadline - now);
        }
        if (acceptPaused) {
            next = Math.min(next, acceptPausedUntil - now);
        }
        if (next == Long.MAX_VALUE) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next) + 1);
    }

    /**
     * On the way out, also after an Error (out of memory): stop listening and free every connection this
     * thread still holds. The listener's socket closes only once its key leaves the selector, so the
     * selector closes first of all: a thread that died must not leave a port that accepts and never answers.
     */
    private void releaseEverything() {
        try {
            closeQuietly(selector); // deregisters every key, so that closing the listener closes its socket
            closeQuietly(listener);
        } finally {
            server.releaseSelectorConnections();
            for (ServerConnection never : readyForWorkers) { // handed over, but never reached the pool
                release(never);
            }
            readyForWorkers.clear();
            handshaking.clear();
            awaitingRequest.clear();
            waitingForWorker.clear();
        }
    }

    /** Closes and frees a connection on this thread, its free covered by the thread's stack proof. */
    private void release(ServerConnection connection) {
        connection.release(stackProof);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // nothing left to do for it
        }
    }
}
