package io.github.ossltickets.ffi;

import com.sun.jna.Pointer;

/**
 * Direct mapping of the {@code libssl.so.3} functions and constants the library uses, with their C
 * names. Macros over these functions are in {@link SslMacros}. Registered by
 * {@code io.github.ossltickets.OpenSsl}; see the package documentation.
 */
public final class LibSsl {
    private LibSsl() {}

    /** The versioned file name bound unless the {@code ossltickets.libssl} property names another. */
    public static final String DEFAULT_NAME = "libssl.so.3";

    // SSL_TICKET_STATUS (ssl.h)
    public static final int SSL_TICKET_FATAL_ERR_MALLOC = 0;
    public static final int SSL_TICKET_FATAL_ERR_OTHER = 1;
    public static final int SSL_TICKET_NONE = 2;
    public static final int SSL_TICKET_EMPTY = 3;
    public static final int SSL_TICKET_NO_DECRYPT = 4;
    public static final int SSL_TICKET_SUCCESS = 5;
    public static final int SSL_TICKET_SUCCESS_RENEW = 6;

    // SSL_TICKET_RETURN (ssl.h)
    public static final int SSL_TICKET_RETURN_ABORT = 0;
    public static final int SSL_TICKET_RETURN_IGNORE = 1;
    public static final int SSL_TICKET_RETURN_IGNORE_RENEW = 2;
    public static final int SSL_TICKET_RETURN_USE = 3;
    public static final int SSL_TICKET_RETURN_USE_RENEW = 4;

    // SSL_CTRL_* (ssl.h)
    public static final int SSL_CTRL_SET_SESS_CACHE_MODE = 44;
    public static final int SSL_CTRL_SET_TLSEXT_TICKET_KEYS = 59;
    public static final int SSL_CTRL_GET_TLSEXT_TICKET_KEYS = 58;
    public static final int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
    public static final int SSL_CTRL_SET_MAX_PROTO_VERSION = 124;
    public static final int SSL_CTRL_MODE = 33;
    public static final int SSL_CTRL_GET_SESS_CACHE_MODE = 45;
    public static final int SSL_CTRL_CHAIN_CERT = 89;
    public static final long SSL_OP_NO_TICKET = 1L << 14;
    public static final long SSL_OP_IGNORE_UNEXPECTED_EOF = 1L << 7;
    /** {@code TLSEXT_NAMETYPE_host_name}: the server name type of SNI. */
    public static final int TLSEXT_NAMETYPE_host_name = 0;
    public static final long SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;

    // Other constants
    public static final long SSL_SESS_CACHE_OFF = 0x0000;
    public static final long SSL_SESS_CACHE_SERVER = 0x0002;
    public static final int TLS1_2_VERSION = 0x0303;
    public static final int TLS1_3_VERSION = 0x0304;
    public static final int SSL_ERROR_NONE = 0;
    public static final int SSL_ERROR_SSL = 1;
    public static final int SSL_ERROR_WANT_READ = 2;
    public static final int SSL_ERROR_WANT_WRITE = 3;
    public static final int SSL_ERROR_SYSCALL = 5;
    public static final int SSL_ERROR_ZERO_RETURN = 6;
    public static final int SSL3_RT_ALERT = 21;
    public static final int SSL3_RT_HANDSHAKE = 22;
    public static final int SSL3_MT_NEWSESSION_TICKET = 4;
    public static final int SSL3_AL_FATAL = 2;
    public static final int SSL_ERROR_WANT_X509_LOOKUP = 4;
    public static final int SSL_ERROR_WANT_CONNECT = 7;
    public static final int SSL_ERROR_WANT_ACCEPT = 8;
    // The ClientHello callback (ssl.h) and the extensions it reads (tls1.h)
    public static final int SSL_CLIENT_HELLO_SUCCESS = 1;
    public static final int SSL_CLIENT_HELLO_ERROR = 0;
    public static final int SSL_CLIENT_HELLO_RETRY = -1;
    public static final int SSL_AD_INTERNAL_ERROR = 80;
    public static final int SSL_AD_UNRECOGNIZED_NAME = 112;
    public static final int SSL_AD_HANDSHAKE_FAILURE = 40;
    public static final int SSL_AD_NO_APPLICATION_PROTOCOL = 120;
    public static final int TLSEXT_TYPE_server_name = 0;
    public static final int TLSEXT_TYPE_application_layer_protocol_negotiation = 16;
    public static final int TLSEXT_TYPE_supported_versions = 43;
    public static final int SSL_TLSEXT_ERR_OK = 0;
    public static final int SSL_TLSEXT_ERR_ALERT_FATAL = 2;
    public static final int SSL_TLSEXT_ERR_NOACK = 3;
    public static final int SSL_MAX_SID_CTX_LENGTH = 32;

