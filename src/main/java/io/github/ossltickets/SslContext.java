package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.SslMacros;
import io.github.ossltickets.ffi.StackProof;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * A TLS context, {@code SSL_CTX*}, with the session-ticket callbacks of OpenSSL 3.
 *
 * <p>Make one with {@link #forServer()} or {@link #forClient()}, or attach to one that another library
 * made with {@link #borrow(long)}. Then install:
 * <ul>
 * <li>{@link #setTicketCallbacks} — {@code SSL_CTX_set_session_ticket_cb}: app data in, decision out;</li>
 * <li>{@link #setTicketKeyCallback} — {@code SSL_CTX_set_tlsext_ticket_key_evp_cb}: your ticket keys;</li>
 * <li>{@link #setTicketKeys} — {@code SSL_CTX_set_tlsext_ticket_keys}: fixed built-in keys.</li>
 * </ul>
 *
 * <p>Lifetime: installed callbacks belong to the native {@code SSL_CTX}, not to this handle. They stay
 * installed, and their Java objects reachable, exactly as long as OpenSSL keeps the {@code SSL_CTX}:
 * after {@link #close()}, after this handle is garbage-collected, while any {@code SSL} made from it
 * lives, and while another library holds a reference ({@code SSL_CTX_up_ref}) to it. When OpenSSL frees
 * the context, it tells us through an ex_data free callback, and only then are they released.
 * Installing new callbacks replaces the old ones in place; nothing accumulates. Thread-safe.
 *
 * <p>Callbacks may use the handle of their own context: a context we made and whose handle and
 * connections are all dropped without {@code close()} is collected whole, callbacks included, and
 * freed (unless its {@link #address()} was handed out); a borrowed handle holds no reference that
 * would keep its owner's context alive.
 */
public final class SslContext extends NativeHandle implements AutoCloseable {
    /** The length {@link #setTicketKeys(byte[])} takes: key name (16), HMAC key (32), AES key (32). */
    public static final int TICKET_KEYS_LENGTH = 80;
    /** {@code SSL_OP_NO_TICKET}, for {@link #options()}, {@link #setOptions} and {@link #clearOptions}. */
    public static final long OP_NO_TICKET = LibSsl.SSL_OP_NO_TICKET;
    /**
     * {@code SSL_OP_IGNORE_UNEXPECTED_EOF}: a peer that closes the transport without close_notify reads as
     * end of stream ({@code SSL_ERROR_ZERO_RETURN}) instead of a fatal "unexpected eof while reading",
     * which would also drop the session from the server's cache. Browsers close so. Set it only where
     * the protocol above TLS detects truncation itself (HTTP/1.1 with Content-Length does).
     */
    public static final long OP_IGNORE_UNEXPECTED_EOF = LibSsl.SSL_OP_IGNORE_UNEXPECTED_EOF;

    private enum Role { SERVER, CLIENT, BORROWED }

    static {
        // For net's in-memory pump and its server's selector thread: one stack proof for several calls.
        // Here, since every connection comes from a context: the prover is in place before the first one.
        StackProof.install(StackHeadroom.PROVER);
    }

    private final Role role;
    private final ContextCallbacks callbacks;
    /** Identifies what this handle installed, so that closing a borrowed handle removes only that. */
    private final Object installer = new Object();

    /** Takes over {@code address}'s reference: a context we made. */
    private SslContext(long address, Role role) {
        super(ownedContext(address), true);
        this.role = role;
        try {
            this.callbacks = ContextCallbacks.of(address);
        } catch (RuntimeException e) {
            closeHandle();
            throw e;
        }
    }

    private static NativeRef ownedContext(long address) {
        NativeRef ref = NativeRef.owned(NativeRef.Kind.CONTEXT, address, ctx -> OPENSSL.SSL_CTX_free(ctx), "SslContext is closed");
        ref.freeMayFreeAContext(() -> true);
        return ref;
    }

    /** A view of a context another owner keeps: no reference of ours, ended when OpenSSL frees it. */
    private SslContext(long address, ContextCallbacks callbacks) {
        super(NativeRef.view(address, "SslContext (borrowed) is closed, or its owner freed the SSL_CTX"), false);
        this.role = Role.BORROWED;
        this.callbacks = callbacks;
        callbacks.pin(); // the owner drives handshakes that our handles never see
        callbacks.addView(ref);
    }

    /** A builder for a server context ({@code TLS_server_method}). */
    public static Builder forServer() {
        return new Builder(true);
    }

    /** A builder for a client context ({@code TLS_client_method}). */
    public static Builder forClient() {
        return new Builder(false);
    }

    /**
     * Attaches to an {@code SSL_CTX*} that another library owns (Netty, Tomcat, ...), which must have
     * been made by the same libssl: a context whose method ({@code SSL_CTX_get_ssl_method}) is not this
     * libssl's {@code TLS_method}, {@code TLS_server_method} or {@code TLS_client_method} is refused
     * with {@link IllegalArgumentException} before anything is installed.
     *
     * <p>The handle takes no reference of its own: it is valid while the owner keeps the context, and
     * once OpenSSL frees it (the owner's last {@code SSL_CTX_free}, and the last connection made from
     * it), every call throws {@link IllegalStateException}. A call in progress on another thread then
     * delays the free until it returns. So callbacks may capture this handle: nothing keeps the native
     * context alive after its owner lets it go (a Tomcat reload, a Netty release). The installed
     * callbacks live as long as the native context does.
     *
     * <p>The check reads the context's memory, so {@code address} must be a live {@code SSL_CTX*}: what
     * it catches is a context of another copy of OpenSSL or of BoringSSL (netty-tcnative's static
     * build), and NULL. An address that is not an {@code SSL_CTX*} at all (freed, a number, another
     * kind of object) cannot be recognised in-process: reading it crashes the JVM or, worse, reads
     * garbage that happens to pass. Take addresses only from the library that owns the context.
     *
     * <p>Callbacks installed through it stay installed until an explicit {@link #close()}, which
     * removes those this handle installed that are still in place. If the handle is garbage-collected
     * without {@code close()}, the callbacks stay, because the GC must never change what a server does.
     */
    public static SslContext borrow(long address) {
        if (address == 0) {
            throw new IllegalArgumentException("cannot borrow a NULL SSL_CTX*");
        }
        OpenSsl.ensureLoaded();
        long method = OPENSSL.SSL_CTX_get_ssl_method(address);
        if (method != OPENSSL.TLS_method() && method != OPENSSL.TLS_server_method() && method != OPENSSL.TLS_client_method()) {
            // Another copy of libssl (BoringSSL inside netty-tcnative-boringssl-static, say) lays its
            // SSL_CTX out differently: installing our callbacks there would corrupt memory.
            throw new IllegalArgumentException(String.format("0x%x is not an SSL_CTX* of this libssl (%s): its"
                    + " method is none of TLS_method, TLS_server_method, TLS_client_method. Is it from another"
                    + " copy of OpenSSL or BoringSSL?", address, OpenSsl.version()));
        }
        return new SslContext(address, ContextCallbacks.of(address));
    }

    /**
     * The {@code SSL_CTX*} address, for use with other bindings of the same libssl. Borrowed: valid
     * while this handle is open; a library that keeps it longer takes its own reference
     * ({@code SSL_CTX_up_ref}), and the installed callbacks then keep working for it. From the first
     * call on, the callbacks stay reachable until OpenSSL frees the context, since code we cannot see
     * may now drive it: close this handle when done, even if its callbacks capture it.
     */
    public long address() {
        // Pinned while the pointer is ours to use: a free cannot come between, and leave a freed context pinned.
        return ref.use(this, ctx -> {
            callbacks.pin();
            return ctx;
        });
    }

    /** The pointer's state, for tests in this package. */
    NativeRef nativeRef() {
        return ref;
    }

    /** True for a context made by {@link #forServer()}; false for a client context and a borrowed one. */
    public boolean isServer() {
        return role == Role.SERVER;
    }

    /** True for a context made by {@link #forClient()}; false for a server context and a borrowed one. */
    public boolean isClient() {
        return role == Role.CLIENT;
    }

    /** False once {@link #close()} was called on this handle (the native context may live on; see above). */
    public boolean isOpen() {
        return !isClosing();
    }

    /** A new connection ({@code SSL_new}), in server or client mode as this context was built. */
    public Ssl newSsl() {
        if (role == Role.BORROWED) {
            throw new IllegalStateException("a borrowed SslContext makes no connections; its owner does");
        }
        StackHeadroom.ensureBeforeAnAllocation(); // nothing made yet if the stack is too short
        long ssl = ref.use(this, address -> OPENSSL.SSL_new(address));
        if (ssl == 0) {
            throw OpenSslException.fromErrorQueue("SSL_new failed");
        }
        if (role == Role.SERVER) {
            OPENSSL.SSL_set_accept_state(ssl);
        } else {
            OPENSSL.SSL_set_connect_state(ssl);
        }
        // JNA hands SSL_write a fresh copy of the Java array on every call; a retry after WANT_WRITE
        // must be allowed to come from another address, or OpenSSL fails it ("bad write retry").
        SslMacros.SSL_set_mode(ssl, LibSsl.SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        return Ssl.owned(ssl, callbacks);
    }

    /** {@link #setTicketCallbacks(TicketGenerator, TicketDecryptor, TicketReturn)} with fallback ABORT. */
    public void setTicketCallbacks(TicketGenerator generator, TicketDecryptor decryptor) {
        setTicketCallbacks(generator, decryptor, TicketReturn.ABORT);
    }

    /**
     * Installs the ticket callbacks ({@code SSL_CTX_set_session_ticket_cb}), replacing any before. A
     * handshake already running on another thread finishes with the old or the new ones.
     *
     * @param generator called before each ticket is made; sets the app data
     * @param decryptor called for each ticket offered; decides what OpenSSL does with it
     * @param fallback what OpenSSL gets when the decryptor throws: {@link TicketReturn#ABORT} fails the
     *     handshake (and it rethrows the exception as the cause); {@link TicketReturn#IGNORE} or
     *     {@link TicketReturn#IGNORE_RENEW} go on with a full handshake and pass the exception to the
     *     {@linkplain #setCallbackFailureListener failure listener}. USE and USE_RENEW are refused: a
     *     ticket nobody checked must not be resumed.
     */
    public void setTicketCallbacks(TicketGenerator generator, TicketDecryptor decryptor, TicketReturn fallback) {
        Objects.requireNonNull(generator, "generator");
        Objects.requireNonNull(decryptor, "decryptor");
        Objects.requireNonNull(fallback, "fallback");
        if (fallback.resumes()) {
            throw new IllegalArgumentException("the fallback for a failed decryptor must be ABORT, IGNORE or"
                    + " IGNORE_RENEW, not " + fallback + ": resuming a ticket nobody checked is unsafe");
        }
        ContextCallbacks.Tickets tickets = new ContextCallbacks.Tickets(generator, decryptor, fallback, installer);
        ref.perform(this, ctx -> callbacks.install(ctx, tickets));
    }

    /** Uninstalls the ticket callbacks ({@code SSL_CTX_set_session_ticket_cb(ctx, NULL, NULL, NULL)}). */
    public void clearTicketCallbacks() {
        ref.perform(this, ctx -> callbacks.removeTickets(ctx, null));
    }

    /**
     * Installs a ClientHello callback ({@code SSL_CTX_set_client_hello_cb}), replacing any before. It
     * runs before the ticket callbacks of the same handshake, which see what it recorded
     * ({@link Ssl#clientHello()}, {@link Ssl#handshakeAttribute}). Like them, it is read from the
     * connection's initial context. Servers only: OpenSSL never calls it on a client.
     *
     * @throws IllegalStateException on a client context
     */
    public void setClientHelloCallback(ClientHelloCallback callback) {
        Objects.requireNonNull(callback, "callback");
        if (role == Role.CLIENT) {
            throw new IllegalStateException("a ClientHello callback is a server setting: OpenSSL never calls it on"
                    + " a client context");
        }
        ContextCallbacks.ClientHellos hellos = new ContextCallbacks.ClientHellos(callback, installer);
        ref.perform(this, ctx -> callbacks.install(ctx, hellos));
    }

    /** Uninstalls the ClientHello callback ({@code SSL_CTX_set_client_hello_cb(ctx, NULL, NULL)}). */
    public void clearClientHelloCallback() {
        ref.perform(this, ctx -> callbacks.removeClientHello(ctx, null));
    }

    /** Installs a ticket key callback ({@code SSL_CTX_set_tlsext_ticket_key_evp_cb}), replacing any before. */
    public void setTicketKeyCallback(TicketKeyCallback keyCallback) {
        Objects.requireNonNull(keyCallback, "keyCallback");
        ContextCallbacks.Keys keys = new ContextCallbacks.Keys(keyCallback, installer);
        ref.perform(this, ctx -> callbacks.install(ctx, keys));
    }

    /** Uninstalls the ticket key callback; OpenSSL's built-in keys apply again. */
    public void clearTicketKeyCallback() {
        ref.perform(this, ctx -> callbacks.removeKeys(ctx, null));
    }

    /**
     * Sets the built-in ticket keys ({@code SSL_CTX_set_tlsext_ticket_keys}, which copies them): 80 bytes,
     * a 16-byte key name, a 32-byte HMAC key, then a 32-byte AES key.
     */
    public void setTicketKeys(byte[] keys) {
        checkTicketKeys(keys);
        if (ref.use(this, ctx -> SslMacros.SSL_CTX_set_tlsext_ticket_keys(ctx, keys, keys.length)) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_set_tlsext_ticket_keys failed");
        }
    }

    /** The built-in ticket keys ({@code SSL_CTX_get_tlsext_ticket_keys}), in the layout of {@link #setTicketKeys}. */
    public byte[] ticketKeys() {
        byte[] keys = new byte[TICKET_KEYS_LENGTH];
        if (ref.use(this, ctx -> SslMacros.SSL_CTX_get_tlsext_ticket_keys(ctx, keys, keys.length)) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_get_tlsext_ticket_keys failed");
        }
        return keys;
    }

    /**
     * The most {@link #setNumTickets} accepts. OpenSSL takes any {@code size_t} and sends them all in one
     * handshake, calling the generator for each: two billion would hold the handshake's thread for
     * hours. Clients keep a handful (one per connection they plan to open); 1,000 is far beyond any use.
     */
    public static final int MAX_NUM_TICKETS = 1000;

    /**
     * {@code SSL_CTX_set_num_tickets}: TLS 1.3 tickets sent after a full handshake (OpenSSL's default:
     * 2), from 0 to {@link #MAX_NUM_TICKETS}.
     */
    public void setNumTickets(int count) {
        checkNumTickets(count);
        if (ref.use(this, ctx -> OPENSSL.SSL_CTX_set_num_tickets(ctx, count)) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_set_num_tickets failed");
        }
    }

    private static void checkNumTickets(int count) {
        if (count < 0 || count > MAX_NUM_TICKETS) {
            throw new IllegalArgumentException("num_tickets must be 0 to " + MAX_NUM_TICKETS + ", not " + count
                    + ": each ticket is made and sent in the handshake, so a huge count holds it for as long as"
                    + " sending them takes");
        }
    }

    /** The longest session-ID context OpenSSL keeps ({@code SSL_MAX_SID_CTX_LENGTH}). */
    public static final int MAX_SESSION_ID_CONTEXT_LENGTH = 32;

    /**
     * {@code SSL_CTX_set_session_id_context}, which copies the bytes: the label OpenSSL stores in every
     * session this context makes, and compares on resumption. A ticket resumes only on a server whose
     * context has the same bytes; otherwise OpenSSL decrypts it (the decrypt callback sees SUCCESS) and
     * then does a full handshake. Servers that share ticket keys must therefore share this too: OpenSSL's
     * default, and this library's, is empty; Tomcat sets {@code "default"}, Netty {@code "netty"}.
     * Connections made before the call keep the value they copied. See also
     * {@link Builder#sessionIdContextFromCertificate()}.
     *
     * @throws IllegalArgumentException if longer than {@link #MAX_SESSION_ID_CONTEXT_LENGTH} bytes
     */
    public void setSessionIdContext(byte[] sessionIdContext) {
        Objects.requireNonNull(sessionIdContext, "sessionIdContext");
        if (sessionIdContext.length > MAX_SESSION_ID_CONTEXT_LENGTH) {
            throw new IllegalArgumentException("a session-ID context has at most " + MAX_SESSION_ID_CONTEXT_LENGTH
                    + " bytes, not " + sessionIdContext.length);
        }
        byte[] copy = sessionIdContext.clone();
        if (ref.use(this, ctx -> OPENSSL.SSL_CTX_set_session_id_context(ctx, copy, copy.length)) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_set_session_id_context failed");
        }
    }

    /** {@code SSL_CTX_get_num_tickets}. */
    public int numTickets() {
        return Math.toIntExact(ref.use(this, address -> OPENSSL.SSL_CTX_get_num_tickets(address)));
    }

    /** {@code SSL_CTX_get_options}: the context's {@code SSL_OP_} bits. */
    public long options() {
        return ref.use(this, address -> OPENSSL.SSL_CTX_get_options(address));
    }

    /** {@code SSL_CTX_set_options}: adds {@code SSL_OP_} bits, such as {@code SSL_OP_NO_TICKET}; returns them all. */
    public long setOptions(long options) {
        return ref.use(this, ctx -> OPENSSL.SSL_CTX_set_options(ctx, options));
    }

    /** {@code SSL_CTX_clear_options}: removes {@code SSL_OP_} bits; returns those left. */
    public long clearOptions(long options) {
        return ref.use(this, ctx -> OPENSSL.SSL_CTX_clear_options(ctx, options));
    }

    /** {@code SSL_CTX_get_session_cache_mode}: the {@code SSL_SESS_CACHE_} bits. */
    public long sessionCacheMode() {
        return ref.use(this, SslMacros::SSL_CTX_get_session_cache_mode);
    }

    /**
     * Turns the server's session-ID cache on or off now ({@code SSL_CTX_set_session_cache_mode} with
     * {@code SSL_SESS_CACHE_SERVER} or {@code SSL_SESS_CACHE_OFF}); see {@link Builder#serverSessionCache}.
     * Sessions already cached stay until they expire but are no longer looked up once it is off.
     */
    public void setServerSessionCache(boolean enabled) {
        ref.perform(this, ctx -> SslMacros.SSL_CTX_set_session_cache_mode(ctx,
                enabled ? LibSsl.SSL_SESS_CACHE_SERVER : LibSsl.SSL_SESS_CACHE_OFF));
    }

    /**
     * Whether stateless tickets can reach the ticket callbacks: false when {@code SSL_OP_NO_TICKET} is
     * set on the context, which makes OpenSSL send no TLS 1.2 tickets and only stateful TLS 1.3 ones
     * (docs/openssl-behaviour.md#when-the-decrypt-callback-runs). A connection can still change its
     * own options; this reads the context's.
     */
    public boolean ticketsEffective() {
        return (options() & LibSsl.SSL_OP_NO_TICKET) == 0;
    }

    /**
     * What this native context's ticket callbacks have done so far: tickets generated, decrypt calls
     * by status, returns by kind, callback failures. Shared by every handle on the same {@code SSL_CTX}.
     */
    public TicketStats ticketStats() {
        ref.checkOpen();
        return callbacks.stats();
    }

    /**
     * What this native context's ticket key callback ({@link #setTicketKeyCallback}) has done so far,
     * by key name: tickets sealed, opened and renewed under each key, and tickets under names the
     * callback did not know. Shared by every handle on the same {@code SSL_CTX}; holds no key material.
     */
    public TicketKeyStats ticketKeyStats() {
        ref.checkOpen();
        return callbacks.keyStats();
    }

    /**
     * Receives each exception a ticket callback threw that did not fail a call of ours: one whose
     * fallback let the handshake go on, or one thrown while another library drove the handshake.
     * By default they are logged through {@link System.Logger} at WARNING. The listener belongs to the
     * native context, like the callbacks: every handle on the same {@code SSL_CTX} shares it.
     */
    public void setCallbackFailureListener(Consumer<Throwable> listener) {
        Objects.requireNonNull(listener, "listener");
        ref.checkOpen();
        callbacks.failureListener = listener;
    }

    /**
     * Drops this handle's reference to the context ({@code SSL_CTX_free}); OpenSSL frees it when its
     * last reference goes. A borrowed handle first removes the callbacks it installed that are still in
     * place. Idempotent.
     */
    @Override
    public void close() {
        if (role != Role.BORROWED) {
            callbacks.ownerHandleClosed(); // a connection's free may now free the context
            closeHandle();
            return;
        }
        if (!isClosing()) {
            try {
                ref.perform(this, ctx -> {
                    callbacks.removeTickets(ctx, installer);
                    callbacks.removeKeys(ctx, installer);
                    callbacks.removeClientHello(ctx, installer);
                });
            } catch (IllegalStateException alreadyClosed) {
                // Another thread closed it first and did the removal, or the owner freed the context.
            }
        }
        callbacks.removeView(ref);
        closeHandle(); // a view: ends this handle's use
    }


    /**
     * For logs: "{@code SslContext[server, owned, open 0x55d1c2a0]}" (or {@code client}; "{@code
     * SslContext[borrowed, open 0x…]}" for a borrowed one; {@code closed} once this handle is closed,
     * without the address). No key or other secret.
     */
    @Override
    public String toString() {
        return ref.describe("SslContext", role == Role.BORROWED ? null : role.name().toLowerCase(java.util.Locale.ROOT));
    }

    private static void checkTicketKeys(byte[] keys) {
        Objects.requireNonNull(keys, "keys");
        if (keys.length != TICKET_KEYS_LENGTH) {
            throw new IllegalArgumentException("ticket keys are 80 bytes (name 16, HMAC 32, AES 32), not "
                    + keys.length);
        }
    }

    /** Builds a server or client context. Each setting is applied in {@link #build()}. */
    public static final class Builder {
        private final boolean server;
        private String certificatePem;
        private String privateKeyPem;
        private char[] password;
        private TlsVersion minVersion;
        private TlsVersion maxVersion;
        private Boolean sessionCache;
        private Integer numTickets;
        private byte[] ticketKeys;
        private List<String> alpnProtocols;
        private boolean sessionIdContextFromCertificate;

        private Builder(boolean server) {
            this.server = server;
        }

        /**
         * The certificate chain and its unencrypted private key, PEM text. The chain is the server's own
         * certificate first, then the intermediates that lead to the root, as nginx's
         * {@code ssl_certificate} and Let's Encrypt's {@code fullchain.pem} hold them; the server sends
         * them all. Loaded as {@code SSL_CTX_use_certificate_chain_file} loads a file, but from memory:
         * {@code PEM_read_bio_X509} in a loop, {@code SSL_CTX_use_certificate} for the first,
         * {@code SSL_CTX_add1_chain_cert} for each other (the context takes its own reference to each
         * certificate), then {@code PEM_read_bio_PrivateKey}. An encrypted key fails with a clear
         * error; never a prompt.
         */
        public Builder certificate(String certificateChainPem, String privateKeyPem) {
            return certificate(certificateChainPem, privateKeyPem, null);
        }

        /**
         * {@link #certificate(String, String)} with a private key that may be encrypted with
         * {@code password} ({@code PEM_read_bio_PrivateKey} with the password as its {@code u} argument).
         * The password is copied and the copy wiped after use; null means "the key is not encrypted".
         */
        public Builder certificate(String certificateChainPem, String privateKeyPem, char[] password) {
            this.certificatePem = boundedPem(certificateChainPem, "certificateChainPem");
            this.privateKeyPem = boundedPem(privateKeyPem, "privateKeyPem");
            this.password = password == null ? null : password.clone();
            return this;
        }

        /**
         * {@link #certificate(String, String)} from PEM files, as Netty's
         * {@code SslContextBuilder.forServer(File keyCertChainFile, File keyFile)} takes them; the files
         * are read now, boundedly ({@link SmallFiles}, at most {@value #MAX_PEM_FILE_BYTES} bytes each:
         * a FIFO or a device is refused at once). OpenSSL checks their content in {@link #build()}.
         *
         * @throws IOException naming the file and the reason it cannot be read
         */
        public Builder certificate(Path certificateChainFile, Path privateKeyFile) throws IOException {
            return certificate(certificateChainFile, privateKeyFile, null);
        }

        /**
         * {@link #certificate(Path, Path)} with a key encrypted with {@code password}; null for none.
         *
         * @throws IOException naming the file and the reason it cannot be read, or why it is not PEM: DER
         *     or PKCS#7, with the openssl command that converts it
         */
        public Builder certificate(Path certificateChainFile, Path privateKeyFile, char[] password) throws IOException {
            String chain = pemFile(certificateChainFile, "the certificate chain file", "x509");
            String key = pemFile(privateKeyFile, "the private key file", "pkey");
            return certificate(chain, key, password);
        }

        /**
         * The most {@link #certificate(Path, Path)} reads of each file, and the most characters each PEM
         * {@link #certificate(String, String)} takes: a chain of many certificates is far less.
         */
        public static final int MAX_PEM_FILE_BYTES = 1 << 20;

        /**
         * The text of a PEM file (bytes outside ASCII kept one char each: they can only be comments, which
         * OpenSSL skips). DER (an ASN.1 SEQUENCE, 0x30, without a -----BEGIN line) and a PKCS#7 bundle are
         * refused with the command that converts them; {@code tool} is {@code x509} or {@code pkey}.
         */
        private static String pemFile(Path file, String what, String tool) throws IOException {
            byte[] bytes = SmallFiles.read(file, MAX_PEM_FILE_BYTES, what);
            try {
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                if (!text.contains("-----BEGIN ") && bytes.length > 0 && bytes[0] == 0x30) {
                    throw new IOException(what + " " + file + " is not PEM (no -----BEGIN line); it looks like DER;"
                            + " convert with openssl " + tool + " -inform DER -in " + file + " -out "
                            + (tool.equals("x509") ? "cert.pem" : "key.pem"));
                }
                if (tool.equals("x509") && text.contains(Pem.PKCS7_BEGIN) && !text.contains("CERTIFICATE-----")) {
                    throw new IOException(Pem.pkcs7(what + " " + file, file.toString()));
                }
                return text;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }

        private static String boundedPem(String pem, String name) {
            Objects.requireNonNull(pem, name);
            if (pem.length() > MAX_PEM_FILE_BYTES) {
                throw new IllegalArgumentException(name + " is " + pem.length() + " characters, more than the "
                        + MAX_PEM_FILE_BYTES + " a PEM certificate chain or key may hold");
            }
            return pem;
        }

        /** {@link #certificate} with a fresh self-signed certificate for "localhost". */
        public Builder selfSignedCertificate() {
            SelfSignedCertificate generated = SelfSignedCertificate.generate("localhost");
            return certificate(generated.certificatePem(), generated.privateKeyPem());
        }

        /** Only this protocol version (min and max, {@code SSL_CTX_set_min/max_proto_version}). */
        public Builder protocol(TlsVersion version) {
            return protocols(version, version);
        }

        /** The range of protocol versions ({@code SSL_CTX_set_min_proto_version}, {@code _max_}). */
        public Builder protocols(TlsVersion min, TlsVersion max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.compareTo(max) > 0) {
                throw new IllegalArgumentException("min protocol " + min + " is above max " + max);
            }
            this.minVersion = min;
            this.maxVersion = max;
            return this;
        }

        /**
         * Turns the server's session-ID cache on or off ({@code SSL_CTX_set_session_cache_mode} with
         * {@code SSL_SESS_CACHE_SERVER} or {@code SSL_SESS_CACHE_OFF}). Not called, the context keeps
         * OpenSSL's default: on (OpenSSL's own size and lifetime, 20,480 sessions for up to 2 hours, in
         * this process's memory). The cache resumes TLS 1.2 clients that offer a session ID and no
         * ticket (curl 7.88 is one), as nginx's {@code ssl_session_cache} does; such a resumption never
         * reaches the ticket callbacks, so a policy in the decryptor does not apply to it. Turn the
         * cache off to make every resumption go through a ticket and its callbacks. TLS 1.3 resumes
         * through stateless tickets only while {@code SSL_OP_NO_TICKET} is unset; with it set, OpenSSL
         * issues stateful TLS 1.3 tickets that resume from this cache, again without the decrypt
         * callback. {@link SslContext#sessionCacheMode()} reads the mode back.
         */
        public Builder serverSessionCache(boolean enabled) {
            this.sessionCache = enabled;
            return this;
        }

        /** {@code SSL_CTX_set_num_tickets}: see {@link SslContext#setNumTickets(int)}. */
        public Builder numTickets(int count) {
            checkNumTickets(count);
            this.numTickets = count;
            return this;
        }

        /** {@code SSL_CTX_set_tlsext_ticket_keys}: see {@link SslContext#setTicketKeys(byte[])}. */
        public Builder ticketKeys(byte[] keys) {
            checkTicketKeys(keys);
            this.ticketKeys = keys.clone();
            return this;
        }

        /**
         * ALPN protocols (such as "h2", "http/1.1"), in order of preference. A client offers them
         * ({@code SSL_CTX_set_alpn_protos}); a server chooses the first of its own that the client
         * offered ({@code SSL_CTX_set_alpn_select_cb}), and answers without ALPN when none is in common.
         * {@link Ssl#alpnProtocol()} tells what was chosen.
         *
         * @throws IllegalArgumentException for an empty list, a name empty or over 255 bytes, or a list
         *     whose ALPN extension would not fit in a ClientHello's
         *     {@linkplain TicketSizeLimits#MAX_CLIENT_HELLO_EXTENSIONS extensions}
         */
        public Builder alpnProtocols(String... protocols) {
            List<String> list = List.of(protocols);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("ALPN needs at least one protocol name");
            }
            long listBytes = 0;
            for (String protocol : list) {
                int length = protocol.getBytes(StandardCharsets.UTF_8).length;
                if (length == 0 || length > 255) {
                    throw new IllegalArgumentException("an ALPN protocol name is 1 to 255 bytes, not " + length
                            + " ('" + protocol + "')");
                }
                listBytes += 1 + length;
            }
            // The extension: 2-byte type, 2-byte length, 2-byte list length, then the list (RFC 7301).
            long extensionBytes = 6 + listBytes;
            if (extensionBytes > TicketSizeLimits.MAX_CLIENT_HELLO_EXTENSIONS) {
                throw new IllegalArgumentException(list.size() + " ALPN protocol names encode to " + listBytes
                        + " bytes, an extension of " + extensionBytes + " bytes, over the "
                        + TicketSizeLimits.MAX_CLIENT_HELLO_EXTENSIONS + " bytes a ClientHello has for all its"
                        + " extensions");
            }
            this.alpnProtocols = list;
            return this;
        }

        /**
         * Sets the session-ID context to the SHA-256 of the certificate's DER encoding
         * ({@code SSL_CTX_set_session_id_context}), as h2o and HAProxy do: OpenSSL then resumes a ticket
         * (and a session-ID cache entry) only at a context with the same certificate, even when ticket
         * keys are shared. See {@link SslContext#setSessionIdContext(byte[])}. Servers only.
         */
        public Builder sessionIdContextFromCertificate() {
            if (!server) {
                throw new IllegalStateException("a session-ID context is a server setting");
            }
            this.sessionIdContextFromCertificate = true;
            return this;
        }

        public SslContext build() {
            OpenSsl.ensureLoaded();
            if (server && certificatePem == null) {
                throw new IllegalStateException("a server context needs certificate(...) or selfSignedCertificate()");
            }
            OPENSSL.ERR_clear_error();
            long ctx = OPENSSL.SSL_CTX_new(server ? OPENSSL.TLS_server_method() : OPENSSL.TLS_client_method());
            if (ctx == 0) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_new failed");
            }
            SslContext context = new SslContext(ctx, server ? Role.SERVER : Role.CLIENT);
            try {
                configure(context);
            } catch (RuntimeException e) {
                context.close();
                throw e;
            }
            return context;
        }

        private void configure(SslContext context) {
            long ctx = context.pointer(); // valid: the context is not yet shared, so nobody else can close it
            if (minVersion != null) {
                check(SslMacros.SSL_CTX_set_min_proto_version(ctx, minVersion.code()), "SSL_CTX_set_min_proto_version");
                check(SslMacros.SSL_CTX_set_max_proto_version(ctx, maxVersion.code()), "SSL_CTX_set_max_proto_version");
            }
            if (sessionCache != null) {
                SslMacros.SSL_CTX_set_session_cache_mode(ctx,
                        sessionCache ? LibSsl.SSL_SESS_CACHE_SERVER : LibSsl.SSL_SESS_CACHE_OFF);
            }
            if (numTickets != null) {
                context.setNumTickets(numTickets);
            }
            if (ticketKeys != null) {
                context.setTicketKeys(ticketKeys);
            }
            if (certificatePem != null) {
                byte[] der = Pem.useCertificateAndKey(ctx, certificatePem, privateKeyPem, password);
                if (sessionIdContextFromCertificate) {
                    context.setSessionIdContext(Pem.sha256(der));
                }
            }
            if (alpnProtocols != null) {
                if (server) {
                    context.callbacks.install(ctx, new NativeCallbacks.AlpnSelect(alpnProtocols));
                } else {
                    ByteArrayOutputStream wire = new ByteArrayOutputStream();
                    for (String protocol : alpnProtocols) {
                        byte[] name = protocol.getBytes(StandardCharsets.UTF_8);
                        wire.write(name.length);
                        wire.writeBytes(name);
                    }
                    byte[] protos = wire.toByteArray();
                    if (OPENSSL.SSL_CTX_set_alpn_protos(ctx, protos, protos.length) != 0) { // 0 is success here
                        throw OpenSslException.fromErrorQueue("SSL_CTX_set_alpn_protos failed");
                    }
                }
            }
        }

        private static void check(long result, String call) {
            if (result != 1) {
                throw OpenSslException.fromErrorQueue(call + " failed");
            }
        }
    }
}
