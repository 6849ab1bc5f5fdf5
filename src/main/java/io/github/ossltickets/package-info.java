/**
 * The handles and the API: {@link io.github.ossltickets.OpenSsl}, {@link io.github.ossltickets.SslContext},
 * {@link io.github.ossltickets.Ssl}, {@link io.github.ossltickets.SslSession}, and the ticket callbacks
 * {@link io.github.ossltickets.TicketGenerator}, {@link io.github.ossltickets.TicketDecryptor} and
 * {@link io.github.ossltickets.TicketKeyCallback}.
 *
 * <h2>Layers</h2>
 * Each package uses only those listed before it:
 * <ol>
 *   <li>{@code io.github.ossltickets.ffi}: the raw mapping of {@code libssl.so.3} and
 *       {@code libcrypto.so.3}, C names, no checks, not exported from the module;</li>
 *   <li>this package: handles that own or borrow native objects, the callbacks' bridges, and the only
 *       code that calls {@code ffi};</li>
 *   <li>{@link io.github.ossltickets.keys}: ticket keys, their schedule and rotation, key files (JDK only);</li>
 *   <li>{@code io.github.ossltickets.policy}, when present: what a ticket may carry and when it is accepted;</li>
 *   <li>{@link io.github.ossltickets.net}: connections over memory and sockets, a TLS server and client;</li>
 *   <li>{@code io.github.ossltickets.cli}: the demo and the command line ({@code demo}, {@code matrix},
 *       {@code serve}, {@code keys}), not exported.</li>
 * </ol>
 * The optional integrations use any of these, but not each other or {@code cli}:
 * {@link io.github.ossltickets.netty}, {@code io.github.ossltickets.tomcat} (Java 22+, under
 * {@code META-INF/versions/22}), {@link io.github.ossltickets.redis} and
 * {@link io.github.ossltickets.metrics}. Each needs its own library only when used.
 *
 * <h2 id="callback-rules">Rules for every callback</h2>
 * These hold for the generator, the decryptor and the key callback alike.
 * <ul>
 *   <li><b>Threads.</b> OpenSSL calls a callback on the thread that drives the handshake, concurrently
 *       on every thread that runs a handshake on the context, yours or another library's. Make it
 *       thread-safe, and do not block in it: the handshake, and the thread running it, wait until it
 *       returns.</li>
 *   <li><b>Re-entry.</b> Inside a callback the connection allows read-only calls
 *       ({@code protocolVersion()}, {@code isSessionReused()}, {@code session()}, ...) and
 *       {@link io.github.ossltickets.Ssl#close()}, which is deferred until the handshake call returns.
 *       Calls that would re-enter OpenSSL's state machine on the same connection ({@code handshake},
 *       {@code read}, {@code write}, {@code setSession}, {@code newSessionTicket}, ...) throw
 *       {@link java.lang.IllegalStateException}. Calls on the context and on other connections are
 *       allowed.</li>
 *   <li><b>Lifetime.</b> The connection and session a callback receives from OpenSSL are lent for the
 *       call: after it returns they throw {@link java.lang.IllegalStateException} rather than touch
 *       memory OpenSSL may have freed. Copy what you keep ({@code ticketAppData()} is a copy;
 *       {@code SslSession.copy()} makes an owned session). Installed callbacks belong to the native
 *       {@code SSL_CTX} and live as long as OpenSSL keeps it.</li>
 *   <li><b>Failure.</b> A {@link java.lang.Throwable} never reaches native code: the callback fails
 *       closed (each interface says with what value), and the exception becomes the cause of the
 *       driving call's {@link io.github.ossltickets.OpenSslException}, or goes to the context's failure
 *       listener when no call of ours drives the handshake.</li>
 * </ul>
 *
 * <p>Size limits of tickets and their app data: {@link io.github.ossltickets.TicketSizeLimits}.
 */
package io.github.ossltickets;
