package io.github.ossltickets;

/**
 * Called by OpenSSL just before it makes a session ticket: the Java side of
 * {@code SSL_CTX_generate_session_ticket_fn}, installed with
 * {@link SslContext#setTicketCallbacks(TicketGenerator, TicketDecryptor)}.
 *
 * <p>It runs once per NewSessionTicket: in TLS 1.3 after the client's Finished, once per ticket
 * ({@code num_tickets} times on a full handshake, once when a resumption renews); in TLS 1.2 once when
 * a ticket is sent. The usual work is {@code session.setTicketAppData(...)}.
 *
 * <p>The session may be a copy that already carries the app data of the ticket being renewed; it
 * stays unless you overwrite it.
 *
 * <p>Threads, re-entry and lifetime: the
 * <a href="package-summary.html#callback-rules">rules for every callback</a>.
 */
@FunctionalInterface
public interface TicketGenerator {
    /**
     * @param connection the server connection issuing the ticket
     * @param session {@code SSL_get_session(s)}, borrowed: valid only until this method returns
     * @return true to issue the ticket; false to fail the handshake (OpenSSL sends internal_error)
     */
    boolean onNewTicket(Ssl connection, SslSession session);
}
