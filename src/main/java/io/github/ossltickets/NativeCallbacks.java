package io.github.ossltickets;

import io.github.ossltickets.ffi.CRYPTO_EX_free;
import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.SSL_CTX_decrypt_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_CTX_alpn_select_cb_func;
import io.github.ossltickets.ffi.SSL_CTX_generate_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_client_hello_cb_fn;
import io.github.ossltickets.ffi.SslMessageCallback;
import io.github.ossltickets.ffi.TicketKeyEvpCallback;
import io.github.ossltickets.ffi.pem_password_cb;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * Every object OpenSSL calls: each implementation of a callback typedef of {@code ffi} is defined
 * here, and nowhere else, so that what native code can call into is read in one file. The logic a
 * callback delegates to stays where it belongs ({@link ContextCallbacks}, {@link HandshakeState},
 * {@link CallFrame}); only the objects handed to OpenSSL live here. Each one that runs user code or
 * reads native memory catches every {@link Throwable} and returns a fail-closed value to OpenSSL:
 * JNA's own handler would only log an exception and return 0, and an FFM upcall that threw would end
 * the JVM (the FFM backend's stubs return the typedef's failing value as a last guard).
 *
 * <p>Two lifetimes:
 * <ul>
 * <li>Process-wide, in static fields: the ex_data free callbacks of contexts and connections, the
 * message callback, the PEM password callback. OpenSSL keeps their function pointers for the life of
 * the process (an ex_data index is never unregistered; any connection may keep the message callback),
 * so a static field holds each forever and the GC can never free one that OpenSSL may still call.
 * (The password callback is needed only during its call; one object for all calls also means one
 * native stub.)</li>
 * <li>Per context: the ticket, key, ClientHello and ALPN bridges, one of each kind per native
 * {@code SSL_CTX}, held by its {@link ContextCallbacks} and released when OpenSSL frees the context
 * (see there). Each reads the user callback installed now, lends it the connection and session, and
 * ends the loans when it returns.</li>
 * </ul>
 */
final class NativeCallbacks {
    private NativeCallbacks() {}

    /**
     * {@code CRYPTO_EX_free} for contexts: OpenSSL frees an {@code SSL_CTX} (any in the process).
     * {@link ContextCallbacks#contextFreed} ends what the context's Java side holds.
     */
    static final CRYPTO_EX_free CONTEXT_FREED = (parent, ptr, ad, idx, argl, argp) ->
            ContextCallbacks.contextFreed(ptr);

    /** {@code CRYPTO_EX_free} for connections: {@link HandshakeState#connectionFreed} drops the state. */
    static final CRYPTO_EX_free CONNECTION_FREED = (parent, ptr, ad, idx, argl, argp) ->
            HandshakeState.connectionFreed(ptr);

    /**
     * {@code SSL_set_msg_callback}, one for every connection: records NewSessionTicket messages and
     * alerts into the {@link MessageLog} of the connection our call drives on this thread.
     */
    static final SslMessageCallback MESSAGE = (writeP, version, contentType, buf, len, ssl, arg) -> {
        try {
            CallFrame frame = CallFrame.of(ssl);
            MessageLog log = frame == null ? null : frame.ssl.messageLog();
            if (log != null && len >= 2) {
                byte[] firstTwo = OPENSSL.bytes(buf, 2);
                log.record(writeP == 1, contentType, firstTwo[0] & 0xff, firstTwo[1] & 0xff);
            }
        } catch (Throwable ignored) {
            // Counting must never disturb the handshake; nothing here can fail short of an Error.
        }
    };

    /**
     * The PEM password callback given when no password is: OpenSSL's default would prompt on the
     * terminal and block the JVM (docs/openssl-behaviour.md#lifetimes-openssl-imposes).
     */
    static final pem_password_cb NO_PASSWORD = (buf, size, rwflag, userdata) -> -1;

    private static final byte[] NO_KEY_NAME = new byte[0];

