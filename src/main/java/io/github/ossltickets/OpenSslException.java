package io.github.ossltickets;


import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * An OpenSSL call failed. The message names the call and carries the text of OpenSSL's error queue
 * ({@code ERR_get_error} / {@code ERR_error_string_n}) for the calling thread, drained at the time
 * of the failure. When a Java ticket callback caused the failure, it is the {@link #getCause() cause}.
 */
public class OpenSslException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String[] errorQueue;

    OpenSslException(String what, List<String> errorQueue, Throwable cause) {
        super(what + (errorQueue.isEmpty() ? "" : ": " + String.join("; ", errorQueue)), cause);
        this.errorQueue = errorQueue.toArray(new String[0]);
    }

    /** Builds an exception for a failed call, draining this thread's OpenSSL error queue. */
    static OpenSslException fromErrorQueue(String what) {
        return new OpenSslException(what, drainErrorQueue(), null);
    }

    /** The OpenSSL error-queue lines, oldest first; empty when OpenSSL queued nothing. */
    public List<String> errorQueue() {
        return List.of(errorQueue);
    }

    /** Empties this thread's OpenSSL error queue and returns its lines, oldest first. */
    static List<String> drainErrorQueue() {
        List<String> lines = new ArrayList<>(2);
        byte[] buffer = null;
        for (long code; (code = OPENSSL.ERR_get_error()) != 0; ) {
            if (buffer == null) {
                buffer = new byte[256];
            }
            OPENSSL.ERR_error_string_n(code, buffer, buffer.length);
            lines.add(cString(buffer));
        }
        return lines;
    }

    /** The bytes of {@code buffer} before its first NUL, as UTF-8. */
    private static String cString(byte[] buffer) {
        int length = 0;
        while (length < buffer.length && buffer[length] != 0) {
            length++;
        }
        return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }
}
