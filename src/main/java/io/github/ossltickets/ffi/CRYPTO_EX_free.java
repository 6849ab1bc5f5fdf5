package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/**
 * {@code typedef void CRYPTO_EX_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
 * void *argp);}
 *
 * <p>Registered with {@code CRYPTO_get_ex_new_index}. OpenSSL calls it once per index each time an
 * object of that class is freed, with {@code ptr} the value stored in the index (0 when none was set).
 */
public interface CRYPTO_EX_free extends Callback {
    void callback(long parent, long ptr, long ad, int idx, long argl, long argp);
}
