package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/**
 * The callback of {@code SSL_CTX_set_tlsext_ticket_key_evp_cb}, which has no C typedef:
 * {@code int (*fp)(SSL *s, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
 * EVP_CIPHER_CTX *ctx, EVP_MAC_CTX *hctx, int enc)}.
 *
 * <p>Returns, for {@code enc == 1}: 1 ticket keys set, 0 send no ticket, negative error; for
 * {@code enc == 0}: 1 use, 2 use and renew, 0 key unknown, negative error.
 */
public interface TicketKeyEvpCallback extends Callback {
    int callback(long s, long key_name, long iv, long ctx, long hctx, int enc);
}
