package io.github.ossltickets;

/**
 * A ticket callback broke OpenSSL's rules (returned null, or USE for a ticket that did not decrypt),
 * or a callback's result could not be applied. It is the cause of the handshake's
 * {@link OpenSslException}.
 */
public class TicketCallbackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TicketCallbackException(String message) {
        super(message);
    }
}