    // Contexts
    /** {@code const SSL_METHOD *TLS_server_method(void)}: static: never freed. */
    public static native long TLS_server_method();
    /** {@code const SSL_METHOD *TLS_client_method(void)}: static: never freed. */
    public static native long TLS_client_method();
    /** {@code const SSL_METHOD *TLS_method(void)}: static, never freed; for either role. */
    public static native long TLS_method();
    /** {@code const SSL_METHOD *SSL_CTX_get_ssl_method(const SSL_CTX *ctx)}: get0, the method ctx was made with. */
    public static native long SSL_CTX_get_ssl_method(long ctx);
    /** {@code uint64_t SSL_CTX_get_options(const SSL_CTX *ctx)}: the SSL_OP_ bits. */
    public static native long SSL_CTX_get_options(long ctx);
    /** {@code uint64_t SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op)}: adds bits; returns them all. */
    public static native long SSL_CTX_set_options(long ctx, long op);
    /** {@code uint64_t SSL_CTX_clear_options(SSL_CTX *ctx, uint64_t op)}: removes bits; returns the rest. */
    public static native long SSL_CTX_clear_options(long ctx, long op);
    /** {@code SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)}: owned, one reference: SSL_CTX_free. */
    public static native long SSL_CTX_new(long method);
    /** {@code void SSL_CTX_free(SSL_CTX *ctx)}: drops one reference; frees the context with the last one. */
    public static native void SSL_CTX_free(long ctx);
    /** {@code int SSL_CTX_up_ref(SSL_CTX *ctx)}: one more reference, released by SSL_CTX_free. */
    public static native int SSL_CTX_up_ref(long ctx);
    /**
     * {@code long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg)}:
     * behind most SSL_CTX_set_ macros (SslMacros).
     */
    public static native long SSL_CTX_ctrl(long ctx, int cmd, long larg, Pointer parg);
    /** {@code int SSL_CTX_use_certificate(SSL_CTX *ctx, X509 *x)}: takes its own reference to x. */
    public static native int SSL_CTX_use_certificate(long ctx, long x509);
    /** {@code int SSL_CTX_use_PrivateKey(SSL_CTX *ctx, EVP_PKEY *pkey)}: takes its own reference to pkey. */
    public static native int SSL_CTX_use_PrivateKey(long ctx, long pkey);
    /** {@code int SSL_CTX_check_private_key(const SSL_CTX *ctx)}: 1 if the key matches the certificate. */
    public static native int SSL_CTX_check_private_key(long ctx);
    /**
     * {@code int SSL_CTX_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid_ctx, unsigned int
     * sid_ctx_len)}: copies at most 32 bytes into the context; 1 on success.
     */
    public static native int SSL_CTX_set_session_id_context(long ctx, byte[] sidCtx, int sidCtxLen);
    /** {@code int SSL_CTX_set_num_tickets(SSL_CTX *ctx, size_t num_tickets)}. */
    public static native int SSL_CTX_set_num_tickets(long ctx, long num_tickets);
    /** {@code size_t SSL_CTX_get_num_tickets(const SSL_CTX *ctx)}. */
    public static native long SSL_CTX_get_num_tickets(long ctx);
    /**
     * {@code int SSL_CTX_set_ex_data(SSL_CTX *ctx, int idx, void *data)}:
     * stores a pointer-sized value; OpenSSL does not own it.
     */
    public static native int SSL_CTX_set_ex_data(long ctx, int idx, long data);
    /** {@code void *SSL_CTX_get_ex_data(const SSL_CTX *ctx, int idx)}: get0; 0 when nothing was stored. */
    public static native long SSL_CTX_get_ex_data(long ctx, int idx);

