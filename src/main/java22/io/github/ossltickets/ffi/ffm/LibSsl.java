package io.github.ossltickets.ffi.ffm;

import io.github.ossltickets.ffi.SSL_CTX_alpn_select_cb_func;
import io.github.ossltickets.ffi.SSL_CTX_decrypt_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_CTX_generate_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_client_hello_cb_fn;
import io.github.ossltickets.ffi.SslMessageCallback;
import io.github.ossltickets.ffi.TicketKeyEvpCallback;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.github.ossltickets.ffi.ffm.Downcalls.CALLS_BACK;
import static io.github.ossltickets.ffi.ffm.Downcalls.LEAF;
import static io.github.ossltickets.ffi.ffm.Downcalls.LEAF_WITH_ARRAYS;
import static io.github.ossltickets.ffi.ffm.Downcalls.heap;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The FFM translation of {@link io.github.ossltickets.ffi.LibSsl}: the same functions, names and
 * comments, each a downcall handle from the {@code Linker}. C pointers are {@code long} addresses;
 * a Java array is passed in place to a critical call ({@code LEAF_WITH_ARRAYS}); a callback object
 * becomes an upcall stub ({@link Upcalls}). Downcalls that may run Java, ours or another library's
 * ({@code CALLS_BACK}), are normal calls; the rest are critical ({@code LEAF}): OpenSSL never calls
 * back from them and they return quickly. Constants stay in the JNA class, which both backends share.
 */
public final class LibSsl {
    private LibSsl() {}

