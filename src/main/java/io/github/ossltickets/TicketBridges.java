package io.github.ossltickets;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.SSL_CTX_decrypt_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_CTX_generate_session_ticket_fn;
import io.github.ossltickets.ffi.TicketKeyEvpCallback;

import java.util.Optional;

/**
 * The objects OpenSSL calls: each holds one user callback, catches every {@link Throwable}, and
 * returns a fail-closed value to OpenSSL. JNA's own handler would only log an exception and return 0.
 * The context's {@link ContextCallbacks} keeps them reachable while OpenSSL can call them.
 */
final class TicketBridges {
    private TicketBridges() {}

    private static final byte[] NO_KEY_NAME = new byte[0];
    /** App data above this size is checked against OpenSSL's ticket limit, so a failure can say why. */
    private static final int LARGE_APP_DATA = 32 * 1024;
    /** OpenSSL sends no ticket for a session whose i2d encoding exceeds this (construct_stateless_ticket). */
    private static final int MAX_ENCODED_SESSION = 0xFF00;

    /** {@code SSL_CTX_generate_session_ticket_fn} → {@link TicketGenerator}. Failure returns 0. */
    static final class Generate implements SSL_CTX_generate_session_ticket_fn {
        private final ContextCallbacks callbacks;
        private final TicketGenerator generator;

        Generate(ContextCallbacks callbacks, TicketGenerator generator) {
            this.callbacks = callbacks;
            this.generator = generator;
        }

        @Override
        public int callback(long s, Pointer arg) {
            Ssl connection = null;
            SslSession session = null;
            try {
                connection = callbacks.connection(s);
                long ss = LibSsl.SSL_get_session(s);
                if (ss == 0) {
                    throw new TicketCallbackException("SSL_get_session returned NULL while making a ticket");
                }
                session = SslSession.borrowed(ss);
                if (!generator.onNewTicket(connection, session)) {
                    return 0;
                }
                explainOversizedTicket(s, session);
                return 1;
            } catch (Throwable failure) {
                callbacks.fail(s, failure);
                return 0;
            } finally {
                if (session != null) {
                    session.invalidate();
                }
                if (connection != null) {
                    connection.invalidate();
                }
            }
        }

        /** OpenSSL's own error for a too-large session is a bare "internal error"; say what happened. */
        private void explainOversizedTicket(long s, SslSession session) {
            int appDataLength = session.ticketAppDataLength();
            if (appDataLength > LARGE_APP_DATA) {
                int encoded = session.encodedLength();
                if (encoded > MAX_ENCODED_SESSION) {
                    callbacks.diagnose(s, "the session with " + appDataLength + " bytes of ticket app data encodes to "
                            + encoded + " bytes, over the " + MAX_ENCODED_SESSION
                            + " bytes OpenSSL puts in a ticket, so OpenSSL sends no ticket (internal_error)");
                }
            }
        }
    }

    /** {@code SSL_CTX_decrypt_session_ticket_fn} → {@link TicketDecryptor}. Failure returns the fallback. */
    static final class Decrypt implements SSL_CTX_decrypt_session_ticket_fn {
        private final ContextCallbacks callbacks;
        private final TicketDecryptor decryptor;
        private final TicketReturn fallback;

        Decrypt(ContextCallbacks callbacks, TicketDecryptor decryptor, TicketReturn fallback) {
            this.callbacks = callbacks;
            this.decryptor = decryptor;
            this.fallback = fallback;
        }

        @Override
        public int callback(long s, long ss, Pointer keyname, long keynameLength, int status, Pointer arg) {
            Ssl connection = null;
            SslSession session = null;
            try {
                TicketStatus ticketStatus = TicketStatus.fromCode(status);
                byte[] keyName = keynameLength <= 0 || keyname == null ? NO_KEY_NAME.clone()
                        : keyname.getByteArray(0, Math.toIntExact(keynameLength));
                connection = callbacks.connection(s);
                session = ss == 0 ? null : SslSession.borrowed(ss);
                TicketReturn decision = decryptor.decide(connection, Optional.ofNullable(session), keyName,
                        ticketStatus);
                if (decision == null) {
                    callbacks.fail(s, new TicketCallbackException("TicketDecryptor returned null for status "
                            + ticketStatus + "; a missing decision is passed to OpenSSL as"
                            + " SSL_TICKET_RETURN_ABORT, which fails the handshake"));
                    return TicketReturn.ABORT.code();
                }
                if (decision.resumes() && !ticketStatus.isSuccess()) {
                    callbacks.fail(s, new TicketCallbackException("TicketDecryptor returned " + decision
                            + " for status " + ticketStatus + ": OpenSSL accepts USE and USE_RENEW only for"
                            + " SUCCESS and SUCCESS_RENEW, and fails the handshake otherwise"));
                }
                return decision.code();
            } catch (Throwable failure) {
                callbacks.fail(s, failure);
                return fallback.code();
            } finally {
                if (session != null) {
                    session.invalidate();
                }
                if (connection != null) {
                    connection.invalidate();
                }
            }
        }
    }