    // Session tickets
    /**
     * {@code int SSL_CTX_set_session_ticket_cb(SSL_CTX *ctx, SSL_CTX_generate_session_ticket_fn gen_cb, SSL_CTX_decrypt_session_ticket_fn dec_cb, void *arg)}:
     * OpenSSL keeps the function pointers: the callbacks must stay reachable while ctx lives.
     */
    public static native int SSL_CTX_set_session_ticket_cb(long ctx, SSL_CTX_generate_session_ticket_fn gen_cb,
            SSL_CTX_decrypt_session_ticket_fn dec_cb, Pointer arg);
    /**
     * {@code int SSL_CTX_set_tlsext_ticket_key_evp_cb(SSL_CTX *ctx, int (*fp)(SSL *, unsigned char *, unsigned char *, EVP_CIPHER_CTX *, EVP_MAC_CTX *, int))}:
     * a real function in 3.0, not a macro; OpenSSL keeps fp.
     */
    public static native int SSL_CTX_set_tlsext_ticket_key_evp_cb(long ctx, TicketKeyEvpCallback fp);
    /**
     * {@code int SSL_SESSION_set1_ticket_appdata(SSL_SESSION *ss, const void *data, size_t len)}:
     * set1: copies data; NULL or 0 clears.
     */
    public static native int SSL_SESSION_set1_ticket_appdata(long ss, byte[] data, long len);
    /**
     * {@code int SSL_SESSION_get0_ticket_appdata(SSL_SESSION *ss, void **data, size_t *len)}:
     * get0: *data is borrowed, valid while ss is and until the next set1; NULL when none.
     */
    public static native int SSL_SESSION_get0_ticket_appdata(long ss, long[] data, long[] len);
    /** {@code int SSL_new_session_ticket(SSL *s)}: queues one more TLS 1.3 ticket. */
    public static native int SSL_new_session_ticket(long s);

    // The ClientHello callback
    /**
     * {@code void SSL_CTX_set_client_hello_cb(SSL_CTX *c, SSL_client_hello_cb_fn cb, void *arg)}:
     * OpenSSL keeps cb; NULL removes it. It runs early in the server's processing of each ClientHello.
     */
    public static native void SSL_CTX_set_client_hello_cb(long c, SSL_client_hello_cb_fn cb, Pointer arg);
    /** {@code int SSL_client_hello_isv2(SSL *s)}: 1 for an SSLv2-format ClientHello; only inside the callback. */
    public static native int SSL_client_hello_isv2(long s);
    /** {@code unsigned int SSL_client_hello_get0_legacy_version(SSL *s)}: the legacy_version field (0x0303 for TLS 1.2 and 1.3). */
    public static native int SSL_client_hello_get0_legacy_version(long s);
    /**
     * {@code size_t SSL_client_hello_get0_ciphers(SSL *s, const unsigned char **out)}: get0: *out borrowed,
     * valid only inside the callback; the cipher suites, two bytes each.
     */
    public static native long SSL_client_hello_get0_ciphers(long s, long[] out);
    /**
     * {@code int SSL_client_hello_get1_extensions_present(SSL *s, int **out, size_t *outlen)}: get1: *out
     * is owned by the caller, freed with OPENSSL_free (CRYPTO_free); the extension types in order.
     */
    public static native int SSL_client_hello_get1_extensions_present(long s, long[] out, long[] outlen);
    /**
     * {@code int SSL_client_hello_get0_ext(SSL *s, unsigned int type, const unsigned char **out, size_t *outlen)}:
     * get0: *out borrowed, valid only inside the callback; 0 when the extension is absent.
     */
    public static native int SSL_client_hello_get0_ext(long s, int type, long[] out, long[] outlen);