    /** What the bridges that run user callbacks share: their context, and where a failure goes. */
    private abstract static class Bridge {
        final ContextCallbacks callbacks;

        Bridge(ContextCallbacks callbacks) {
            this.callbacks = callbacks;
        }

        /** The connection our Java call drives, or, when another library drives it, one lent for this callback. */
        static Ssl connection(CallFrame frame, long s) {
            return frame != null ? frame.ssl : Ssl.lent(s);
        }

        /** Ends what this callback lent out, so that a kept reference throws instead of touching freed memory. */
        static void endLoans(CallFrame frame, Ssl connection, SslSession session) {
            if (session != null) {
                session.endLoan();
            }
            if (frame == null && connection != null) {
                connection.endLoan();
            }
        }

        /**
         * Keeps the failure for the call that drives the connection, or reports it when no call of ours
         * will. Never throws: an Error while recording (OutOfMemoryError) must not stop the bridge from
         * returning its fail-closed value to OpenSSL.
         */
        void fail(CallFrame frame, Throwable failure) {
            try {
                callbacks.failures.increment();
                if (frame != null) {
                    frame.fail(failure, callbacks::report);
                } else {
                    callbacks.report(failure);
                }
            } catch (Throwable whileRecording) {
                // The handshake still fails closed; only the explanation is lost.
            }
        }
    }

    /** {@code SSL_CTX_generate_session_ticket_fn} → {@link TicketGenerator}. Failure returns 0. */
    static final class Generate extends Bridge implements SSL_CTX_generate_session_ticket_fn {
        Generate(ContextCallbacks callbacks) {
            super(callbacks);
        }

        @Override
        public int callback(long s, long arg) {
            ContextCallbacks.Tickets tickets = callbacks.tickets;
            if (tickets == null) {
                return 1; // removed while this handshake ran: what OpenSSL does without a callback
            }
            CallFrame frame = CallFrame.of(s);
            Ssl connection = null;
            SslSession session = null;
            try {
                connection = connection(frame, s);
                long ss = OPENSSL.SSL_get_session(s);
                if (ss == 0) {
                    throw new TicketCallbackException("SSL_get_session returned NULL while making a ticket");
                }
                session = SslSession.lent(ss);
                if (!tickets.generator().onNewTicket(connection, session)) {
                    if (frame != null) {
                        frame.diagnose("the TicketGenerator returned false, which tells OpenSSL to fail the"
                                + " handshake instead of sending a ticket");
                    }
                    return 0;
                }
                explainOversizedTicket(frame, session);
                callbacks.generated.increment();
                return 1;
            } catch (Throwable failure) {
                fail(frame, failure);
                return 0;
            } finally {
                endLoans(frame, connection, session);
            }
        }

        /** OpenSSL's own error for a too-large session is a bare "internal error"; say what happened. */
        private static void explainOversizedTicket(CallFrame frame, SslSession session) {
            // Only app data set in this callback can be too large: what a renewed session carries fit before.
            int appDataLength = session.appDataLengthSetHere();
            if (frame != null && appDataLength > TicketSizeLimits.LARGE_APP_DATA) {
                int encoded = session.encodedLength();
                if (encoded > TicketSizeLimits.MAX_ENCODED_SESSION) {
                    frame.diagnose("the session with " + appDataLength + " bytes of ticket app data encodes to "
                            + encoded + " bytes, over the " + TicketSizeLimits.MAX_ENCODED_SESSION
                            + " bytes OpenSSL puts in a ticket, so OpenSSL sends no ticket (internal_error)");
                }
            }
        }
    }

    /** {@code SSL_CTX_decrypt_session_ticket_fn} → {@link TicketDecryptor}. Failure returns the fallback. */
    static final class Decrypt extends Bridge implements SSL_CTX_decrypt_session_ticket_fn {
        Decrypt(ContextCallbacks callbacks) {
            super(callbacks);
        }

