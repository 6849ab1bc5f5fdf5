/**
 * Ticket callbacks on a Netty {@code SslContext} that runs on the dynamically linked netty-tcnative,
 * that is on the same {@code libssl.so.3} as this library ({@link io.github.ossltickets.netty.NettyTickets}).
 *
 * <p>It borrows Netty's {@code SSL_CTX} through {@link io.github.ossltickets.SslContext#borrow(long)}
 * and installs callbacks under the root package's rules; it uses no other integration. Netty is the
 * user's dependency ({@code provided}): nothing here loads unless this package is used.
 */
package io.github.ossltickets.netty;
