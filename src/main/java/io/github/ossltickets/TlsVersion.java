package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;

/** The protocol versions with session tickets: {@code TLS1_2_VERSION} and {@code TLS1_3_VERSION}. */
public enum TlsVersion {
    TLS1_2(LibSsl.TLS1_2_VERSION, "TLSv1.2"),
    TLS1_3(LibSsl.TLS1_3_VERSION, "TLSv1.3");

    private final int code;
    private final String openSslName;

    TlsVersion(int code, String openSslName) {
        this.code = code;
        this.openSslName = openSslName;
    }

    /** The C value, such as 0x0304. */
    public int code() {
        return code;
    }

    /** OpenSSL's name, as {@code SSL_get_version} prints it: "TLSv1.2" or "TLSv1.3". */
    public String openSslName() {
        return openSslName;
    }

    /** The version for a C value ({@code TLS1_2_VERSION}, {@code TLS1_3_VERSION}); throws for any other. */
    public static TlsVersion fromCode(int code) {
        for (TlsVersion version : values()) {
            if (version.code == code) {
                return version;
            }
        }
        throw new IllegalArgumentException(String.format("protocol 0x%x has no session tickets", code));
    }

    /** The version named as OpenSSL names it, "TLSv1.2" or "TLSv1.3". */
    public static TlsVersion fromName(String name) {
        for (TlsVersion version : values()) {
            if (version.openSslName.equals(name)) {
                return version;
            }
        }
        throw new IllegalArgumentException("not a TLS version with tickets: " + name + " (use TLSv1.2 or TLSv1.3)");
    }
}