        @Override
        public int callback(long s, long ss, long keyname, long keynameLength, int status, long arg) {
            ContextCallbacks.Tickets tickets = callbacks.tickets;
            if (tickets == null) {
                // Removed while this handshake ran: OpenSSL's own default for the status.
                return status == LibSsl.SSL_TICKET_SUCCESS ? LibSsl.SSL_TICKET_RETURN_USE
                        : status == LibSsl.SSL_TICKET_SUCCESS_RENEW ? LibSsl.SSL_TICKET_RETURN_USE_RENEW
                        : LibSsl.SSL_TICKET_RETURN_IGNORE_RENEW;
            }
            CallFrame frame = CallFrame.of(s);
            Ssl connection = null;
            SslSession session = null;
            try {
                TicketStatus ticketStatus = TicketStatus.fromCode(status);
                callbacks.countDecrypt(ticketStatus);
                byte[] keyName = keynameLength <= 0 || keyname == 0 ? NO_KEY_NAME.clone()
                        : OPENSSL.bytes(keyname, Math.toIntExact(keynameLength));
                connection = connection(frame, s);
                session = ss == 0 ? null : SslSession.lent(ss);
                TicketReturn decision = tickets.decryptor().decide(connection, Optional.ofNullable(session), keyName,
                        ticketStatus);
                if (decision == null) {
                    fail(frame, new TicketCallbackException("TicketDecryptor returned null for status "
                            + ticketStatus + "; a missing decision is passed to OpenSSL as"
                            + " SSL_TICKET_RETURN_ABORT, which fails the handshake"));
                    return callbacks.countReturn(TicketReturn.ABORT.code());
                }
                if (decision.resumes() && !ticketStatus.isSuccess()) {
                    fail(frame, new TicketCallbackException("TicketDecryptor returned " + decision
                            + " for status " + ticketStatus + ": OpenSSL accepts USE and USE_RENEW only for"
                            + " SUCCESS and SUCCESS_RENEW, and fails the handshake otherwise"));
                } else if (decision == TicketReturn.ABORT && frame != null) {
                    frame.diagnose("the TicketDecryptor returned ABORT for status " + ticketStatus
                            + ", which tells OpenSSL to fail the handshake");
                }
                return callbacks.countReturn(decision.code());
            } catch (Throwable failure) {
                fail(frame, failure);
                return callbacks.countReturn(tickets.fallback().code());
            } finally {
                endLoans(frame, connection, session);
            }
        }
    }

    /**
     * {@code SSL_client_hello_cb_fn} → {@link ClientHelloCallback}. Before the user's callback it copies
     * what the ClientHello said into the connection's {@link HandshakeState}, for the ticket callbacks
     * that follow. Failure (a Throwable, or null) returns {@code SSL_CLIENT_HELLO_ERROR} with
     * internal_error; the {@link ClientHello} view ends when this returns.
     */
    static final class ClientHelloBridge extends Bridge implements SSL_client_hello_cb_fn {
        ClientHelloBridge(ContextCallbacks callbacks) {
            super(callbacks);
        }

        @Override
        public int callback(long s, long al, long arg) {
            ContextCallbacks.ClientHellos hellos = callbacks.clientHellos;
            if (hellos == null) {
                return LibSsl.SSL_CLIENT_HELLO_SUCCESS; // removed while this handshake ran
            }
            CallFrame frame = CallFrame.of(s);
            Ssl connection = null;
            ClientHello hello = null;
            try {
                hello = ClientHello.read(s);
                HandshakeState.of(s, true).clientHello = hello.info();
                connection = connection(frame, s);
                ClientHelloDecision decision = hellos.callback().onClientHello(connection, hello);
                if (decision == null) {
                    throw new TicketCallbackException("ClientHelloCallback returned null; return"
                            + " ClientHelloDecision.proceed() or refuse(alert)");
                }
                if (decision.proceeds()) {
                    return LibSsl.SSL_CLIENT_HELLO_SUCCESS;
                }
                if (frame != null) {
                    frame.diagnose("the ClientHelloCallback refused the ClientHello with alert " + decision.alert());
                }
                OPENSSL.writeInt(al, decision.alert());
                return LibSsl.SSL_CLIENT_HELLO_ERROR;
            } catch (Throwable failure) {
                fail(frame, failure);
                try {
                    OPENSSL.writeInt(al, LibSsl.SSL_AD_INTERNAL_ERROR);
                } catch (Throwable ignored) {
                    // OpenSSL's default alert then; the handshake fails closed all the same.
                }
                return LibSsl.SSL_CLIENT_HELLO_ERROR;
            } finally {
                if (hello != null) {
                    hello.end();
                }
                endLoans(frame, connection, null);
            }
        }
    }

