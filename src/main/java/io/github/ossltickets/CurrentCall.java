package io.github.ossltickets;

import com.sun.jna.Pointer;
import io.github.ossltickets.ffi.SslMessageCallback;

/**
 * Which {@link Ssl} the current thread is driving through OpenSSL. OpenSSL runs every callback on the
 * thread that called it, so a callback finds its Java connection here, and a callback's failure is
 * recorded where the driving call will rethrow it.
 */
final class CurrentCall {
    private CurrentCall() {}

    private static final ThreadLocal<Ssl> DRIVING = new ThreadLocal<>();

    /** One message callback for all connections; static, so the GC can never free it. */
    static final SslMessageCallback MESSAGE_CALLBACK = CurrentCall::onMessage;

    static Ssl enter(Ssl ssl) {
        Ssl previous = DRIVING.get();
        DRIVING.set(ssl);
        return previous;
    }

    static void exit(Ssl previous) {
        DRIVING.set(previous);
    }

    /** The Java connection being driven for {@code sslAddress}, or null if this thread is not driving it. */
    static Ssl driving(long sslAddress) {
        Ssl ssl = DRIVING.get();
        return ssl != null && ssl.rawAddress() == sslAddress ? ssl : null;
    }

    private static void onMessage(int writeP, int version, int contentType, Pointer buf, long len, long ssl,
            Pointer arg) {
        try {
            Ssl driving = driving(ssl);
            MessageLog log = driving == null ? null : driving.messageLog();
            if (log != null && len >= 2) {
                log.record(writeP == 1, contentType, buf.getByte(0) & 0xff, buf.getByte(1) & 0xff);
            }
        } catch (Throwable ignored) {
            // Counting must never disturb the handshake; nothing here can fail short of an Error.
        }
    }
}
