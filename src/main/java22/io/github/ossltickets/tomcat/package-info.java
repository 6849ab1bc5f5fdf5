/**
 * Ticket callbacks on a Tomcat 11 connector that terminates TLS with Tomcat's FFM OpenSSL
 * ({@link io.github.ossltickets.tomcat.TomcatTickets}). Java 22 classes: the jar carries them under
 * {@code META-INF/versions/22}, so only a JDK 22 or later sees this package.
 *
 * <p>It borrows each {@code SSL_CTX} Tomcat makes through
 * {@link io.github.ossltickets.SslContext#borrow(long)} and installs callbacks under the root
 * package's rules; it uses no other integration. Tomcat is the user's dependency, on the class path.
 */
package io.github.ossltickets.tomcat;
