package io.github.ossltickets.ffi;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.github.ossltickets.OpenSsl;

/**
 * The deprecated ticket key callback with an {@code HMAC_CTX}, bound only for the port of OpenSSL's
 * own test of it ({@code SslApiTicketCallbacksTest}). The library itself uses the EVP callback.
 */
public final class LegacyTicketKeys {
    private LegacyTicketKeys() {}

    public static final int SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB = 72;

    static {
        OpenSsl.ensureLoaded();
        // dlsym on libssl's handle also finds its dependency libcrypto's HMAC_Init_ex.
        Native.register(LegacyTicketKeys.class,
                NativeLibrary.getInstance(System.getProperty("ossltickets.libssl", LibSsl.DEFAULT_NAME)));
    }

    /**
     * {@code int (*cb)(SSL *s, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
     * EVP_CIPHER_CTX *ctx, HMAC_CTX *hctx, int enc)}: returns as the EVP callback does.
     */
    public interface TicketKeyCallback extends Callback {
        int callback(long s, Pointer key_name, Pointer iv, long ctx, long hctx, int enc);
    }

    /** {@code long SSL_CTX_callback_ctrl(SSL_CTX *ctx, int cmd, void (*fp)(void))}. */
    public static native long SSL_CTX_callback_ctrl(long ctx, int cmd, TicketKeyCallback fp);

    /** {@code int HMAC_Init_ex(HMAC_CTX *ctx, const void *key, int len, const EVP_MD *md, ENGINE *impl)}: deprecated in 3.0. */
    public static native int HMAC_Init_ex(long ctx, byte[] key, int len, long md, Pointer impl);

    /** {@code #define SSL_CTX_set_tlsext_ticket_key_cb(ssl, cb) SSL_CTX_callback_ctrl(ssl, SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB, (void (*)(void))cb)} */
    public static long SSL_CTX_set_tlsext_ticket_key_cb(long ctx, TicketKeyCallback cb) {
        return SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB, cb);
    }
}