    // ALPN
    /**
     * {@code int SSL_CTX_set_alpn_protos(SSL_CTX *ctx, const unsigned char *protos, unsigned int protos_len)}:
     * copies the client's offer (length-prefixed names); 0 on success (sic).
     */
    public static native int SSL_CTX_set_alpn_protos(long ctx, byte[] protos, int protos_len);
    /**
     * {@code void SSL_CTX_set_alpn_select_cb(SSL_CTX *ctx, SSL_CTX_alpn_select_cb_func cb, void *arg)}:
     * OpenSSL keeps cb.
     */
    public static native void SSL_CTX_set_alpn_select_cb(long ctx, SSL_CTX_alpn_select_cb_func cb, Pointer arg);
    /**
     * {@code void SSL_get0_alpn_selected(const SSL *ssl, const unsigned char **data, unsigned int *len)}:
     * get0: borrowed, valid while ssl lives; NULL and 0 when none was chosen.
     */
    public static native void SSL_get0_alpn_selected(long s, long[] data, int[] len);

    // Connections
    /** {@code X509 *SSL_get_certificate(const SSL *ssl)}: get0: the leaf this connection presents; 0 when none. */
    public static native long SSL_get_certificate(long s);
    /**
     * {@code int SSL_set_ex_data(SSL *ssl, int idx, void *data)}:
     * stores a pointer-sized value; OpenSSL does not own it.
     */
    public static native int SSL_set_ex_data(long s, int idx, long data);
    /** {@code void *SSL_get_ex_data(const SSL *ssl, int idx)}: get0; 0 when nothing was stored. */
    public static native long SSL_get_ex_data(long s, int idx);
    /** {@code SSL *SSL_new(SSL_CTX *ctx)}: owned: SSL_free; takes its own reference to ctx. */
    public static native long SSL_new(long ctx);
    /** {@code void SSL_free(SSL *ssl)}: also frees its BIOs and drops its context and session references. */
    public static native void SSL_free(long s);
    /** {@code long SSL_ctrl(SSL *ssl, int cmd, long larg, void *parg)}: behind the SSL_set_ macros (SslMacros). */
    public static native long SSL_ctrl(long s, int cmd, long larg, Pointer parg);
    /**
     * {@code void SSL_set_bio(SSL *s, BIO *rbio, BIO *wbio)}:
     * takes ownership of the BIOs (one reference when rbio == wbio).
     */
    public static native void SSL_set_bio(long s, long rbio, long wbio);
    /** {@code BIO *SSL_get_rbio(const SSL *s)}: get0, borrowed; 0 when none is set. */
    public static native long SSL_get_rbio(long s);
    /** {@code BIO *SSL_get_wbio(const SSL *s)}: get0, borrowed; 0 when none is set. */
    public static native long SSL_get_wbio(long s);
    /** {@code void SSL_set_connect_state(SSL *s)}: client mode. */
    public static native void SSL_set_connect_state(long s);
    /** {@code void SSL_set_accept_state(SSL *s)}: server mode. */
    public static native void SSL_set_accept_state(long s);
    /** {@code int SSL_do_handshake(SSL *s)}: 1 done, else see SSL_get_error; runs the ticket callbacks. */
    public static native int SSL_do_handshake(long s);
    /** {@code int SSL_read(SSL *ssl, void *buf, int num)}: > 0 bytes read, else see SSL_get_error. */
    public static native int SSL_read(long s, byte[] buf, int num);
    /** {@code int SSL_write(SSL *ssl, const void *buf, int num)}: > 0 bytes written, else see SSL_get_error. */
    public static native int SSL_write(long s, byte[] buf, int num);
    /** {@code int SSL_shutdown(SSL *s)}: sends close_notify. */
    public static native int SSL_shutdown(long s);
    /**
     * {@code int SSL_get_error(const SSL *s, int ret_code)}:
     * SSL_ERROR_*; reliable only if the error queue was empty before the call.
     */
    public static native int SSL_get_error(long s, int ret_code);
    /** {@code int SSL_is_init_finished(const SSL *s)}. */
    public static native int SSL_is_init_finished(long s);
    /** {@code int SSL_is_server(const SSL *s)}. */
    public static native int SSL_is_server(long s);
    /** {@code int SSL_session_reused(const SSL *s)}. */
    public static native int SSL_session_reused(long s);
    /** {@code const char *SSL_get_version(const SSL *s)}: a static string: never freed. */
    public static native Pointer SSL_get_version(long s);
    /** {@code SSL_SESSION *SSL_get_session(const SSL *ssl)}: get0: borrowed, valid while ssl keeps this session. */
    public static native long SSL_get_session(long s);
    /**
     * {@code const char *SSL_get_servername(const SSL *s, const int type)}: get0: borrowed, valid while
     * s and its session live; NULL when the client sent no server name.
     */
    public static native Pointer SSL_get_servername(long s, int type);
    /**
     * {@code const unsigned char *SSL_SESSION_get_id(const SSL_SESSION *s, unsigned int *len)}: get0:
     * borrowed, valid while s lives.
     */
    public static native Pointer SSL_SESSION_get_id(long s, int[] len);
    /** {@code SSL_SESSION *SSL_get1_session(SSL *ssl)}: get1: owned, one reference: SSL_SESSION_free. */
    public static native long SSL_get1_session(long s);
    /** {@code int SSL_set_session(SSL *to, SSL_SESSION *session)}: takes its own reference to session. */
    public static native int SSL_set_session(long s, long session);
    /**
     * {@code void SSL_set_msg_callback(SSL *ssl, void (*cb)(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg))}:
     * OpenSSL keeps cb.
     */
    public static native void SSL_set_msg_callback(long s, SslMessageCallback cb);
    /** {@code const char *SSL_alert_desc_string_long(int value)}: a static string: never freed. */
    public static native Pointer SSL_alert_desc_string_long(int value);