    private static final MethodHandle TLS_server_method = Downcalls.ssl("TLS_server_method", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle TLS_client_method = Downcalls.ssl("TLS_client_method", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle TLS_method = Downcalls.ssl("TLS_method", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_get_ssl_method = Downcalls.ssl("SSL_CTX_get_ssl_method", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_get_options = Downcalls.ssl("SSL_CTX_get_options", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_set_options = Downcalls.ssl("SSL_CTX_set_options", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_clear_options = Downcalls.ssl("SSL_CTX_clear_options", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_new = Downcalls.ssl("SSL_CTX_new", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_CTX_free = Downcalls.ssl("SSL_CTX_free", FunctionDescriptor.ofVoid(JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_CTX_up_ref = Downcalls.ssl("SSL_CTX_up_ref", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_ctrl = Downcalls.ssl("SSL_CTX_ctrl", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_use_certificate = Downcalls.ssl("SSL_CTX_use_certificate", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_CTX_use_PrivateKey = Downcalls.ssl("SSL_CTX_use_PrivateKey", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_CTX_check_private_key = Downcalls.ssl("SSL_CTX_check_private_key", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_CTX_set_num_tickets = Downcalls.ssl("SSL_CTX_set_num_tickets", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_get_num_tickets = Downcalls.ssl("SSL_CTX_get_num_tickets", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_set_ex_data = Downcalls.ssl("SSL_CTX_set_ex_data", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_get_ex_data = Downcalls.ssl("SSL_CTX_get_ex_data", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle SSL_CTX_set_session_ticket_cb = Downcalls.ssl("SSL_CTX_set_session_ticket_cb", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_set_tlsext_ticket_key_evp_cb = Downcalls.ssl("SSL_CTX_set_tlsext_ticket_key_evp_cb", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_SESSION_set1_ticket_appdata = Downcalls.ssl("SSL_SESSION_set1_ticket_appdata", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_SESSION_get0_ticket_appdata = Downcalls.ssl("SSL_SESSION_get0_ticket_appdata", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_new_session_ticket = Downcalls.ssl("SSL_new_session_ticket", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_new = Downcalls.ssl("SSL_new", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_free = Downcalls.ssl("SSL_free", FunctionDescriptor.ofVoid(JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_ctrl = Downcalls.ssl("SSL_ctrl", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_set_bio = Downcalls.ssl("SSL_set_bio", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_get_rbio = Downcalls.ssl("SSL_get_rbio", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_get_wbio = Downcalls.ssl("SSL_get_wbio", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_set_connect_state = Downcalls.ssl("SSL_set_connect_state", FunctionDescriptor.ofVoid(JAVA_LONG), LEAF);
    private static final MethodHandle SSL_set_accept_state = Downcalls.ssl("SSL_set_accept_state", FunctionDescriptor.ofVoid(JAVA_LONG), LEAF);
    private static final MethodHandle SSL_do_handshake = Downcalls.ssl("SSL_do_handshake", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_read = Downcalls.ssl("SSL_read", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT), CALLS_BACK);
    private static final MethodHandle SSL_write = Downcalls.ssl("SSL_write", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT), CALLS_BACK);
    private static final MethodHandle SSL_shutdown = Downcalls.ssl("SSL_shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_get_error = Downcalls.ssl("SSL_get_error", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle SSL_is_init_finished = Downcalls.ssl("SSL_is_init_finished", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_is_server = Downcalls.ssl("SSL_is_server", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_session_reused = Downcalls.ssl("SSL_session_reused", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_get_version = Downcalls.ssl("SSL_get_version", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_get_session = Downcalls.ssl("SSL_get_session", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_get_servername = Downcalls.ssl("SSL_get_servername", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle SSL_SESSION_get_id = Downcalls.ssl("SSL_SESSION_get_id", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_get1_session = Downcalls.ssl("SSL_get1_session", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_set_session = Downcalls.ssl("SSL_set_session", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_set_msg_callback = Downcalls.ssl("SSL_set_msg_callback", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_alert_desc_string_long = Downcalls.ssl("SSL_alert_desc_string_long", FunctionDescriptor.of(JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle SSL_SESSION_free = Downcalls.ssl("SSL_SESSION_free", FunctionDescriptor.ofVoid(JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_SESSION_dup = Downcalls.ssl("SSL_SESSION_dup", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle SSL_SESSION_get0_ticket = Downcalls.ssl("SSL_SESSION_get0_ticket", FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_SESSION_is_resumable = Downcalls.ssl("SSL_SESSION_is_resumable", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_SESSION_get_protocol_version = Downcalls.ssl("SSL_SESSION_get_protocol_version", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle i2d_SSL_SESSION = Downcalls.ssl("i2d_SSL_SESSION", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_CTX_set_session_id_context = Downcalls.ssl("SSL_CTX_set_session_id_context", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_CTX_set_client_hello_cb = Downcalls.ssl("SSL_CTX_set_client_hello_cb", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_client_hello_isv2 = Downcalls.ssl("SSL_client_hello_isv2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_client_hello_get0_legacy_version = Downcalls.ssl("SSL_client_hello_get0_legacy_version", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_client_hello_get0_ciphers = Downcalls.ssl("SSL_client_hello_get0_ciphers", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_client_hello_get1_extensions_present = Downcalls.ssl("SSL_client_hello_get1_extensions_present", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_client_hello_get0_ext = Downcalls.ssl("SSL_client_hello_get0_ext", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_CTX_set_alpn_protos = Downcalls.ssl("SSL_CTX_set_alpn_protos", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_CTX_set_alpn_select_cb = Downcalls.ssl("SSL_CTX_set_alpn_select_cb", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_get0_alpn_selected = Downcalls.ssl("SSL_get0_alpn_selected", FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle SSL_get_certificate = Downcalls.ssl("SSL_get_certificate", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_set_ex_data = Downcalls.ssl("SSL_set_ex_data", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle SSL_get_ex_data = Downcalls.ssl("SSL_get_ex_data", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT), LEAF);

    /** {@code const SSL_METHOD *TLS_server_method(void)}: static: never freed. */
    public static long TLS_server_method() {
        try {
            return (long) TLS_server_method.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("TLS_server_method", failure);
        }
    }

    /** {@code const SSL_METHOD *TLS_client_method(void)}: static: never freed. */
    public static long TLS_client_method() {
        try {
            return (long) TLS_client_method.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("TLS_client_method", failure);
        }
    }

    /** {@code const SSL_METHOD *TLS_method(void)}: static, never freed; for either role. */
    public static long TLS_method() {
        try {
            return (long) TLS_method.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("TLS_method", failure);
        }
    }

    /** {@code const SSL_METHOD *SSL_CTX_get_ssl_method(const SSL_CTX *ctx)}: get0, the method ctx was made with. */
    public static long SSL_CTX_get_ssl_method(long ctx) {
        try {
            return (long) SSL_CTX_get_ssl_method.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_get_ssl_method", failure);
        }
    }

    /** {@code uint64_t SSL_CTX_get_options(const SSL_CTX *ctx)}: the SSL_OP_ bits. */
    public static long SSL_CTX_get_options(long ctx) {
        try {
            return (long) SSL_CTX_get_options.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_get_options", failure);
        }
    }

    /** {@code uint64_t SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op)}: adds bits; returns them all. */
    public static long SSL_CTX_set_options(long ctx, long op) {
        try {
            return (long) SSL_CTX_set_options.invokeExact(ctx, op);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_options", failure);
        }
    }

    /** {@code uint64_t SSL_CTX_clear_options(SSL_CTX *ctx, uint64_t op)}: removes bits; returns the rest. */
    public static long SSL_CTX_clear_options(long ctx, long op) {
        try {
            return (long) SSL_CTX_clear_options.invokeExact(ctx, op);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_clear_options", failure);
        }
    }

    /** {@code SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)}: owned, one reference: SSL_CTX_free. */
    public static long SSL_CTX_new(long method) {
        try {
            return (long) SSL_CTX_new.invokeExact(method);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_new", failure);
        }
    }

    /** {@code void SSL_CTX_free(SSL_CTX *ctx)}: drops one reference; frees the context with the last one. */
    public static void SSL_CTX_free(long ctx) {
        try {
            SSL_CTX_free.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_free", failure);
        }
    }

    /** {@code int SSL_CTX_up_ref(SSL_CTX *ctx)}: one more reference, released by SSL_CTX_free. */
    public static int SSL_CTX_up_ref(long ctx) {
        try {
            return (int) SSL_CTX_up_ref.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_up_ref", failure);
        }
    }

    /**
     * {@code long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg)}:
     * behind most SSL_CTX_set_ macros (SslMacros).
     */
    public static long SSL_CTX_ctrl(long ctx, int cmd, long larg, long parg) {
        try {
            return (long) SSL_CTX_ctrl.invokeExact(ctx, cmd, larg, parg);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_ctrl", failure);
        }
    }

    /** {@code int SSL_CTX_use_certificate(SSL_CTX *ctx, X509 *x)}: takes its own reference to x. */
    public static int SSL_CTX_use_certificate(long ctx, long x509) {
        try {
            return (int) SSL_CTX_use_certificate.invokeExact(ctx, x509);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_use_certificate", failure);
        }
    }

    /** {@code int SSL_CTX_use_PrivateKey(SSL_CTX *ctx, EVP_PKEY *pkey)}: takes its own reference to pkey. */
    public static int SSL_CTX_use_PrivateKey(long ctx, long pkey) {
        try {
            return (int) SSL_CTX_use_PrivateKey.invokeExact(ctx, pkey);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_use_PrivateKey", failure);
        }
    }

    /** {@code int SSL_CTX_check_private_key(const SSL_CTX *ctx)}: 1 if the key matches the certificate. */
    public static int SSL_CTX_check_private_key(long ctx) {
        try {
            return (int) SSL_CTX_check_private_key.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_check_private_key", failure);
        }
    }

    /** {@code int SSL_CTX_set_num_tickets(SSL_CTX *ctx, size_t num_tickets)}. */
    public static int SSL_CTX_set_num_tickets(long ctx, long num_tickets) {
        try {
            return (int) SSL_CTX_set_num_tickets.invokeExact(ctx, num_tickets);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_num_tickets", failure);
        }
    }

    /** {@code size_t SSL_CTX_get_num_tickets(const SSL_CTX *ctx)}. */
    public static long SSL_CTX_get_num_tickets(long ctx) {
        try {
            return (long) SSL_CTX_get_num_tickets.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_get_num_tickets", failure);
        }
    }

    /**
     * {@code int SSL_CTX_set_ex_data(SSL_CTX *ctx, int idx, void *data)}:
     * stores a pointer-sized value; OpenSSL does not own it.
     */
    public static int SSL_CTX_set_ex_data(long ctx, int idx, long data) {
        try {
            return (int) SSL_CTX_set_ex_data.invokeExact(ctx, idx, data);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_ex_data", failure);
        }
    }

    /** {@code void *SSL_CTX_get_ex_data(const SSL_CTX *ctx, int idx)}: get0; 0 when nothing was stored. */
    public static long SSL_CTX_get_ex_data(long ctx, int idx) {
        try {
            return (long) SSL_CTX_get_ex_data.invokeExact(ctx, idx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_get_ex_data", failure);
        }
    }

    /**
     * {@code int SSL_CTX_set_session_ticket_cb(SSL_CTX *ctx, SSL_CTX_generate_session_ticket_fn gen_cb, SSL_CTX_decrypt_session_ticket_fn dec_cb, void *arg)}:
     * OpenSSL keeps the function pointers: the callbacks must stay reachable while ctx lives.
     */
    public static int SSL_CTX_set_session_ticket_cb(long ctx, SSL_CTX_generate_session_ticket_fn gen_cb, SSL_CTX_decrypt_session_ticket_fn dec_cb, long arg) {
        try {
            return (int) SSL_CTX_set_session_ticket_cb.invokeExact(ctx, Upcalls.pointer(gen_cb), Upcalls.pointer(dec_cb), arg);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_session_ticket_cb", failure);
        }
    }

    /**
     * {@code int SSL_CTX_set_tlsext_ticket_key_evp_cb(SSL_CTX *ctx, int (*fp)(SSL *, unsigned char *, unsigned char *, EVP_CIPHER_CTX *, EVP_MAC_CTX *, int))}:
     * a real function in 3.0, not a macro; OpenSSL keeps fp.
     */
    public static int SSL_CTX_set_tlsext_ticket_key_evp_cb(long ctx, TicketKeyEvpCallback fp) {
        try {
            return (int) SSL_CTX_set_tlsext_ticket_key_evp_cb.invokeExact(ctx, Upcalls.pointer(fp));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_tlsext_ticket_key_evp_cb", failure);
        }
    }

    /**
     * {@code int SSL_SESSION_set1_ticket_appdata(SSL_SESSION *ss, const void *data, size_t len)}:
     * set1: copies data; NULL or 0 clears.
     */
    public static int SSL_SESSION_set1_ticket_appdata(long ss, byte[] data, long len) {
        try {
            return (int) SSL_SESSION_set1_ticket_appdata.invokeExact(ss, heap(data), len);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_set1_ticket_appdata", failure);
        }
    }

    /**
     * {@code int SSL_SESSION_get0_ticket_appdata(SSL_SESSION *ss, void **data, size_t *len)}:
     * get0: *data is borrowed, valid while ss is and until the next set1; NULL when none.
     */
    public static int SSL_SESSION_get0_ticket_appdata(long ss, long[] data, long[] len) {
        try {
            return (int) SSL_SESSION_get0_ticket_appdata.invokeExact(ss, heap(data), heap(len));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_get0_ticket_appdata", failure);
        }
    }

    /** {@code int SSL_new_session_ticket(SSL *s)}: queues one more TLS 1.3 ticket. */
    public static int SSL_new_session_ticket(long s) {
        try {
            return (int) SSL_new_session_ticket.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_new_session_ticket", failure);
        }
    }

    /** {@code SSL *SSL_new(SSL_CTX *ctx)}: owned: SSL_free; takes its own reference to ctx. */
    public static long SSL_new(long ctx) {
        try {
            return (long) SSL_new.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_new", failure);
        }
    }

    /** {@code void SSL_free(SSL *ssl)}: also frees its BIOs and drops its context and session references. */
    public static void SSL_free(long s) {
        try {
            SSL_free.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_free", failure);
        }
    }

    /** {@code long SSL_ctrl(SSL *ssl, int cmd, long larg, void *parg)}: behind the SSL_set_ macros (SslMacros). */
    public static long SSL_ctrl(long s, int cmd, long larg, long parg) {
        try {
            return (long) SSL_ctrl.invokeExact(s, cmd, larg, parg);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_ctrl", failure);
        }
    }

    /**
     * {@code void SSL_set_bio(SSL *s, BIO *rbio, BIO *wbio)}:
     * takes ownership of the BIOs (one reference when rbio == wbio).
     */
    public static void SSL_set_bio(long s, long rbio, long wbio) {
        try {
            SSL_set_bio.invokeExact(s, rbio, wbio);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_set_bio", failure);
        }
    }

    /** {@code BIO *SSL_get_rbio(const SSL *s)}: get0, borrowed; 0 when none is set. */
    public static long SSL_get_rbio(long s) {
        try {
            return (long) SSL_get_rbio.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_rbio", failure);
        }
    }

    /** {@code BIO *SSL_get_wbio(const SSL *s)}: get0, borrowed; 0 when none is set. */
    public static long SSL_get_wbio(long s) {
        try {
            return (long) SSL_get_wbio.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_wbio", failure);
        }
    }

    /** {@code void SSL_set_connect_state(SSL *s)}: client mode. */
    public static void SSL_set_connect_state(long s) {
        try {
            SSL_set_connect_state.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_set_connect_state", failure);
        }
    }

    /** {@code void SSL_set_accept_state(SSL *s)}: server mode. */
    public static void SSL_set_accept_state(long s) {
        try {
            SSL_set_accept_state.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_set_accept_state", failure);
        }
    }

    /** {@code int SSL_do_handshake(SSL *s)}: 1 done, else see SSL_get_error; runs the ticket callbacks. */
    public static int SSL_do_handshake(long s) {
        try {
            return (int) SSL_do_handshake.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_do_handshake", failure);
        }
    }

    /** The most plaintext one TLS record carries (ssl3.h). */
    private static final int SSL3_RT_MAX_PLAIN_LENGTH = 16_384;

    /**
     * {@code int SSL_read(SSL *ssl, void *buf, int num)}: > 0 bytes read, else see SSL_get_error.
     * It may run the ticket callbacks, so it is not critical and cannot read into the array in place:
     * it reads into this thread's native buffer, then copies what it read. SSL_read returns at most
     * one record's 16,384 bytes, so a larger request asks for no more (it may always return fewer).
     */
    public static int SSL_read(long s, byte[] buf, int num) {
        int asked = Math.min(num, SSL3_RT_MAX_PLAIN_LENGTH);
        try (Scratch.Lease lease = Scratch.lease(asked)) {
            int read = (int) SSL_read.invokeExact(s, lease.segment(), asked);
            if (read > 0) {
                MemorySegment.copy(lease.segment(), JAVA_BYTE, 0, buf, 0, read);
            }
            return read;
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_read", failure);
        }
    }

    /**
     * {@code int SSL_write(SSL *ssl, const void *buf, int num)}: > 0 bytes written, else see
     * SSL_get_error. Not critical (it may send a ticket, running the callbacks): it writes from a copy
     * in this thread's native buffer.
     */
    public static int SSL_write(long s, byte[] buf, int num) {
        try (Scratch.Lease lease = Scratch.lease(num)) {
            MemorySegment.copy(buf, 0, lease.segment(), JAVA_BYTE, 0, num);
            return (int) SSL_write.invokeExact(s, lease.segment(), num);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_write", failure);
        }
    }

    /** {@code int SSL_shutdown(SSL *s)}: sends close_notify. */
    public static int SSL_shutdown(long s) {
        try {
            return (int) SSL_shutdown.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_shutdown", failure);
        }
    }

    /**
     * {@code int SSL_get_error(const SSL *s, int ret_code)}:
     * SSL_ERROR_*; reliable only if the error queue was empty before the call.
     */
    public static int SSL_get_error(long s, int ret_code) {
        try {
            return (int) SSL_get_error.invokeExact(s, ret_code);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_error", failure);
        }
    }

    /** {@code int SSL_is_init_finished(const SSL *s)}. */
    public static int SSL_is_init_finished(long s) {
        try {
            return (int) SSL_is_init_finished.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_is_init_finished", failure);
        }
    }

    /** {@code int SSL_is_server(const SSL *s)}. */
    public static int SSL_is_server(long s) {
        try {
            return (int) SSL_is_server.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_is_server", failure);
        }
    }

    /** {@code int SSL_session_reused(const SSL *s)}. */
    public static int SSL_session_reused(long s) {
        try {
            return (int) SSL_session_reused.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_session_reused", failure);
        }
    }

    /** {@code const char *SSL_get_version(const SSL *s)}: a static string: never freed. */
    public static long SSL_get_version(long s) {
        try {
            return (long) SSL_get_version.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_version", failure);
        }
    }

    /** {@code SSL_SESSION *SSL_get_session(const SSL *ssl)}: get0: borrowed, valid while ssl keeps this session. */
    public static long SSL_get_session(long s) {
        try {
            return (long) SSL_get_session.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_session", failure);
        }
    }

    /**
     * {@code const char *SSL_get_servername(const SSL *s, const int type)}: get0: borrowed, valid while
     * s and its session live; NULL when the client sent no server name.
     */
    public static long SSL_get_servername(long s, int type) {
        try {
            return (long) SSL_get_servername.invokeExact(s, type);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_servername", failure);
        }
    }

    /**
     * {@code const unsigned char *SSL_SESSION_get_id(const SSL_SESSION *s, unsigned int *len)}: get0:
     * borrowed, valid while s lives.
     */
    public static long SSL_SESSION_get_id(long s, int[] len) {
        try {
            return (long) SSL_SESSION_get_id.invokeExact(s, heap(len));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_get_id", failure);
        }
    }

    /** {@code SSL_SESSION *SSL_get1_session(SSL *ssl)}: get1: owned, one reference: SSL_SESSION_free. */
    public static long SSL_get1_session(long s) {
        try {
            return (long) SSL_get1_session.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get1_session", failure);
        }
    }

    /** {@code int SSL_set_session(SSL *to, SSL_SESSION *session)}: takes its own reference to session. */
    public static int SSL_set_session(long s, long session) {
        try {
            return (int) SSL_set_session.invokeExact(s, session);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_set_session", failure);
        }
    }

    /**
     * {@code void SSL_set_msg_callback(SSL *ssl, void (*cb)(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg))}:
     * OpenSSL keeps cb.
     */
    public static void SSL_set_msg_callback(long s, SslMessageCallback cb) {
        try {
            SSL_set_msg_callback.invokeExact(s, Upcalls.pointer(cb));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_set_msg_callback", failure);
        }
    }

    /** {@code const char *SSL_alert_desc_string_long(int value)}: a static string: never freed. */
    public static long SSL_alert_desc_string_long(int value) {
        try {
            return (long) SSL_alert_desc_string_long.invokeExact(value);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_alert_desc_string_long", failure);
        }
    }

    /** {@code void SSL_SESSION_free(SSL_SESSION *ses)}: drops one reference. */
    public static void SSL_SESSION_free(long ss) {
        try {
            SSL_SESSION_free.invokeExact(ss);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_free", failure);
        }
    }

    /**
     * {@code SSL_SESSION *SSL_SESSION_dup(const SSL_SESSION *src)}:
     * owned deep copy, app data included: SSL_SESSION_free.
     */
    public static long SSL_SESSION_dup(long src) {
        try {
            return (long) SSL_SESSION_dup.invokeExact(src);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_dup", failure);
        }
    }

    /**
     * {@code void SSL_SESSION_get0_ticket(const SSL_SESSION *s, const unsigned char **tick, size_t *len)}:
     * get0: the ticket a client received, borrowed; NULL and 0 when none.
     */
    public static void SSL_SESSION_get0_ticket(long s, long[] tick, long[] len) {
        try {
            SSL_SESSION_get0_ticket.invokeExact(s, heap(tick), heap(len));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_get0_ticket", failure);
        }
    }

    /** {@code int SSL_SESSION_is_resumable(const SSL_SESSION *s)}. */
    public static int SSL_SESSION_is_resumable(long ss) {
        try {
            return (int) SSL_SESSION_is_resumable.invokeExact(ss);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_is_resumable", failure);
        }
    }

    /** {@code int SSL_SESSION_get_protocol_version(const SSL_SESSION *s)}. */
    public static int SSL_SESSION_get_protocol_version(long ss) {
        try {
            return (int) SSL_SESSION_get_protocol_version.invokeExact(ss);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_SESSION_get_protocol_version", failure);
        }
    }

    /**
     * {@code int i2d_SSL_SESSION(const SSL_SESSION *in, unsigned char **pp)}:
     * with pp NULL: the encoded length only.
     */
    public static int i2d_SSL_SESSION(long ss, long pp) {
        try {
            return (int) i2d_SSL_SESSION.invokeExact(ss, pp);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("i2d_SSL_SESSION", failure);
        }
    }

    /**
     * {@code int SSL_CTX_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid_ctx, unsigned int
     * sid_ctx_len)}: copies at most 32 bytes into the context; 1 on success.
     */
    public static int SSL_CTX_set_session_id_context(long ctx, byte[] sidCtx, int sidCtxLen) {
        try {
            return (int) SSL_CTX_set_session_id_context.invokeExact(ctx, heap(sidCtx), sidCtxLen);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_session_id_context", failure);
        }
    }

    /**
     * {@code void SSL_CTX_set_client_hello_cb(SSL_CTX *c, SSL_client_hello_cb_fn cb, void *arg)}:
     * OpenSSL keeps cb; NULL removes it. It runs early in the server's processing of each ClientHello.
     */
    public static void SSL_CTX_set_client_hello_cb(long c, SSL_client_hello_cb_fn cb, long arg) {
        try {
            SSL_CTX_set_client_hello_cb.invokeExact(c, Upcalls.pointer(cb), arg);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_client_hello_cb", failure);
        }
    }

    /** {@code int SSL_client_hello_isv2(SSL *s)}: 1 for an SSLv2-format ClientHello; only inside the callback. */
    public static int SSL_client_hello_isv2(long s) {
        try {
            return (int) SSL_client_hello_isv2.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_client_hello_isv2", failure);
        }
    }

    /** {@code unsigned int SSL_client_hello_get0_legacy_version(SSL *s)}: the legacy_version field (0x0303 for TLS 1.2 and 1.3). */
    public static int SSL_client_hello_get0_legacy_version(long s) {
        try {
            return (int) SSL_client_hello_get0_legacy_version.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_client_hello_get0_legacy_version", failure);
        }
    }

    /**
     * {@code size_t SSL_client_hello_get0_ciphers(SSL *s, const unsigned char **out)}: get0: *out borrowed,
     * valid only inside the callback; the cipher suites, two bytes each.
     */
    public static long SSL_client_hello_get0_ciphers(long s, long[] out) {
        try {
            return (long) SSL_client_hello_get0_ciphers.invokeExact(s, heap(out));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_client_hello_get0_ciphers", failure);
        }
    }

    /**
     * {@code int SSL_client_hello_get1_extensions_present(SSL *s, int **out, size_t *outlen)}: get1: *out
     * is owned by the caller, freed with OPENSSL_free (CRYPTO_free); the extension types in order.
     */
    public static int SSL_client_hello_get1_extensions_present(long s, long[] out, long[] outlen) {
        try {
            return (int) SSL_client_hello_get1_extensions_present.invokeExact(s, heap(out), heap(outlen));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_client_hello_get1_extensions_present", failure);
        }
    }

    /**
     * {@code int SSL_client_hello_get0_ext(SSL *s, unsigned int type, const unsigned char **out, size_t *outlen)}:
     * get0: *out borrowed, valid only inside the callback; 0 when the extension is absent.
     */
    public static int SSL_client_hello_get0_ext(long s, int type, long[] out, long[] outlen) {
        try {
            return (int) SSL_client_hello_get0_ext.invokeExact(s, type, heap(out), heap(outlen));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_client_hello_get0_ext", failure);
        }
    }

    /**
     * {@code int SSL_CTX_set_alpn_protos(SSL_CTX *ctx, const unsigned char *protos, unsigned int protos_len)}:
     * copies the client's offer (length-prefixed names); 0 on success (sic).
     */
    public static int SSL_CTX_set_alpn_protos(long ctx, byte[] protos, int protos_len) {
        try {
            return (int) SSL_CTX_set_alpn_protos.invokeExact(ctx, heap(protos), protos_len);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_alpn_protos", failure);
        }
    }

    /**
     * {@code void SSL_CTX_set_alpn_select_cb(SSL_CTX *ctx, SSL_CTX_alpn_select_cb_func cb, void *arg)}:
     * OpenSSL keeps cb.
     */
    public static void SSL_CTX_set_alpn_select_cb(long ctx, SSL_CTX_alpn_select_cb_func cb, long arg) {
        try {
            SSL_CTX_set_alpn_select_cb.invokeExact(ctx, Upcalls.pointer(cb), arg);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_CTX_set_alpn_select_cb", failure);
        }
    }

    /**
     * {@code void SSL_get0_alpn_selected(const SSL *ssl, const unsigned char **data, unsigned int *len)}:
     * get0: borrowed, valid while ssl lives; NULL and 0 when none was chosen.
     */
    public static void SSL_get0_alpn_selected(long s, long[] data, int[] len) {
        try {
            SSL_get0_alpn_selected.invokeExact(s, heap(data), heap(len));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get0_alpn_selected", failure);
        }
    }

    /** {@code X509 *SSL_get_certificate(const SSL *ssl)}: get0: the leaf this connection presents; 0 when none. */
    public static long SSL_get_certificate(long s) {
        try {
            return (long) SSL_get_certificate.invokeExact(s);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_certificate", failure);
        }
    }

    /**
     * {@code int SSL_set_ex_data(SSL *ssl, int idx, void *data)}:
     * stores a pointer-sized value; OpenSSL does not own it.
     */
    public static int SSL_set_ex_data(long s, int idx, long data) {
        try {
            return (int) SSL_set_ex_data.invokeExact(s, idx, data);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_set_ex_data", failure);
        }
    }

    /** {@code void *SSL_get_ex_data(const SSL *ssl, int idx)}: get0; 0 when nothing was stored. */
    public static long SSL_get_ex_data(long s, int idx) {
        try {
            return (long) SSL_get_ex_data.invokeExact(s, idx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("SSL_get_ex_data", failure);
        }
    }
}
