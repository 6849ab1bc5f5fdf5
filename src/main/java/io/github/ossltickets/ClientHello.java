package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * The ClientHello a {@link ClientHelloCallback} is called with, read through OpenSSL's
 * {@code SSL_client_hello_get*} functions. Lent: every method throws {@link IllegalStateException}
 * once the callback has returned, because OpenSSL's pointers into the message are valid only during
 * it. {@link #info()} is the copy that stays valid (and that {@link Ssl#clientHello()} returns).
 */
public final class ClientHello {
    private static final String ENDED = "this ClientHello was lent to a ClientHelloCallback and is valid only"
            + " until the callback returns; keep ClientHello.info() instead";

    private final long ssl;
    private final ClientHelloInfo info;
    private boolean valid = true;

    private ClientHello(long ssl, ClientHelloInfo info) {
        this.ssl = ssl;
        this.info = info;
    }

    /** Reads the ClientHello that OpenSSL is processing on {@code ssl}; only inside the callback. */
    static ClientHello read(long ssl) {
        Optional<byte[]> sni = extension(ssl, LibSsl.TLSEXT_TYPE_server_name);
        Optional<byte[]> alpn = extension(ssl, LibSsl.TLSEXT_TYPE_application_layer_protocol_negotiation);
        Optional<byte[]> versions = extension(ssl, LibSsl.TLSEXT_TYPE_supported_versions);
        ClientHelloInfo info = new ClientHelloInfo(sni.flatMap(ClientHello::hostName),
                alpn.map(ClientHello::protocols).orElse(List.of()),
                versions.map(ClientHello::versions).orElse(List.of()),
                OPENSSL.SSL_client_hello_get0_legacy_version(ssl), cipherSuites(ssl), extensionTypes(ssl),
                OPENSSL.SSL_client_hello_isv2(ssl) == 1);
        return new ClientHello(ssl, info);
    }

    /** The callback has returned: from now on every method throws. */
    synchronized void end() {
        valid = false;
    }

    private synchronized void check() {
        if (!valid) {
            throw new IllegalStateException(ENDED);
        }
    }

    /** The copy of what this ClientHello said, valid after the callback too. */
    public ClientHelloInfo info() {
        check();
        return info;
    }

    /** The host name of the server_name extension; empty if none (or malformed). */
    public Optional<String> serverName() {
        return info().serverName();
    }

    /** The ALPN protocols offered, in the client's order; empty if none. */
    public List<String> alpnOffers() {
        return info().alpnOffers();
    }

    /** The supported_versions extension's versions (0x0304 = TLS 1.3); empty when absent. */
    public List<Integer> supportedVersions() {
        return info().supportedVersions();
    }

    /** {@code SSL_client_hello_get0_legacy_version}: 0x0303 from TLS 1.2 and 1.3 clients. */
    public int legacyVersion() {
        return info().legacyVersion();
    }

    /** {@code SSL_client_hello_get0_ciphers}, as two-byte cipher-suite codes (0x1301 = TLS_AES_128_GCM_SHA256). */
    public List<Integer> cipherSuites() {
        return info().cipherSuites();
    }

    /** {@code SSL_client_hello_get1_extensions_present}: the extension types, in the order sent. */
    public List<Integer> extensionTypes() {
        return info().extensionTypes();
    }

    /** {@code SSL_client_hello_isv2}. */
    public boolean isSslV2Format() {
        return info().sslV2Format();
    }

    /**
     * The body of extension {@code type}, copied ({@code SSL_client_hello_get0_ext}); empty when the
     * client did not send it.
     */
    public synchronized Optional<byte[]> extension(int type) {
        check();
        if (type < 0 || type > Character.MAX_VALUE) { // a 16-bit field
            throw new IllegalArgumentException("an extension type is 0 to 65535, not " + type);
        }
        return extension(ssl, type);
    }

    private static Optional<byte[]> extension(long ssl, int type) {
        long[] out = new long[1];
        long[] length = new long[1];
        if (OPENSSL.SSL_client_hello_get0_ext(ssl, type, out, length) != 1 || out[0] == 0) {
            return Optional.empty();
        }
        return Optional.of(OPENSSL.bytes(out[0], Math.toIntExact(length[0])));
    }

    private static List<Integer> cipherSuites(long ssl) {
        long[] out = new long[1];
        int length = Math.toIntExact(OPENSSL.SSL_client_hello_get0_ciphers(ssl, out));
        List<Integer> suites = new ArrayList<>(length / 2);
        if (out[0] != 0) {
            byte[] bytes = OPENSSL.bytes(out[0], length);
            for (int i = 0; i + 1 < length; i += 2) {
                suites.add(u16(bytes, i));
            }
        }
        return suites;
    }

    private static List<Integer> extensionTypes(long ssl) {
        long[] out = new long[1];
        long[] length = new long[1];
        if (OPENSSL.SSL_client_hello_get1_extensions_present(ssl, out, length) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_client_hello_get1_extensions_present failed");
        }
        if (out[0] == 0) {
            return List.of();
        }
        try {
            int[] types = OPENSSL.ints(out[0], Math.toIntExact(length[0]));
            List<Integer> list = new ArrayList<>(types.length);
            for (int type : types) {
                list.add(type);
            }
            return list;
        } finally {
            OPENSSL.CRYPTO_free(out[0], 0, 0); // get1: ours to free (OPENSSL_free)
        }
    }

    /** RFC 6066 ServerNameList: u16 length, then (type u8, u16 length, name) entries; type 0 is host_name. */
    static Optional<String> hostName(byte[] body) {
        if (body.length < 2 || u16(body, 0) != body.length - 2) {
            return Optional.empty();
        }
        int at = 2;
        while (at + 3 <= body.length) {
            int type = body[at] & 0xff;
            int length = u16(body, at + 1);
            at += 3;
            if (at + length > body.length) {
                return Optional.empty();
            }
            if (type == 0) {
                return length == 0 ? Optional.empty()
                        : Optional.of(new String(body, at, length, StandardCharsets.UTF_8));
            }
            at += length;
        }
        return Optional.empty();
    }

    /** RFC 7301 ProtocolNameList: u16 length, then (u8 length, name) entries. */
    static List<String> protocols(byte[] body) {
        List<String> names = new ArrayList<>();
        if (body.length < 2 || u16(body, 0) != body.length - 2) {
            return names;
        }
        int at = 2;
        while (at < body.length) {
            int length = body[at] & 0xff;
            if (length == 0 || at + 1 + length > body.length) {
                return List.of();
            }
            names.add(new String(body, at + 1, length, StandardCharsets.UTF_8));
            at += 1 + length;
        }
        return names;
    }

    /** RFC 8446 supported_versions in a ClientHello: u8 length, then u16 versions. */
    static List<Integer> versions(byte[] body) {
        List<Integer> list = new ArrayList<>();
        if (body.length < 1 || (body[0] & 0xff) != body.length - 1) {
            return list;
        }
        for (int at = 1; at + 1 < body.length; at += 2) {
            list.add(u16(body, at));
        }
        return list;
    }

    private static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }

    @Override
    public String toString() {
        return "ClientHello" + (valid ? info.toString() : "(ended)");
    }
}