    /** The EVP ticket key callback → {@link TicketKeyCallback}. Failure returns -1, a fatal error. */
    static final class Key implements TicketKeyEvpCallback {
        private static final int IV_LENGTH = 16; // AES-CBC
        private final ContextCallbacks callbacks;
        private final TicketKeyCallback keys;

        Key(ContextCallbacks callbacks, TicketKeyCallback keys) {
            this.callbacks = callbacks;
            this.keys = keys;
        }

        @Override
        public int callback(long s, Pointer keyName, Pointer iv, long cipherCtx, long hmacCtx, int enc) {
            Ssl connection = null;
            try {
                connection = callbacks.connection(s);
                return enc == 1 ? seal(connection, keyName, iv, cipherCtx, hmacCtx)
                        : open(connection, keyName, iv, cipherCtx, hmacCtx);
            } catch (Throwable failure) {
                callbacks.fail(s, failure);
                return -1;
            } finally {
                if (connection != null) {
                    connection.invalidate();
                }
            }
        }

        private int seal(Ssl connection, Pointer keyName, Pointer iv, long cipherCtx, long hmacCtx) {
            Optional<TicketKey> chosen = keys.keyForNewTicket(connection);
            if (chosen == null) {
                throw new TicketCallbackException("TicketKeyCallback.keyForNewTicket returned null; return"
                        + " Optional.empty() to send no ticket");
            }
            if (chosen.isEmpty()) {
                return 0;
            }
            TicketKey key = chosen.get();
            byte[] freshIv = new byte[IV_LENGTH];
            if (LibCrypto.RAND_bytes(freshIv, IV_LENGTH) != 1) {
                throw OpenSslException.fromErrorQueue("RAND_bytes for the ticket IV failed");
            }
            keyName.write(0, key.nameView(), 0, TicketKey.NAME_LENGTH);
            iv.write(0, freshIv, 0, IV_LENGTH);
            initialize(key, iv, cipherCtx, hmacCtx, 1);
            return 1;
        }

        private int open(Ssl connection, Pointer keyName, Pointer iv, long cipherCtx, long hmacCtx) {
            TicketKeyCallback.Lookup lookup = keys.findKey(connection, keyName.getByteArray(0, TicketKey.NAME_LENGTH));
            if (lookup == null) {
                throw new TicketCallbackException("TicketKeyCallback.findKey returned null; return"
                        + " Lookup.notFound() for an unknown key");
            }
            Optional<TicketKey> key = lookup.key();
            if (key.isEmpty()) {
                return 0;
            }
            initialize(key.get(), iv, cipherCtx, hmacCtx, 0);
            return lookup.renew() ? 2 : 1;
        }

        private static void initialize(TicketKey key, Pointer iv, long cipherCtx, long hmacCtx, int enc) {
            byte[] aes = key.aesKeyView();
            long cipher = aes.length == 32 ? LibCrypto.EVP_aes_256_cbc() : LibCrypto.EVP_aes_128_cbc();
            if (LibCrypto.EVP_CipherInit_ex(cipherCtx, cipher, null, aes, iv, enc) != 1) {
                throw OpenSslException.fromErrorQueue("EVP_CipherInit_ex for the ticket key failed");
            }
            byte[] hmac = key.hmacKeyView();
            if (LibCrypto.EVP_MAC_init(hmacCtx, hmac, hmac.length, HmacSha256.PARAMS) != 1) {
                throw OpenSslException.fromErrorQueue("EVP_MAC_init for the ticket HMAC key failed");
            }
        }
    }

    /** The {@code OSSL_PARAM} array {digest = "SHA256"} for {@code EVP_MAC_init}, built once and never freed. */
    private static final class HmacSha256 {
        /** OSSL_PARAM_BLD keeps a pointer to the key, not a copy: this memory must live forever. */
        private static final Memory KEY = cString("digest");
        private static final Memory VALUE = cString("SHA256");
        static final long PARAMS = build();

        private static long build() {
            long builder = LibCrypto.OSSL_PARAM_BLD_new();
            try {
                long params = builder == 0 || LibCrypto.OSSL_PARAM_BLD_push_utf8_string(builder, KEY, VALUE, 0) != 1
                        ? 0 : LibCrypto.OSSL_PARAM_BLD_to_param(builder);
                if (params == 0) {
                    throw OpenSslException.fromErrorQueue("building OSSL_PARAM {digest=SHA256} failed");
                }
                return params;
            } finally {
                LibCrypto.OSSL_PARAM_BLD_free(builder);
            }
        }

        private static Memory cString(String s) {
            byte[] c = OpenSslException.NativeStrings.toC(s);
            Memory memory = new Memory(c.length);
            memory.write(0, c, 0, c.length);
            return memory;
        }
    }
}
