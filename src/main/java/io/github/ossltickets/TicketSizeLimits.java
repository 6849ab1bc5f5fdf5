package io.github.ossltickets;

/**
 * How large a ticket, and so its app data, can be: the two limits OpenSSL and TLS set, in one place.
 * docs/openssl-behaviour.md ("How much app data fits") measures them per OpenSSL version, and the
 * exceptions that a too-large ticket causes name them.
 *
 * <ul>
 *   <li><b>Issuing (server).</b> OpenSSL sends no ticket for a session whose DER encoding
 *       ({@code i2d_SSL_SESSION}) exceeds {@link #MAX_ENCODED_SESSION}: the handshake fails with
 *       internal_error. In TLS 1.2 that is the limit, about 65 KB of app data.</li>
 *   <li><b>Offering (client).</b> A ClientHello carries all its extensions in a block with a 2-byte
 *       length, at most {@link #MAX_CLIENT_HELLO_EXTENSIONS}. A TLS 1.3 PSK identity is the whole ticket,
 *       so a ticket the server could issue may leave the client unable to build its ClientHello: in
 *       TLS 1.3 the limit is lower, and depends on the client's other extensions.</li>
 * </ul>
 * Keep app data small: the ticket travels on every resumption.
 */
public final class TicketSizeLimits {
    private TicketSizeLimits() {}

    /** The largest session encoding OpenSSL puts in a ticket: 0xFF00, 65,280 bytes. */
    public static final int MAX_ENCODED_SESSION = 0xFF00;

    /** The most bytes a ClientHello's extensions, an offered ticket among them, can take: 0xFFFF, 65,535. */
    public static final int MAX_CLIENT_HELLO_EXTENSIONS = 0xFFFF;

    /** App data above this size is checked against {@link #MAX_ENCODED_SESSION}, so a failure can say why. */
    static final int LARGE_APP_DATA = 32 * 1024;

    /** An offered ticket above this size is named when a client's handshake fails: it may not fit a ClientHello. */
    static final int LARGE_TICKET = 60_000;
}
