package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * One TLS connection, {@code SSL*}, made by {@link SslContext#newSsl()}.
 *
 * <p>Lifetime: this handle owns its {@code SSL*}. {@link #close()} (or, if you forget, the garbage
 * collector) runs {@code SSL_shutdown} when the handshake had finished, then {@code SSL_free}: a free
 * without a shutdown would mark the session not resumable. A {@code close()} while a call is running
 * on this connection, from one of its own ticket callbacks or from another thread (a watchdog), returns
 * at once and the free waits until that call returns; the call then throws
 * {@link IllegalStateException}.
 *
 * <p>Threads and re-entry: {@link #handshake()}, {@link #read}, {@link #write}, {@link #setSession},
 * {@link #newSessionTicket()} and {@link #joinWithBioPair} run OpenSSL's state machine, which is not
 * re-entrant: one such call at a time. Another one from a ticket callback of the same connection, or
 * from another thread meanwhile, throws {@link IllegalStateException} instead of corrupting OpenSSL's
 * state. Read-only calls ({@link #isSessionReused()}, {@link #session()}, ...) are allowed anywhere.
 *
 * <p>The calls that run the state machine rethrow, as the cause of an {@link OpenSslException}, any
 * exception a ticket callback threw during them.
 */
public final class Ssl extends NativeHandle implements AutoCloseable {
    /** {@link #read} and {@link #write} return this when OpenSSL needs the peer's bytes first. */
    public static final int WANT_IO = 0;
    /** {@link #read} returns this when the peer closed the connection with close_notify. */
    public static final int END_OF_STREAM = -1;

    private static final String LENT_ENDED = "this Ssl was lent to a ticket callback by a handshake that another"
            + " library drives, and is no longer valid";

    /**
     * The callbacks of the context this connection was made from (null when lent): OpenSSL may call
     * them as long as the connection lives, so it keeps them reachable, whatever became of the context's
     * handle.
     */
    private final ContextCallbacks contextCallbacks;
    private volatile MessageLog messageLog;
    /** Set once this handle gave the connection its BIOs, so that each call need not ask OpenSSL again. */
    private volatile boolean transportAttached;
    private volatile Object attachment;
    /** The other end of a BIO pair: joined connections are collected together, never one under the other. */
    @SuppressWarnings("unused")
    private Ssl joinedPeer;
    /**
     * The network end given by {@link #attachNetworkBio}: the two halves of a pair read each other's buffer,
     * so neither may be freed by the Cleaner's thread while the other is used on the caller's.
     */
    @SuppressWarnings("unused")
    private NetworkBio networkBio;

    /** Owned when made from a context (with its {@code contextCallbacks}); lent when they are null. */
    private Ssl(NativeRef ref, ContextCallbacks contextCallbacks) {
        super(ref, contextCallbacks != null);
        this.contextCallbacks = contextCallbacks;
    }

    /** Takes ownership of a new {@code SSL*} made from the context whose callbacks are {@code contextCallbacks}. */
    static Ssl owned(long address, ContextCallbacks contextCallbacks) {
        NativeRef ref = NativeRef.owned(NativeRef.Kind.CONNECTION, address, Ssl::shutdownAndFree, "Ssl is closed");
        ref.freeMayFreeAContext(contextCallbacks::connectionsMayFreeIt);
        return new Ssl(ref, Objects.requireNonNull(contextCallbacks));
    }

    /** Wraps an {@code SSL*} that another library drives, for the duration of one callback. */
    static Ssl lent(long address) {
        return new Ssl(NativeRef.lent(address, LENT_ENDED, "handshake another library drives", true), null);
    }

    /**
     * The {@code SSL*} address, for use with other bindings of the same libssl. Borrowed: valid only
     * while this handle is open; code that keeps it takes its own reference ({@code SSL_up_ref}). From
     * then on, the callbacks of its context stay reachable until OpenSSL frees the context.
     */
    public long address() {
        // Pinned while the connection, and so its context, cannot be freed (see SslContext.address).
        return ref.use(this, ssl -> {
            if (contextCallbacks != null) {
                contextCallbacks.pin();
            }
            return ssl;
        });
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
        ref.drive(this, "joinWithBioPair", self -> peer.ref.drive(peer, "joinWithBioPair", other -> {
            refuseASecondTransport(self, "joinWithBioPair");
            refuseASecondTransport(other, "joinWithBioPair (on the peer)");
            long[] mine = new long[1];
            long[] theirs = new long[1];
            if (OPENSSL.BIO_new_bio_pair(mine, 0, theirs, 0) != 1) {
                throw OpenSslException.fromErrorQueue("BIO_new_bio_pair failed");
            }
            OPENSSL.SSL_set_bio(self, mine[0], mine[0]);
            OPENSSL.SSL_set_bio(other, theirs[0], theirs[0]);
            joinedPeer = peer;
            peer.joinedPeer = this;
            transportAttached = true;
            peer.transportAttached = true;
            return 1;
        }));
    }

    /**
     * Gives this connection one end of a new BIO pair ({@code BIO_new_bio_pair}, {@code SSL_set_bio},
     * which takes that end) and returns the other, for a transport to move bytes through. Each end
     * buffers {@code bufferSize} bytes; 0 means OpenSSL's default (17 KB).
     */
    public NetworkBio attachNetworkBio(int bufferSize) {
        if (bufferSize < 0) {
            throw new IllegalArgumentException("bufferSize cannot be negative: " + bufferSize);
        }
        long[] network = new long[1];
        ref.drive(this, "attachNetworkBio", ssl -> {
            refuseASecondTransport(ssl, "attachNetworkBio");
            long[] internal = new long[1];
            if (OPENSSL.BIO_new_bio_pair(internal, bufferSize, network, bufferSize) != 1) {
                throw OpenSslException.fromErrorQueue("BIO_new_bio_pair failed");
            }
            OPENSSL.SSL_set_bio(ssl, internal[0], internal[0]);
            transportAttached = true;
            return 1;
        });
        networkBio = new NetworkBio(network[0], this);
        return networkBio;
    }

    /**
     * SSL_set_bio on a connection that has BIOs frees them: whatever carries it now (a NetworkBio, a
     * joined peer, another library's socket BIO) would be cut off mid-stream, silently.
     */
    private static void refuseASecondTransport(long ssl, String call) {
        if (OPENSSL.SSL_get_rbio(ssl) != 0 || OPENSSL.SSL_get_wbio(ssl) != 0) {
            throw new IllegalStateException(call + ": this connection already has a transport (a BIO pair or"
                    + " another library's BIO); a connection is carried by one transport for its whole life");
        }
    }

    /**
     * True if the connection has a transport: {@code SSL_get_rbio} or {@code SSL_get_wbio} is set
     * (by {@link #joinWithBioPair}, {@link #attachNetworkBio} or another library). A connection is
     * carried by one transport for its whole life.
     */
    public boolean hasTransport() {
        return ref.use(this, ssl -> OPENSSL.SSL_get_rbio(ssl) != 0 || OPENSSL.SSL_get_wbio(ssl) != 0);
    }

    /** Any object of yours that goes with this connection, for its callbacks to find; null until set. */
    public Object attachment() {
        return attachment;
    }

    /** Sets what {@link #attachment()} returns, such as per-connection state a server's callbacks fill in. */
    public void setAttachment(Object attachment) {
        this.attachment = attachment;
    }

    /**
     * Records this connection's NewSessionTicket messages and fatal alerts from now on
     * ({@code SSL_set_msg_callback}). Returns the log; calling again returns the same log.
     */
    public synchronized MessageLog trackMessages() {
        if (messageLog == null) {
            messageLog = ref.use(this, ssl -> {
                OPENSSL.SSL_set_msg_callback(ssl, NativeCallbacks.MESSAGE);
                return new MessageLog();
            });
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
        ref.drive(this, "setSession", ssl -> {
            if (session.use(ss -> OPENSSL.SSL_set_session(ssl, ss)) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_set_session failed");
            }
            return 1;
        });
    }

    /**
     * The current session, owned by the returned handle ({@code SSL_get1_session}); close it when done.
     * Empty before a handshake.
     */
    public Optional<SslSession> session() {
        long session = ref.use(this, address -> OPENSSL.SSL_get1_session(address));
        return session == 0 ? Optional.empty() : Optional.of(SslSession.owned(session));
    }

    /** {@code SSL_session_reused}: true if the last handshake resumed a session. */
    public boolean isSessionReused() {
        return ref.use(this, ssl -> OPENSSL.SSL_session_reused(ssl) == 1);
    }

    /** {@code SSL_is_server}: true for a connection that accepts (made from a server context). */
    public boolean isServer() {
        return ref.use(this, ssl -> OPENSSL.SSL_is_server(ssl) == 1);
    }

    /** {@code SSL_is_init_finished}. */
    public boolean isHandshakeFinished() {
        return ref.use(this, ssl -> OPENSSL.SSL_is_init_finished(ssl) == 1);
    }

    /**
     * The host name the client asked for (SNI), copied from {@code SSL_get_servername(s,
     * TLSEXT_NAMETYPE_host_name)} (borrowed); empty if it sent none. Still empty in a
     * {@link TicketDecryptor}: OpenSSL reads the ticket before the server name
     * (docs/openssl-behaviour.md#when-the-decrypt-callback-runs); a generator sees it.
     */
    public Optional<String> serverName() {
        return ref.use(this, ssl -> {
            long name = OPENSSL.SSL_get_servername(ssl, LibSsl.TLSEXT_NAMETYPE_host_name);
            return name == 0 ? Optional.<String>empty() : Optional.of(OPENSSL.string(name));
        });
    }

    /**
     * What the ClientHello of this connection's handshake said, as the {@link ClientHelloCallback}
     * bridge copied it before calling the callback; empty if no ClientHello callback is installed on
     * the context (or the ClientHello has not arrived). Unlike {@link #serverName()}, a
     * {@link TicketDecryptor} sees it in TLS 1.3 too. Allowed inside callbacks.
     */
    public Optional<ClientHelloInfo> clientHello() {
        return ref.use(this, ssl -> {
            HandshakeState state = HandshakeState.of(ssl, false);
            return state == null ? Optional.<ClientHelloInfo>empty() : state.clientHello();
        });
    }

    /**
     * An attribute of this native connection, set by {@link #setHandshakeAttribute} from any callback
     * of it (such as the {@link ClientHelloCallback}, for the ticket callbacks of the same handshake);
     * null if unset. Kept on the native {@code SSL} ({@code SSL_get_ex_data}), so every handle of it,
     * including those lent to callbacks of a handshake another library drives, sees the same value.
     */
    public Object handshakeAttribute(String name) {
        Objects.requireNonNull(name, "name");
        return ref.use(this, ssl -> {
            HandshakeState state = HandshakeState.of(ssl, false);
            return state == null ? null : state.attributes.get(name);
        });
    }

    /**
     * Sets (or, with a null value, removes) an attribute of this native connection
     * ({@code SSL_set_ex_data}); freed with the {@code SSL}. Allowed inside callbacks.
     */
    public void setHandshakeAttribute(String name, Object value) {
        Objects.requireNonNull(name, "name");
        ref.use(this, ssl -> {
            HandshakeState state = HandshakeState.of(ssl, true);
            if (value == null) {
                state.attributes.remove(name);
            } else {
                state.attributes.put(name, value);
            }
            return null;
        });
    }

    /**
     * The ALPN protocol chosen in this handshake ({@code SSL_get0_alpn_selected}, copied); empty when
     * none was. A server's {@link TicketDecryptor} sees it empty: the choice comes after the ticket.
     */
    public Optional<String> alpnProtocol() {
        return ref.use(this, ssl -> {
            long[] data = new long[1];
            int[] length = new int[1];
            OPENSSL.SSL_get0_alpn_selected(ssl, data, length);
            return data[0] == 0 || length[0] == 0 ? Optional.<String>empty()
                    : Optional.of(new String(OPENSSL.bytes(data[0], length[0]),
                            java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    /**
     * SHA-256 of the DER encoding of the certificate this connection presents ({@code SSL_get_certificate},
     * borrowed, then {@code i2d_X509}); empty when it has none (a client without one).
     */
    public Optional<byte[]> certificateFingerprint() {
        return ref.use(this, ssl -> {
            long x509 = OPENSSL.SSL_get_certificate(ssl);
            return x509 == 0 ? Optional.<byte[]>empty() : Optional.of(Pem.sha256(Pem.der(x509)));
        });
    }

    /** {@code SSL_get_version}: "TLSv1.2", "TLSv1.3", ... */
    public String protocolVersion() {
        return ref.use(this, ssl -> OPENSSL.string(OPENSSL.SSL_get_version(ssl)));
    }

    /** Bytes OpenSSL has read from the transport so far ({@code BIO_number_read(SSL_get_rbio(s))}); 0 without a BIO. */
    public long bytesRead() {
        return ref.use(this, ssl -> {
            long bio = OPENSSL.SSL_get_rbio(ssl);
            return bio == 0 ? 0 : OPENSSL.BIO_number_read(bio);
        });
    }

    /** Bytes OpenSSL has written to the transport so far ({@code BIO_number_written(SSL_get_wbio(s))}); 0 without a BIO. */
    public long bytesWritten() {
        return ref.use(this, ssl -> {
            long bio = OPENSSL.SSL_get_wbio(ssl);
            return bio == 0 ? 0 : OPENSSL.BIO_number_written(bio);
        });
    }

    /**
     * Runs the handshake as far as it goes without the peer ({@code SSL_do_handshake}).
     *
     * @return true when the handshake has finished, false when the peer must be heard from first
     * @throws OpenSslException if the handshake failed; a ticket callback's exception is its cause
     * @throws IllegalStateException if the connection is closed, has no BIO, or another call runs on it
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

    /** The most application data one TLS record carries: the most one ranged read or write moves. */
    public static final int RECORD_SIZE = 16 * 1024;

    /**
     * Reads application data ({@code SSL_read}) into {@code buffer[offset, offset + length)}, at most
     * one record's worth ({@value #RECORD_SIZE} bytes): JNA copies only that much, however large the
     * array is.
     *
     * @return the bytes read, {@link #WANT_IO}, or {@link #END_OF_STREAM}
     */
    public int read(byte[] buffer, int offset, int length) {
        int size = recordWithin(buffer, offset, length, "read");
        if (offset == 0 && size == buffer.length) {
            return read(buffer);
        }
        byte[] record = new byte[size];
        int read = read(record);
        if (read > 0) {
            System.arraycopy(record, 0, buffer, offset, read);
        }
        return read;
    }

    /**
     * Writes the first record's worth (at most {@value #RECORD_SIZE} bytes) of
     * {@code data[offset, offset + length)} ({@code SSL_write}); call again from {@code offset} plus
     * what it returned. Passing one record at a time, writing n bytes takes time in proportion to n,
     * where {@link #write(byte[])} of a large array after {@link #WANT_IO} passes the whole array again.
     * After {@link #WANT_IO}, call again with the same {@code offset} and {@code length}: OpenSSL goes on
     * with the record it began (connections from {@link SslContext#newSsl()} accept a moved buffer).
     *
     * @return the bytes written (1 to {@value #RECORD_SIZE}), or {@link #WANT_IO}
     */
    public int write(byte[] data, int offset, int length) {
        int size = recordWithin(data, offset, length, "SSL_write");
        return write(offset == 0 && size == data.length ? data : Arrays.copyOfRange(data, offset, offset + size));
    }

    /** The size of the first record in {@code array[offset, offset + length)}, which must hold a byte or more. */
    private static int recordWithin(byte[] array, int offset, int length, String call) {
        Objects.requireNonNull(array, "array");
        if (offset < 0 || length <= 0 || length > array.length - offset) {
            throw new IllegalArgumentException(call + " needs 1 or more bytes inside the array: offset " + offset
                    + ", length " + length + ", array of " + array.length);
        }
        return Math.min(length, RECORD_SIZE);
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
     * Sends close_notify ({@code SSL_shutdown}) without freeing, so that a transport can deliver it
     * before {@link #close()}. Returns true once the peer's close_notify has arrived too.
     */
    public boolean shutdown() {
        StackHeadroom.ensureBeforeAStateMachineCall(); // SSL_shutdown may run the message callback
        return ref.drive(this, "SSL_shutdown", ssl -> {
            int result = OPENSSL.SSL_shutdown(ssl);
            OPENSSL.ERR_clear_error(); // a shutdown into a closed transport queues errors nobody needs
            return result;
        }) == 1;
    }

    /**
     * Queues one more TLS 1.3 ticket ({@code SSL_new_session_ticket}); it is sent, and the ticket
     * generator called, on the next {@link #handshake()} or {@link #write}.
     */
    public void newSessionTicket() {
        ref.drive(this, "newSessionTicket", ssl -> {
            if (OPENSSL.SSL_new_session_ticket(ssl) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_new_session_ticket failed (TLS 1.3 servers only,"
                        + " after the handshake)");
            }
            return 1;
        });
    }

    /**
     * Sends close_notify if the handshake finished ({@code SSL_shutdown}), then {@code SSL_free}; if a
     * call is running on this connection (a callback of it closes it, or another thread does), the free
     * happens when that call returns. Idempotent. On a connection lent by another library's handshake
     * it only ends this handle's use.
     */
    @Override
    public void close() {
        closeHandle();
    }

    /**
     * For logs: "{@code Ssl[owned|lent, open 0x…|closed]}", the {@code SSL*} in hex while open. Reads no
     * native state, so it is safe from any thread and inside callbacks; no secret.
     */
    @Override
    public String toString() {
        return ref.describe("Ssl", null);
    }

    private enum Operation {
        HANDSHAKE("SSL_do_handshake"), READ("SSL_read"), WRITE("SSL_write");

        final String call;

        Operation(String call) {
            this.call = call;
        }
    }

    private int drive(Operation operation, byte[] buffer) {
        StackHeadroom.ensureBeforeAStateMachineCall();
        // The free of a connection closed during the call happens when ref.drive returns.
        return ref.drive(this, operation.call, ssl -> driveOnce(operation, buffer, ssl));
    }

    private int driveOnce(Operation operation, byte[] buffer, long ssl) {
        {
            // Two native calls saved per call when the BIOs are ours (a connection made elsewhere is asked).
            if (!transportAttached && (OPENSSL.SSL_get_rbio(ssl) == 0 || OPENSSL.SSL_get_wbio(ssl) == 0)) {
                // OpenSSL 3.0 fails cleanly here, but a later SSL_get_error on such a connection crashes
                // (docs/openssl-behaviour.md#openssl-bugs-the-binding-works-around-or-reports).
                throw new IllegalStateException(operation.call + " on a connection with no BIO: join it to its"
                        + " transport first (joinWithBioPair, attachNetworkBio)");
            }
            // SSL_get_error is only reliable if the queue was empty before the call.
            OPENSSL.ERR_clear_error();
            CallFrame frame = CallFrame.enter(this, ssl);
            int result;
            try {
                switch (operation) {
                    case HANDSHAKE:
                        result = OPENSSL.SSL_do_handshake(ssl);
                        break;
                    case READ:
                        result = OPENSSL.SSL_read(ssl, buffer, buffer.length);
                        break;
                    default:
                        result = OPENSSL.SSL_write(ssl, buffer, buffer.length);
                        break;
                }
            } finally {
                frame.active = false; // inline: if exit() overflows the stack, the frame is dead all the same
                frame.exit();
            }
            if (isClosing()) {
                OPENSSL.ERR_clear_error();
                throw new IllegalStateException("Ssl was closed while " + operation.call + " ran (by one of its"
                        + " callbacks or another thread); it is freed now", frame.failure());
            }
            if (result > 0) {
                frame.reportUnthrownFailure();
                return result;
            }
            int error = OPENSSL.SSL_get_error(ssl, result);
            switch (error) {
                case LibSsl.SSL_ERROR_WANT_READ:
                case LibSsl.SSL_ERROR_WANT_WRITE:
                    frame.reportUnthrownFailure();
                    return WANT_IO;
                case LibSsl.SSL_ERROR_ZERO_RETURN:
                    frame.reportUnthrownFailure();
                    return END_OF_STREAM;
                default:
                    throw failure(operation, error, frame, ssl);
            }
        }
    }

    private static OpenSslException failure(Operation operation, int error, CallFrame frame, long ssl) {
        StringBuilder what = new StringBuilder(operation.call).append(" failed (").append(describeError(error))
                .append(')');
        Throwable cause = frame.failure();
        if (cause != null) {
            what.append(" because a ticket callback failed: ").append(cause);
        }
        String diagnostics = frame.diagnostics();
        if (diagnostics == null && error == LibSsl.SSL_ERROR_SSL) {
            diagnostics = explainOversizedOfferedTicket(ssl);
        }
        if (diagnostics != null) {
            what.append(cause == null ? " because " : "; ").append(diagnostics);
        }
        return new OpenSslException(what.toString(), OpenSslException.drainErrorQueue(), cause);
    }

    /**
     * OpenSSL's own error for a ClientHello whose extensions outgrow their 2-byte length is a bare
     * "internal error" on the client; say that the offered ticket is why.
     */
    private static String explainOversizedOfferedTicket(long ssl) {
        long session = OPENSSL.SSL_is_server(ssl) == 1 ? 0 : OPENSSL.SSL_get_session(ssl);
        if (session == 0) {
            return null;
        }
        long[] ticket = new long[1];
        long[] length = new long[1];
        OPENSSL.SSL_SESSION_get0_ticket(session, ticket, length);
        if (length[0] <= TicketSizeLimits.LARGE_TICKET) {
            return null;
        }
        return "the offered session's ticket is " + length[0] + " bytes, and a ClientHello carries all its"
                + " extensions, this ticket among them, in at most " + TicketSizeLimits.MAX_CLIENT_HELLO_EXTENSIONS + " bytes: a ticket this"
                + " large may leave the client unable to build its ClientHello (internal_error)";
    }

    /** {@code SSL_get_error}'s code by name, with what it means for a connection over a BIO. */
    static String describeError(int error) {
        switch (error) {
            case LibSsl.SSL_ERROR_SSL:
                return "SSL_ERROR_SSL: a TLS protocol or library error, see OpenSSL's error queue";
            case LibSsl.SSL_ERROR_WANT_READ:
                return "SSL_ERROR_WANT_READ";
            case LibSsl.SSL_ERROR_WANT_WRITE:
                return "SSL_ERROR_WANT_WRITE";
            case LibSsl.SSL_ERROR_WANT_X509_LOOKUP:
                return "SSL_ERROR_WANT_X509_LOOKUP: a certificate callback asked to be called again";
            case LibSsl.SSL_ERROR_SYSCALL:
                return "SSL_ERROR_SYSCALL: the transport failed, or the peer closed it without close_notify";
            case LibSsl.SSL_ERROR_ZERO_RETURN:
                return "SSL_ERROR_ZERO_RETURN: the peer closed the connection with close_notify";
            case LibSsl.SSL_ERROR_WANT_CONNECT:
                return "SSL_ERROR_WANT_CONNECT";
            case LibSsl.SSL_ERROR_WANT_ACCEPT:
                return "SSL_ERROR_WANT_ACCEPT";
            default:
                return "SSL_get_error " + error;
        }
    }

    /** Frees an owned {@code SSL*}; a shutdown first keeps its session resumable. */
    private static void shutdownAndFree(long ssl) {
        if (OPENSSL.SSL_is_init_finished(ssl) == 1) {
            OPENSSL.SSL_shutdown(ssl);
        }
        OPENSSL.SSL_free(ssl);
        // A shutdown into a closed peer queues errors that are nobody's business.
        OPENSSL.ERR_clear_error();
    }
}