    // Sessions
    /** {@code void SSL_SESSION_free(SSL_SESSION *ses)}: drops one reference. */
    public static native void SSL_SESSION_free(long ss);
    /**
     * {@code SSL_SESSION *SSL_SESSION_dup(const SSL_SESSION *src)}:
     * owned deep copy, app data included: SSL_SESSION_free.
     */
    public static native long SSL_SESSION_dup(long src);
    /**
     * {@code void SSL_SESSION_get0_ticket(const SSL_SESSION *s, const unsigned char **tick, size_t *len)}:
     * get0: the ticket a client received, borrowed; NULL and 0 when none.
     */
    public static native void SSL_SESSION_get0_ticket(long s, long[] tick, long[] len);
    /** {@code int SSL_SESSION_is_resumable(const SSL_SESSION *s)}. */
    public static native int SSL_SESSION_is_resumable(long ss);
    /** {@code int SSL_SESSION_get_protocol_version(const SSL_SESSION *s)}. */
    public static native int SSL_SESSION_get_protocol_version(long ss);
    /**
     * {@code int i2d_SSL_SESSION(const SSL_SESSION *in, unsigned char **pp)}:
     * with pp NULL: the encoded length only.
     */
    public static native int i2d_SSL_SESSION(long ss, Pointer pp);
}
