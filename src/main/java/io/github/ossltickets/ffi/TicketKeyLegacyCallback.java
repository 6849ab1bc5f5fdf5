package io.github.ossltickets.ffi;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * The deprecated callback of the macro {@code SSL_CTX_set_tlsext_ticket_key_cb}:
 * {@code int (*cb)(SSL *s, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
 * EVP_CIPHER_CTX *ctx, HMAC_CTX *hctx, int enc)}. Same return values as {@link TicketKeyEvpCallback}.
 * Bound only so that OpenSSL's own test of it can be ported; new code uses the EVP callback.
 */
public interface TicketKeyLegacyCallback extends Callback {
    int callback(long s, Pointer key_name, Pointer iv, long ctx, long hctx, int enc);
}
