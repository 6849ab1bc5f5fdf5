package io.github.ossltickets;

import java.util.Optional;

/**
 * Decides ticket by ticket what OpenSSL does with a ticket the client offered: the Java side of
 * {@code SSL_CTX_decrypt_session_ticket_fn}, installed with
 * {@link SslContext#setTicketCallbacks(TicketGenerator, TicketDecryptor)}.
 *
 * <p>It may be called more than once per handshake: in TLS 1.3 once for each PSK identity the client
 * offers, and always before OpenSSL has decided to resume. In TLS 1.2 it is also called for the empty
 * ticket of a first connection ({@link TicketStatus#EMPTY}).
 *
 * <p>An exception thrown here fails closed: the context's fallback (ABORT unless set otherwise) goes
 * to OpenSSL and the exception becomes the cause of the handshake's {@link OpenSslException}.
 * Returning null, or USE / USE_RENEW for a status that is not a success, is passed to OpenSSL as the
 * fatal error it is, and the handshake's exception says which rule was broken.
 *
 * <p>Threads, re-entry and lifetime: the
 * <a href="package-summary.html#callback-rules">rules for every callback</a>.
 */
@FunctionalInterface
public interface TicketDecryptor {
    /**
     * @param connection the server connection
     * @param session the decrypted session, borrowed and valid only until this method returns;
     *     present only for {@link TicketStatus#SUCCESS} and {@link TicketStatus#SUCCESS_RENEW}
     * @param keyName a copy of the first {@code keyname_length} bytes of the ticket: 16 for a ticket
     *     long enough, 0 for {@link TicketStatus#EMPTY}
     * @param status what OpenSSL found
     * @return what OpenSSL should do; {@link TicketReturn#defaultFor(TicketStatus)} is OpenSSL's default
     */
    TicketReturn decide(Ssl connection, Optional<SslSession> session, byte[] keyName, TicketStatus status);
}
