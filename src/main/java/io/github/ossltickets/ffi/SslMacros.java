package io.github.ossltickets.ffi;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * The C macros the library needs, re-implemented over the functions they expand to. Each method
 * quotes the macro from the OpenSSL 3 headers.
 *
 * <p>Note: in OpenSSL 3 {@code SSL_CTX_set_tlsext_ticket_key_evp_cb} is a real exported function
 * (tls1.h), so it is bound in {@link LibSsl}, not here.
 */
public final class SslMacros {
    // Through the chosen backend (Raw), so that one class serves JNA and FFM.
    private SslMacros() {}

    /** {@code #define SSL_CTX_set_min_proto_version(ctx, version) SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, version, NULL)} */
    public static long SSL_CTX_set_min_proto_version(long ctx, int version) {
        return OPENSSL.SSL_CTX_ctrl(ctx, LibSsl.SSL_CTRL_SET_MIN_PROTO_VERSION, version, 0);
    }

    /** {@code #define SSL_CTX_set_max_proto_version(ctx, version) SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, version, NULL)} */
    public static long SSL_CTX_set_max_proto_version(long ctx, int version) {
        return OPENSSL.SSL_CTX_ctrl(ctx, LibSsl.SSL_CTRL_SET_MAX_PROTO_VERSION, version, 0);
    }

    /** {@code #define SSL_CTX_set_session_cache_mode(ctx,m) SSL_CTX_ctrl(ctx,SSL_CTRL_SET_SESS_CACHE_MODE,m,NULL)} */
    public static long SSL_CTX_set_session_cache_mode(long ctx, long mode) {
        return OPENSSL.SSL_CTX_ctrl(ctx, LibSsl.SSL_CTRL_SET_SESS_CACHE_MODE, mode, 0);
    }

    /** {@code #define SSL_CTX_set_tlsext_ticket_keys(ctx, keys, keylen) SSL_CTX_ctrl(ctx, SSL_CTRL_SET_TLSEXT_TICKET_KEYS, keylen, keys)} */
    public static long SSL_CTX_set_tlsext_ticket_keys(long ctx, byte[] keys, long keylen) {
        int length = Math.toIntExact(keylen);
        return OPENSSL.withWipedMemory(length, copy -> { // key material: never in memory the GC frees unwiped
            OPENSSL.write(copy, keys, 0, length);
            return OPENSSL.SSL_CTX_ctrl(ctx, LibSsl.SSL_CTRL_SET_TLSEXT_TICKET_KEYS, keylen, copy);
        });
    }

    /** {@code #define SSL_CTX_get_tlsext_ticket_keys(ctx, keys, keylen) SSL_CTX_ctrl(ctx, SSL_CTRL_GET_TLSEXT_TICKET_KEYS, keylen, keys)} */
    public static long SSL_CTX_get_tlsext_ticket_keys(long ctx, byte[] keys, long keylen) {
        int length = Math.toIntExact(keylen);
        return OPENSSL.withWipedMemory(length, copy -> {
            long result = OPENSSL.SSL_CTX_ctrl(ctx, LibSsl.SSL_CTRL_GET_TLSEXT_TICKET_KEYS, keylen, copy);
            OPENSSL.read(copy, keys, 0, length);
            return result;
        });
    }

    /**
     * {@code #define SSL_CTX_get_ex_new_index(l, p, newf, dupf, freef) CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, l, p, newf, dupf, freef)}
     */
    public static int SSL_CTX_get_ex_new_index(long argl, long argp, long newFunc, long dupFunc,
            CRYPTO_EX_free freeFunc) {
        return OPENSSL.CRYPTO_get_ex_new_index(LibCrypto.CRYPTO_EX_INDEX_SSL_CTX, argl, argp, newFunc, dupFunc,
                freeFunc);
    }

    /** {@code #define BIO_shutdown_wr(b) (int)BIO_ctrl(b, BIO_C_SHUTDOWN_WR, 0, NULL)}: the peer of a BIO pair reads end of file. */
    public static int BIO_shutdown_wr(long bio) {
        return (int) OPENSSL.BIO_ctrl(bio, LibCrypto.BIO_C_SHUTDOWN_WR, 0, 0);
    }

    /** {@code #define SSL_set_mode(ssl,op) SSL_ctrl((ssl),SSL_CTRL_MODE,(op),NULL)}: adds modes; returns them all. */
    public static long SSL_set_mode(long ssl, long mode) {
        return OPENSSL.SSL_ctrl(ssl, LibSsl.SSL_CTRL_MODE, mode, 0);
    }

    /** {@code #define SSL_CTX_get_session_cache_mode(ctx) SSL_CTX_ctrl(ctx,SSL_CTRL_GET_SESS_CACHE_MODE,0,NULL)} */
    public static long SSL_CTX_get_session_cache_mode(long ctx) {
        return OPENSSL.SSL_CTX_ctrl(ctx, LibSsl.SSL_CTRL_GET_SESS_CACHE_MODE, 0, 0);
    }

    /**
     * {@code #define SSL_CTX_add1_chain_cert(ctx,x509) SSL_CTX_ctrl(ctx,SSL_CTRL_CHAIN_CERT,1,(char *)(x509))}:
     * appends {@code x509} to the chain of the context's current certificate, taking its own reference
     * (the caller still frees its own); 1 on success.
     */
    public static long SSL_CTX_add1_chain_cert(long ctx, long x509) {
        return OPENSSL.SSL_CTX_ctrl(ctx, LibSsl.SSL_CTRL_CHAIN_CERT, 1, x509);
    }
}