    /**
     * {@code SSL_CTX_alpn_select_cb_func}: chooses the first of the server's protocols that the client
     * offered ({@link SslContext.Builder#alpnProtocols}); none in common means no ALPN in the answer
     * (NOACK), as a server without ALPN would do. It runs no user code and cannot fail.
     */
    static final class AlpnSelect implements SSL_CTX_alpn_select_cb_func {
        private final List<byte[]> preference;

        AlpnSelect(List<String> preference) {
            this.preference = preference.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toList();
        }

        @Override
        public int callback(long ssl, long out, long outlen, long in, int inlen, long arg) {
            try {
                byte[] offered = OPENSSL.bytes(in, inlen);
                for (byte[] wanted : preference) {
                    for (int at = 0; at < offered.length; at += 1 + (offered[at] & 0xff)) {
                        int length = offered[at] & 0xff;
                        if (length == wanted.length && at + 1 + length <= offered.length
                                && java.util.Arrays.equals(offered, at + 1, at + 1 + length, wanted, 0, length)) {
                            OPENSSL.writeLong(out, in + at + 1); // into the client's buffer, which OpenSSL copies
                            OPENSSL.write(outlen, new byte[] {(byte) length}, 0, 1);
                            return LibSsl.SSL_TLSEXT_ERR_OK;
                        }
                    }
                }
                return LibSsl.SSL_TLSEXT_ERR_NOACK;
            } catch (Throwable failure) {
                return LibSsl.SSL_TLSEXT_ERR_NOACK;
            }
        }
    }

    /**
     * The EVP ticket key callback → {@link TicketKeyCallback}. Failure returns -1, a fatal error.
     * Counts each key's use in {@link ContextCallbacks#keyCounters}. The IV of a new ticket goes through
     * a per-thread buffer (no user code runs while it is used); the key name read from a ticket is a new
     * array each time, because findKey may itself resume another connection on this thread.
     */
    static final class Key extends Bridge implements TicketKeyEvpCallback {
        private static final int IV_LENGTH = 16; // AES-CBC

        /** Per-thread buffer for the IV of a new ticket: filled and copied out with no user code between. */
        private static final ThreadLocal<byte[]> IV = ThreadLocal.withInitial(() -> new byte[IV_LENGTH]);

        Key(ContextCallbacks callbacks) {
            super(callbacks);
        }

        @Override
        public int callback(long s, long keyName, long iv, long cipherCtx, long hmacCtx, int enc) {
            ContextCallbacks.Keys keys = callbacks.keys;
            if (keys == null) {
                return 0; // removed while this handshake ran: no ticket now, and an unknown key when opening
            }
            CallFrame frame = CallFrame.of(s);
            Ssl connection = null;
            try {
                connection = connection(frame, s);
                return enc == 1 ? seal(keys.callback(), connection, keyName, iv, cipherCtx, hmacCtx)
                        : open(keys.callback(), connection, keyName, iv, cipherCtx, hmacCtx);
            } catch (Throwable failure) {
                fail(frame, failure);
                return -1;
            } finally {
                endLoans(frame, connection, null);
            }
        }

