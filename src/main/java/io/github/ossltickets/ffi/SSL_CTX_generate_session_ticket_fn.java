package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/** {@code typedef int (*SSL_CTX_generate_session_ticket_fn)(SSL *s, void *arg);} */
@SuppressWarnings("checkstyle:TypeName")
public interface SSL_CTX_generate_session_ticket_fn extends Callback {
    /** Returns 1 to go on, 0 to fail the handshake with an internal_error alert. */
    int callback(long s, long arg);
}
