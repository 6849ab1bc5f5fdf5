package io.github.ossltickets.ffi;

import com.sun.jna.Callback;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The server-name callback, {@code SSL_CTX_set_tlsext_servername_callback}: only the tests install it
 * (to record when OpenSSL runs it), so the mapping lives here.
 */
public final class ServerNameCallback {
    /** {@code SSL_CTRL_SET_TLSEXT_SERVERNAME_CB}. */
    public static final int SSL_CTRL_SET_TLSEXT_SERVERNAME_CB = 53;

    private ServerNameCallback() {
    }

    /** {@code int (*cb)(SSL *s, int *al, void *arg)}: SSL_TLSEXT_ERR_OK (0) to go on. */
    public interface Function extends Callback {
        int callback(long ssl, Pointer al, Pointer arg);
    }

    /**
     * {@code SSL_CTX_set_tlsext_servername_callback(ctx, cb)}, a macro over
     * {@code SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, (void (*)(void))cb)}. OpenSSL
     * keeps cb: the caller keeps it reachable while ctx lives.
     */
    public static void install(long ctx, Function cb) {
        NativeLibrary libssl = NativeLibrary.getInstance(System.getProperty("ossltickets.libssl", LibSsl.DEFAULT_NAME));
        long result = libssl.getFunction("SSL_CTX_callback_ctrl").invokeLong(
                new Object[] {Pointer.createConstant(ctx), SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, cb});
        if (result != 1) {
            throw new IllegalStateException("SSL_CTX_set_tlsext_servername_callback failed");
        }
    }
}