        private int seal(TicketKeyCallback keys, Ssl connection, long keyName, long iv, long cipherCtx,
                long hmacCtx) {
            Optional<TicketKey> chosen = keys.keyForNewTicket(connection);
            if (chosen == null) {
                throw new TicketCallbackException("TicketKeyCallback.keyForNewTicket returned null; return"
                        + " Optional.empty() to send no ticket");
            }
            if (chosen.isEmpty()) {
                callbacks.keyCounters.noTicket();
                return 0;
            }
            TicketKey key = chosen.get();
            byte[] freshIv = IV.get();
            if (OPENSSL.RAND_bytes(freshIv, IV_LENGTH) != 1) {
                throw OpenSslException.fromErrorQueue("RAND_bytes for the ticket IV failed");
            }
            OPENSSL.write(keyName, key.nameView(), 0, TicketKey.NAME_LENGTH);
            OPENSSL.write(iv, freshIv, 0, IV_LENGTH);
            initialize(key, iv, cipherCtx, hmacCtx, 1);
            callbacks.keyCounters.sealed(key);
            return 1;
        }

        private int open(TicketKeyCallback keys, Ssl connection, long keyName, long iv, long cipherCtx,
                long hmacCtx) {
            byte[] name = new byte[TicketKey.NAME_LENGTH]; // the callback's own: a nested findKey gets another
            OPENSSL.read(keyName, name, 0, TicketKey.NAME_LENGTH);
            TicketKeyCallback.Lookup lookup = keys.findKey(connection, name);
            if (lookup == null) {
                throw new TicketCallbackException("TicketKeyCallback.findKey returned null; return"
                        + " Lookup.notFound() for an unknown key");
            }
            TicketKey key = lookup.keyOrNull();
            if (key == null) {
                callbacks.keyCounters.unknownName();
                return 0;
            }
            initialize(key, iv, cipherCtx, hmacCtx, 0);
            callbacks.keyCounters.opened(key, lookup.renew());
            return lookup.renew() ? 2 : 1;
        }

        private static void initialize(TicketKey key, long iv, long cipherCtx, long hmacCtx, int enc) {
            byte[] aes = key.aesKeyView();
            long cipher = aes.length == 32 ? OPENSSL.EVP_aes_256_cbc() : OPENSSL.EVP_aes_128_cbc();
            if (OPENSSL.EVP_CipherInit_ex(cipherCtx, cipher, 0, aes, iv, enc) != 1) {
                throw OpenSslException.fromErrorQueue("EVP_CipherInit_ex for the ticket key failed");
            }
            byte[] hmac = key.hmacKeyView();
            if (OPENSSL.EVP_MAC_init(hmacCtx, hmac, hmac.length, HmacSha256.PARAMS) != 1) {
                throw OpenSslException.fromErrorQueue("EVP_MAC_init for the ticket HMAC key failed");
            }
        }
    }

    /** The {@code OSSL_PARAM} array {digest = "SHA256"} for {@code EVP_MAC_init}, built once and never freed. */
    private static final class HmacSha256 {
        /** OSSL_PARAM_BLD keeps a pointer to the key, not a copy: this memory must live forever. */
        private static final long KEY = cString("digest");
        private static final long VALUE = cString("SHA256");
        static final long PARAMS = build();

        private static long build() {
            long builder = OPENSSL.OSSL_PARAM_BLD_new();
            try {
                long params = builder == 0 || OPENSSL.OSSL_PARAM_BLD_push_utf8_string(builder, KEY, VALUE, 0) != 1
                        ? 0 : OPENSSL.OSSL_PARAM_BLD_to_param(builder);
                if (params == 0) {
                    throw OpenSslException.fromErrorQueue("building OSSL_PARAM {digest=SHA256} failed");
                }
                return params;
            } finally {
                OPENSSL.OSSL_PARAM_BLD_free(builder);
            }
        }

        private static long cString(String s) {
            return OPENSSL.permanentCopy((s + "\0").getBytes(StandardCharsets.UTF_8));
        }
    }
}
