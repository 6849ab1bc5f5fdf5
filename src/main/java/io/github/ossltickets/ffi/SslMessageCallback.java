package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/**
 * The callback of {@code SSL_set_msg_callback}, which has no C typedef:
 * {@code void (*cb)(int write_p, int version, int content_type, const void *buf, size_t len,
 * SSL *ssl, void *arg)}.
 */
public interface SslMessageCallback extends Callback {
    void callback(int write_p, int version, int content_type, long buf, long len, long ssl, long arg);
}
