package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/**
 * {@code typedef SSL_TICKET_RETURN (*SSL_CTX_decrypt_session_ticket_fn)(SSL *s, SSL_SESSION *ss,
 * const unsigned char *keyname, size_t keyname_length, SSL_TICKET_STATUS status, void *arg);}
 *
 * <p>{@code ss} is 0 unless {@code status} is {@code SSL_TICKET_SUCCESS} or
 * {@code SSL_TICKET_SUCCESS_RENEW}; it is borrowed for the duration of the call.
 */
public interface SSL_CTX_decrypt_session_ticket_fn extends Callback {
    int callback(long s, long ss, long keyname, long keyname_length, int status, long arg);
}
