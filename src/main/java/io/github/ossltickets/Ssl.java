package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;

import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.Optional;

/**
 * One TLS connection, {@code SSL*}, made by {@link SslContext#newSsl()}.
 *
 * <p>Lifetime: this handle owns its {@code SSL*}. {@link #close()} (or, if you forget, the garbage
 * collector) runs {@code SSL_shutdown} when the handshake had finished, then {@code SSL_free}: a free
 * without a shutdown would mark the session not resumable. An {@code Ssl} strongly references its
 * {@link SslContext}, because {@code SSL_new} keeping the {@code SSL_CTX} alive natively does not keep
 * the context's Java callbacks alive.
 *
 * <p>Calls that run the TLS state machine ({@link #handshake()}, {@link #read}, {@link #write})
 * rethrow, as the cause of an {@link OpenSslException}, any exception a ticket callback threw during
 * them. Like the C object, an {@code Ssl} is used by one thread at a time.
 */
public final class Ssl implements AutoCloseable {
    /** {@link #read} and {@link #write} return this when OpenSSL needs the peer's bytes first. */
    public static final int WANT_IO = 0;
    /** {@link #read} returns this when the peer closed the connection with close_notify. */
    public static final int END_OF_STREAM = -1;

    private final SslContext context; // keeps the context's callback objects reachable (see class doc)
    private final State state;
    private final Cleaner.Cleanable cleanable; // null for a connection borrowed from another library
    private MessageLog messageLog;
    /** The other end of a BIO pair: joined connections are collected together, never one under the other. */
    @SuppressWarnings("unused")
    private Ssl joinedPeer;
    private Throwable callbackFailure;
    private String callbackDiagnostic;

    private Ssl(SslContext context, long address, boolean owned) {
        this.context = context;
        this.state = new State(address, owned, context.callbacks());
        this.cleanable = owned ? Handles.CLEANER.register(this, state) : null;
    }

    /** Takes ownership of a new {@code SSL*}. */
    static Ssl owned(SslContext context, long address) {
        return new Ssl(context, address, true);
    }

    /** Wraps an {@code SSL*} another library owns, for the duration of one callback. */
    static Ssl borrowed(SslContext context, long address) {
        return new Ssl(context, address, false);
    }

    /** The context this connection was made from. */
    public SslContext context() {
        return context;
    }

    /** The {@code SSL*} address, for use with other bindings of the same libssl. */
    public long address() {
        return live();
    }

    long rawAddress() {
        return state.address;
    }

    /** Ends a borrowed handle's validity when the callback that received it returns. */
    void invalidate() {
        if (cleanable == null) {
            state.address = 0;
        }
    }

    /**
     * Joins this connection and {@code peer} with an in-memory BIO pair ({@code BIO_new_bio_pair},
     * 0 = default buffer sizes); each {@code SSL*} takes ownership of its half ({@code SSL_set_bio}).
     * A BIO pair is not thread-safe: use both connections on one thread at a time.
     */
    public void joinWithBioPair(Ssl peer) {
        Objects.requireNonNull(peer, "peer");
        if (peer == this) {
            throw new IllegalArgumentException("a connection cannot be joined to itself");
        }
        long self = live();
        long other = peer.live();
        long[] mine = new long[1];
        long[] theirs = new long[1];
        if (LibCrypto.BIO_new_bio_pair(mine, 0, theirs, 0) != 1) {
            throw OpenSslException.fromErrorQueue("BIO_new_bio_pair failed");
        }
        LibSsl.SSL_set_bio(self, mine[0], mine[0]);
        LibSsl.SSL_set_bio(other, theirs[0], theirs[0]);
        joinedPeer = peer;
        peer.joinedPeer = this;
    }

    /**
     * Records this connection's NewSessionTicket messages and fatal alerts from now on
     * ({@code SSL_set_msg_callback}). Returns the log; calling again returns the same log.
     */
    public MessageLog trackMessages() {
        long ssl = live();
        if (messageLog == null) {
            messageLog = new MessageLog();
            LibSsl.SSL_set_msg_callback(ssl, CurrentCall.MESSAGE_CALLBACK);
        }
        return messageLog;
    }

    /** The log started by {@link #trackMessages()}, or null. */
    MessageLog messageLog() {
        return messageLog;
    }

    /** Offers {@code session} for resumption ({@code SSL_set_session}, which takes its own reference). */
    public void setSession(SslSession session) {
        Objects.requireNonNull(session, "session");
        long ssl = live();
        if (LibSsl.SSL_set_session(ssl, session.address()) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_set_session failed");
        }
    }

    /**
     * The current session, owned by the returned handle ({@code SSL_get1_session}); close it when done.
     * Empty before a handshake.
     */
    public Optional<SslSession> session() {
        long session = LibSsl.SSL_get1_session(live());
        return session == 0 ? Optional.empty() : Optional.of(SslSession.owned(session));
    }

    /** {@code SSL_session_reused}: true if the last handshake resumed a session. */
    public boolean isSessionReused() {
        return LibSsl.SSL_session_reused(live()) == 1;
    }

    /** {@code SSL_is_init_finished}. */
    public boolean isHandshakeFinished() {
        return LibSsl.SSL_is_init_finished(live()) == 1;
    }

    /** {@code SSL_get_version}: "TLSv1.2", "TLSv1.3", ... */
    public String protocolVersion() {
        return LibSsl.SSL_get_version(live()).getString(0);
    }

    /**
     * Runs the handshake as far as it goes without the peer ({@code SSL_do_handshake}).
     *
     * @return true when the handshake has finished, false when the peer must be heard from first
     * @throws OpenSslException if the handshake failed; a ticket callback's exception is its cause
     */
    public boolean handshake() {
        return drive(Operation.HANDSHAKE, null) > 0;
    }

