package io.github.ossltickets.ffi;

import com.sun.jna.Memory;

/** The client's SNI, {@code SSL_set_tlsext_host_name}: only the tests set it, so the mapping lives here. */
public final class ClientServerName {
    /** {@code SSL_CTRL_SET_TLSEXT_HOSTNAME}. */
    public static final int SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;

    private ClientServerName() {
    }

    /** {@code SSL_set_tlsext_host_name(s, name)}, a macro over {@code SSL_ctrl}; OpenSSL copies the name. */
    public static void set(long ssl, String name) {
        set(ssl, name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** {@link #set(long, String)} with the name's bytes as they go on the wire (not necessarily UTF-8). */
    public static void set(long ssl, byte[] bytes) {
        try (Memory cString = new Memory(bytes.length + 1L)) {
            cString.write(0, bytes, 0, bytes.length);
            cString.setByte(bytes.length, (byte) 0);
            if (Raw.OPENSSL.SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, LibSsl.TLSEXT_NAMETYPE_host_name,
                    com.sun.jna.Pointer.nativeValue(cString)) != 1) {
                throw new IllegalStateException("SSL_set_tlsext_host_name failed");
            }
        }
    }
}
