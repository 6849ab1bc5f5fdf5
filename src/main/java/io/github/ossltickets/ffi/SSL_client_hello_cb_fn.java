package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/**
 * {@code typedef int (*SSL_client_hello_cb_fn)(SSL *s, int *al, void *arg);}
 *
 * <p>Returns {@code SSL_CLIENT_HELLO_SUCCESS}, {@code SSL_CLIENT_HELLO_ERROR} (with the alert to send
 * written to {@code *al}) or {@code SSL_CLIENT_HELLO_RETRY}. The {@code SSL_client_hello_get*}
 * functions work on {@code s} only during the call.
 */
public interface SSL_client_hello_cb_fn extends Callback {
    int callback(long s, long al, long arg);
}