    /**
     * Reads application data ({@code SSL_read}); also processes post-handshake messages such as
     * TLS 1.3 NewSessionTickets.
     *
     * @return the bytes read into the start of {@code buffer}, {@link #WANT_IO}, or {@link #END_OF_STREAM}
     */
    public int read(byte[] buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.length == 0) {
            throw new IllegalArgumentException("read needs a buffer of at least one byte");
        }
        return drive(Operation.READ, buffer);
    }

    /**
     * Writes all of {@code data} ({@code SSL_write}).
     *
     * @return the bytes written, or {@link #WANT_IO}
     */
    public int write(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length == 0) {
            throw new IllegalArgumentException("SSL_write of 0 bytes is undefined; write at least one byte");
        }
        return drive(Operation.WRITE, data);
    }

    /**
     * Queues one more TLS 1.3 ticket ({@code SSL_new_session_ticket}); it is sent, and the ticket
     * generator called, on the next {@link #handshake()} or {@link #write}.
     */
    public void newSessionTicket() {
        if (LibSsl.SSL_new_session_ticket(live()) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_new_session_ticket failed (TLS 1.3 servers only,"
                    + " after the handshake)");
        }
    }

    /** Sends close_notify if the handshake finished ({@code SSL_shutdown}), then {@code SSL_free}. Idempotent. */
    @Override
    public void close() {
        if (cleanable != null) {
            cleanable.clean();
        }
    }

    /** Called by a ticket callback bridge on this thread: keep the first failure for the driving call. */
    void recordCallbackFailure(Throwable failure) {
        if (callbackFailure == null) {
            callbackFailure = failure;
        } else if (callbackFailure != failure) {
            callbackFailure.addSuppressed(failure);
        }
    }

    /** Called by a ticket callback bridge: a fact that explains a failure OpenSSL may report later. */
    void recordCallbackDiagnostic(String diagnostic) {
        callbackDiagnostic = diagnostic;
    }

    private enum Operation { HANDSHAKE, READ, WRITE }

    private int drive(Operation operation, byte[] buffer) {
        long ssl = live();
        callbackFailure = null;
        callbackDiagnostic = null;
        // SSL_get_error is only reliable if the queue was empty before the call.
        LibCrypto.ERR_clear_error();
        Ssl previous = CurrentCall.enter(this);
        int result;
        try {
            switch (operation) {
                case HANDSHAKE:
                    result = LibSsl.SSL_do_handshake(ssl);
                    break;
                case READ:
                    result = LibSsl.SSL_read(ssl, buffer, buffer.length);
                    break;
                default:
                    result = LibSsl.SSL_write(ssl, buffer, buffer.length);
                    break;
            }
        } finally {
            CurrentCall.exit(previous);
        }
        if (result > 0) {
            reportFailureThatDidNotFailTheCall();
            return result;
        }
        int error = LibSsl.SSL_get_error(ssl, result);
        switch (error) {
            case LibSsl.SSL_ERROR_WANT_READ:
            case LibSsl.SSL_ERROR_WANT_WRITE:
                reportFailureThatDidNotFailTheCall();
                return WANT_IO;
            case LibSsl.SSL_ERROR_ZERO_RETURN:
                reportFailureThatDidNotFailTheCall();
                return END_OF_STREAM;
            default:
                throw failure(operation, error);
        }
    }

    private OpenSslException failure(Operation operation, int error) {
        String call = operation == Operation.HANDSHAKE ? "SSL_do_handshake"
                : operation == Operation.READ ? "SSL_read" : "SSL_write";
        StringBuilder what = new StringBuilder(call).append(" failed (SSL_get_error ").append(error).append(')');
        Throwable cause = callbackFailure;
        if (cause != null) {
            what.append(" because a ticket callback failed: ").append(cause);
        }
        if (callbackDiagnostic != null) {
            what.append("; ").append(callbackDiagnostic);
        }
        callbackFailure = null;
        callbackDiagnostic = null;
        return new OpenSslException(what.toString(), OpenSslException.drainErrorQueue(), cause);
    }

    /** A callback failed but its fallback let the handshake go on: tell the context's listener. */
    private void reportFailureThatDidNotFailTheCall() {
        Throwable failure = callbackFailure;
        if (failure != null) {
            callbackFailure = null;
            context.reportCallbackFailure(failure);
        }
    }

    private long live() {
        long address = state.address;
        if (address == 0) {
            throw new IllegalStateException(cleanable == null
                    ? "this Ssl was lent to a ticket callback and is no longer valid" : "Ssl is closed");
        }
        return address;
    }

    /** The native reference; never refers to the Ssl, so the Cleaner can run. */
    private static final class State implements Runnable {
        volatile long address;
        final boolean owned;
        /** Keeps the context's callback bridges reachable until SSL_free, even if the context is closed. */
        @SuppressWarnings("unused")
        final ContextCallbacks callbacks;

        State(long address, boolean owned, ContextCallbacks callbacks) {
            this.address = address;
            this.owned = owned;
            this.callbacks = callbacks;
        }

        @Override
        public void run() {
            long ssl = address;
            address = 0;
            if (ssl == 0 || !owned) {
                return;
            }
            if (LibSsl.SSL_is_init_finished(ssl) == 1) {
                LibSsl.SSL_shutdown(ssl);
            }
            LibSsl.SSL_free(ssl);
            // A shutdown into a closed peer queues errors that are nobody's business.
            LibCrypto.ERR_clear_error();
        }
    }
}
