/**
 * Connections that move TLS records: in memory ({@link io.github.ossltickets.net.InMemoryConnection},
 * a server and a client joined by a BIO pair) and over sockets
 * ({@link io.github.ossltickets.net.TlsConnection}, {@link io.github.ossltickets.net.TlsServer},
 * {@link io.github.ossltickets.net.TlsClient}).
 *
 * <p>It drives the root package's {@link io.github.ossltickets.Ssl} through a
 * {@link io.github.ossltickets.NetworkBio}, and uses {@code keys}; it never calls OpenSSL directly. The
 * callbacks installed on a context run on the threads this package drives handshakes on, under the
 * rules in the root package. The command line ({@code cli}) serves over it.
 */
package io.github.ossltickets.net;
