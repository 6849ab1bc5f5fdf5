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
    public static final int SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB = 72;
    public static final int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
    public static final int SSL_CTRL_SET_MAX_PROTO_VERSION = 124;

    // Other constants
    public static final long SSL_SESS_CACHE_OFF = 0x0000;
    public static final long SSL_SESS_CACHE_SERVER = 0x0002;
    public static final long SSL_OP_NO_TICKET = 1L << 14;
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

    // Contexts
    public static native long TLS_server_method();
    public static native long TLS_client_method();
    public static native long SSL_CTX_new(long method);
    public static native void SSL_CTX_free(long ctx);
    public static native int SSL_CTX_up_ref(long ctx);
    public static native long SSL_CTX_ctrl(long ctx, int cmd, long larg, byte[] parg);
    public static native long SSL_CTX_callback_ctrl(long ctx, int cmd, TicketKeyLegacyCallback fp);
    public static native long SSL_CTX_set_options(long ctx, long op);
    public static native long SSL_CTX_get_options(long ctx);
    public static native int SSL_CTX_use_certificate(long ctx, long x509);
    public static native int SSL_CTX_use_PrivateKey(long ctx, long pkey);
    public static native int SSL_CTX_check_private_key(long ctx);
    public static native int SSL_CTX_set_num_tickets(long ctx, long num_tickets);
    public static native long SSL_CTX_get_num_tickets(long ctx);
    /** {@code int SSL_CTX_set_ex_data(SSL_CTX *ctx, int idx, void *data)}: stores a pointer-sized value. */
    public static native int SSL_CTX_set_ex_data(long ctx, int idx, long data);
    /** {@code void *SSL_CTX_get_ex_data(const SSL_CTX *ctx, int idx)}: 0 when nothing was stored. */
    public static native long SSL_CTX_get_ex_data(long ctx, int idx);

    // Session tickets
    public static native int SSL_CTX_set_session_ticket_cb(long ctx, SSL_CTX_generate_session_ticket_fn gen_cb,
            SSL_CTX_decrypt_session_ticket_fn dec_cb, Pointer arg);
    public static native int SSL_CTX_set_tlsext_ticket_key_evp_cb(long ctx, TicketKeyEvpCallback fp);
    public static native int SSL_SESSION_set1_ticket_appdata(long ss, byte[] data, long len);
    /** {@code int SSL_SESSION_get0_ticket_appdata(SSL_SESSION *ss, void **data, size_t *len)} */
    public static native int SSL_SESSION_get0_ticket_appdata(long ss, long[] data, long[] len);
    public static native int SSL_new_session_ticket(long s);

    // Connections
    public static native long SSL_new(long ctx);
    public static native void SSL_free(long s);
    public static native void SSL_set_bio(long s, long rbio, long wbio);
    /** {@code BIO *SSL_get_rbio(const SSL *s)}: get0, borrowed; 0 when none is set. */
    public static native long SSL_get_rbio(long s);
    /** {@code BIO *SSL_get_wbio(const SSL *s)}: get0, borrowed; 0 when none is set. */
    public static native long SSL_get_wbio(long s);
    public static native void SSL_set_connect_state(long s);
    public static native void SSL_set_accept_state(long s);
    public static native int SSL_do_handshake(long s);
    public static native int SSL_read(long s, byte[] buf, int num);
    public static native int SSL_write(long s, byte[] buf, int num);
    public static native int SSL_shutdown(long s);
    public static native int SSL_get_error(long s, int ret_code);
    public static native int SSL_is_init_finished(long s);
    public static native int SSL_is_server(long s);
    public static native int SSL_session_reused(long s);
    public static native Pointer SSL_get_version(long s);
    public static native long SSL_get_session(long s);
    public static native long SSL_get1_session(long s);
    public static native int SSL_set_session(long s, long session);
    public static native void SSL_set_msg_callback(long s, SslMessageCallback cb);
    public static native Pointer SSL_alert_desc_string_long(int value);

    // Sessions
    public static native void SSL_SESSION_free(long ss);
    /** {@code SSL_SESSION *SSL_SESSION_dup(const SSL_SESSION *src)}: a new session with one reference, the caller's. */
    public static native long SSL_SESSION_dup(long src);
    public static native int SSL_SESSION_is_resumable(long ss);
    public static native int SSL_SESSION_get_protocol_version(long ss);
    public static native int i2d_SSL_SESSION(long ss, Pointer pp);
}
