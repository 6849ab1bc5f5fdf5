package io.github.ossltickets;

import java.util.List;
import java.util.Optional;

/**
 * What a client's ClientHello said, copied out of OpenSSL by the {@link ClientHelloCallback} bridge:
 * unlike the {@link ClientHello} view, it stays valid after the callback, and {@link Ssl#clientHello()}
 * gives it to the ticket callbacks of the same handshake, which in TLS 1.3 run before OpenSSL has read
 * the server name itself (docs/openssl-behaviour.md#when-each-callback-runs).
 *
 * @param serverName the host name from the server_name extension (type 0), empty if none was sent or
 *     it was malformed
 * @param alpnOffers the protocols offered in the ALPN extension (type 16), in the client's order
 * @param supportedVersions the versions in the supported_versions extension (type 43), such as 0x0304;
 *     empty for a client that only knows TLS 1.2 or older
 * @param legacyVersion the legacy_version field ({@code SSL_client_hello_get0_legacy_version})
 * @param cipherSuites the offered cipher suites as two-byte codes ({@code SSL_client_hello_get0_ciphers})
 * @param extensionTypes the extension types in the order sent ({@code SSL_client_hello_get1_extensions_present})
 * @param sslV2Format true for an SSLv2-format ClientHello ({@code SSL_client_hello_isv2})
 */
public record ClientHelloInfo(Optional<String> serverName, List<String> alpnOffers, List<Integer> supportedVersions,
        int legacyVersion, List<Integer> cipherSuites, List<Integer> extensionTypes, boolean sslV2Format) {
    /** Copies the lists, so that the record is immutable. */
    public ClientHelloInfo {
        serverName = serverName == null ? Optional.empty() : serverName;
        alpnOffers = List.copyOf(alpnOffers);
        supportedVersions = List.copyOf(supportedVersions);
        cipherSuites = List.copyOf(cipherSuites);
        extensionTypes = List.copyOf(extensionTypes);
    }
}
