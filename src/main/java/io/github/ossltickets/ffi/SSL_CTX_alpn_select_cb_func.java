package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/**
 * {@code typedef int (*SSL_CTX_alpn_select_cb_func)(SSL *ssl, const unsigned char **out, unsigned char
 * *outlen, const unsigned char *in, unsigned int inlen, void *arg);}
 *
 * <p>{@code in} is the client's offer (length-prefixed names), borrowed for the call; {@code *out} must
 * point into memory that outlives the call (OpenSSL copies it afterwards): a pointer into {@code in}
 * does. Returns {@code SSL_TLSEXT_ERR_OK}, {@code _NOACK} or {@code _ALERT_FATAL}.
 */
public interface SSL_CTX_alpn_select_cb_func extends Callback {
    int callback(long ssl, long out, long outlen, long in, int inlen, long arg);
}
