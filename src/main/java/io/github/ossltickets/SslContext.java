package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.SslMacros;

import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.function.Consumer;

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
 * <p>Lifetime: the Java callback objects belong to the context's native-side state. They stay
 * reachable until {@code SSL_CTX_free} and until every {@link Ssl} made from the context is freed,
 * even after {@link #close()}, so OpenSSL never calls into a collected object. Replaced callbacks are
 * kept too, because a handshake on another thread may still be inside them. Thread-safe.
 */
public final class SslContext implements AutoCloseable {
    /** The length {@link #setTicketKeys(byte[])} takes: key name (16), HMAC key (32), AES key (32). */
    public static final int TICKET_KEYS_LENGTH = 80;

    private enum Role { SERVER, CLIENT, BORROWED }

    private final Role role;
    private final State state;
    private final Cleaner.Cleanable cleanable;

    private SslContext(long address, Role role) {
        this.role = role;
        this.state = new State(address, role == Role.BORROWED, new ContextCallbacks(new WeakReference<>(this)));
        this.cleanable = Handles.CLEANER.register(this, state);
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
     * been made by the same libssl. This handle takes its own reference ({@code SSL_CTX_up_ref}) and
     * {@link #close()} drops only that one, never the owner's. Closing it also uninstalls the ticket
     * callbacks installed through it; their Java objects are then kept for the life of the JVM, since
     * another library's handshake may still be running in them.
     */
    public static SslContext borrow(long address) {
        if (address == 0) {
            throw new IllegalArgumentException("cannot borrow a NULL SSL_CTX*");
        }
        OpenSsl.ensureLoaded();
        if (LibSsl.SSL_CTX_up_ref(address) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_up_ref failed");
        }
        return new SslContext(address, Role.BORROWED);
    }

    /** The {@code SSL_CTX*} address, for use with other bindings of the same libssl. */
    public long address() {
        synchronized (state) {
            return live();
        }
    }

    /**
     * A new connection ({@code SSL_new}), in server or client mode as this context was built. The
     * connection keeps this context's callbacks alive until it is freed.
     */
    public Ssl newSsl() {
        synchronized (state) {
            long ctx = live();
            if (role == Role.BORROWED) {
                throw new IllegalStateException("a borrowed SslContext makes no connections; its owner does");
            }
            long ssl = LibSsl.SSL_new(ctx);
            if (ssl == 0) {
                throw OpenSslException.fromErrorQueue("SSL_new failed");
            }
            if (role == Role.SERVER) {
                LibSsl.SSL_set_accept_state(ssl);
            } else {
                LibSsl.SSL_set_connect_state(ssl);
            }
            return Ssl.owned(this, ssl);
        }
    }

    /** {@link #setTicketCallbacks(TicketGenerator, TicketDecryptor, TicketReturn)} with fallback ABORT. */
    public void setTicketCallbacks(TicketGenerator generator, TicketDecryptor decryptor) {
        setTicketCallbacks(generator, decryptor, TicketReturn.ABORT);
    }

    /**
     * Installs the ticket callbacks ({@code SSL_CTX_set_session_ticket_cb}), replacing any before.
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
        synchronized (state) {
            long ctx = live();
            TicketBridges.Generate generate = new TicketBridges.Generate(state.callbacks, generator);
            TicketBridges.Decrypt decrypt = new TicketBridges.Decrypt(state.callbacks, decryptor, fallback);
            state.callbacks.keep(generate, decrypt); // reachable before OpenSSL can call them
            if (LibSsl.SSL_CTX_set_session_ticket_cb(ctx, generate, decrypt, null) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_set_session_ticket_cb failed");
            }
            state.ticketCallbacksInstalled = true;
        }
    }

    /** Uninstalls the ticket callbacks ({@code SSL_CTX_set_session_ticket_cb(ctx, NULL, NULL, NULL)}). */
    public void clearTicketCallbacks() {
        synchronized (state) {
            LibSsl.SSL_CTX_set_session_ticket_cb(live(), null, null, null);
            state.ticketCallbacksInstalled = false;
        }
    }

    /** Installs a ticket key callback ({@code SSL_CTX_set_tlsext_ticket_key_evp_cb}), replacing any before. */
    public void setTicketKeyCallback(TicketKeyCallback keyCallback) {
        Objects.requireNonNull(keyCallback, "keyCallback");
        synchronized (state) {
            long ctx = live();
            TicketBridges.Key bridge = new TicketBridges.Key(state.callbacks, keyCallback);
            state.callbacks.keep(bridge);
            if (LibSsl.SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, bridge) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_set_tlsext_ticket_key_evp_cb failed");
            }
            state.keyCallbackInstalled = true;
        }
    }

    /** Uninstalls the ticket key callback; OpenSSL's built-in keys apply again. */
    public void clearTicketKeyCallback() {
        synchronized (state) {
            LibSsl.SSL_CTX_set_tlsext_ticket_key_evp_cb(live(), null);
            state.keyCallbackInstalled = false;
        }
    }

    /**
     * Sets the built-in ticket keys ({@code SSL_CTX_set_tlsext_ticket_keys}, which copies them): 80 bytes,
     * a 16-byte key name, a 32-byte HMAC key, then a 32-byte AES key.
     */
    public void setTicketKeys(byte[] keys) {
        Objects.requireNonNull(keys, "keys");
        if (keys.length != TICKET_KEYS_LENGTH) {
            throw new IllegalArgumentException("ticket keys are 80 bytes (name 16, HMAC 32, AES 32), not "
                    + keys.length);
        }
        synchronized (state) {
            if (SslMacros.SSL_CTX_set_tlsext_ticket_keys(live(), keys, keys.length) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_set_tlsext_ticket_keys failed");
            }
        }
    }

    /** The built-in ticket keys ({@code SSL_CTX_get_tlsext_ticket_keys}), in the layout of {@link #setTicketKeys}. */
    public byte[] ticketKeys() {
        byte[] keys = new byte[TICKET_KEYS_LENGTH];
        synchronized (state) {
            if (SslMacros.SSL_CTX_get_tlsext_ticket_keys(live(), keys, keys.length) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_get_tlsext_ticket_keys failed");
            }
        }
        return keys;
    }

    /** {@code SSL_CTX_set_num_tickets}: TLS 1.3 tickets sent after a full handshake (OpenSSL's default: 2). */
    public void setNumTickets(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("num_tickets cannot be negative: " + count);
        }
        synchronized (state) {
            if (LibSsl.SSL_CTX_set_num_tickets(live(), count) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_set_num_tickets failed");
            }
        }
    }

    /** {@code SSL_CTX_get_num_tickets}. */
    public int numTickets() {
        synchronized (state) {
            return Math.toIntExact(LibSsl.SSL_CTX_get_num_tickets(live()));
        }
    }

    /**
     * Receives each exception a ticket callback threw that did not fail a call of ours: one whose
     * fallback let the handshake go on, or one thrown while another library drove the handshake.
     * By default they are logged through {@link System.Logger} at WARNING.
     */
    public void setCallbackFailureListener(Consumer<Throwable> listener) {
        state.callbacks.failureListener = Objects.requireNonNull(listener, "listener");
    }

    /** Frees the context ({@code SSL_CTX_free}); a borrowed one drops only its own reference. Idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** What an {@link Ssl} holds to keep this context's callback objects reachable. */
    ContextCallbacks callbacks() {
        return state.callbacks;
    }

    void reportCallbackFailure(Throwable failure) {
        state.callbacks.report(failure);
    }

    private long live() {
        long address = state.address;
        if (address == 0) {
            throw new IllegalStateException("SslContext is closed");
        }
        return address;
    }

    /** The native reference; never refers to the SslContext, so the Cleaner can run. */
    private static final class State implements Runnable {
        volatile long address;
        final boolean borrowed;
        final ContextCallbacks callbacks;
        boolean ticketCallbacksInstalled;
        boolean keyCallbackInstalled;

        State(long address, boolean borrowed, ContextCallbacks callbacks) {
            this.address = address;
            this.borrowed = borrowed;
            this.callbacks = callbacks;
        }

        @Override
        public void run() {
            synchronized (this) {
                long ctx = address;
                address = 0;
                if (ctx == 0) {
                    return;
                }
                if (borrowed && (ticketCallbacksInstalled || keyCallbackInstalled)) {
                    // The owner's SSL_CTX lives on: take our callbacks out, and keep their objects
                    // for any handshake another thread may be running in them right now.
                    if (ticketCallbacksInstalled) {
                        LibSsl.SSL_CTX_set_session_ticket_cb(ctx, null, null, null);
                    }
                    if (keyCallbackInstalled) {
                        LibSsl.SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, null);
                    }
                    callbacks.pinForever();
                }
                LibSsl.SSL_CTX_free(ctx);
            }
        }
    }

    /** Builds a server or client context. Each setting is applied in {@link #build()}. */
    public static final class Builder {
        private final boolean server;
        private String certificatePem;
        private String privateKeyPem;
        private TlsVersion minVersion;
        private TlsVersion maxVersion;
        private Boolean sessionCache;
        private Integer numTickets;
        private byte[] ticketKeys;

        private Builder(boolean server) {
            this.server = server;
        }

        /** The certificate and its private key, PEM text ({@code PEM_read_bio_X509}, {@code PEM_read_bio_PrivateKey}). */
        public Builder certificate(String certificatePem, String privateKeyPem) {
            this.certificatePem = Objects.requireNonNull(certificatePem, "certificatePem");
            this.privateKeyPem = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            return this;
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
         * {@code SSL_SESS_CACHE_SERVER} or {@code SSL_SESS_CACHE_OFF}); OpenSSL's default is on. Turn
         * it off to make every TLS 1.2 resumption go through a ticket.
         */
        public Builder serverSessionCache(boolean enabled) {
            this.sessionCache = enabled;
            return this;
        }

        /** {@code SSL_CTX_set_num_tickets}. */
        public Builder numTickets(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("num_tickets cannot be negative: " + count);
            }
            this.numTickets = count;
            return this;
        }

        /** {@code SSL_CTX_set_tlsext_ticket_keys}: see {@link SslContext#setTicketKeys(byte[])}. */
        public Builder ticketKeys(byte[] keys) {
            Objects.requireNonNull(keys, "keys");
            if (keys.length != TICKET_KEYS_LENGTH) {
                throw new IllegalArgumentException("ticket keys are 80 bytes (name 16, HMAC 32, AES 32), not "
                        + keys.length);
            }
            this.ticketKeys = keys.clone();
            return this;
        }

        public SslContext build() {
            OpenSsl.ensureLoaded();
            if (server && certificatePem == null) {
                throw new IllegalStateException("a server context needs certificate(...) or selfSignedCertificate()");
            }
            LibCrypto.ERR_clear_error();
            long ctx = LibSsl.SSL_CTX_new(server ? LibSsl.TLS_server_method() : LibSsl.TLS_client_method());
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
            long ctx = context.live();
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
                Pem.useCertificateAndKey(ctx, certificatePem, privateKeyPem);
            }
        }

        private static void check(long result, String call) {
            if (result != 1) {
                throw OpenSslException.fromErrorQueue(call + " failed");
            }
        }
    }
}
