package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;

/**
 * Mirrors {@code SSL_TICKET_RETURN}: what the decrypt callback tells OpenSSL to do with a ticket.
 *
 * <table>
 * <caption>Effect, per status (OpenSSL 3.0)</caption>
 * <tr><th>return</th><th>EMPTY or NO_DECRYPT</th><th>SUCCESS or SUCCESS_RENEW</th></tr>
 * <tr><td>ABORT</td><td colspan="2">handshake fails, internal_error alert</td></tr>
 * <tr><td>IGNORE</td><td colspan="2">full handshake, no new ticket</td></tr>
 * <tr><td>IGNORE_RENEW</td><td colspan="2">full handshake, new tickets</td></tr>
 * <tr><td>USE</td><td>handshake fails, internal_error</td><td>resumed, no new ticket</td></tr>
 * <tr><td>USE_RENEW</td><td>handshake fails, internal_error</td><td>resumed, one new ticket</td></tr>
 * </table>
 */
public enum TicketReturn {
    /** {@code SSL_TICKET_RETURN_ABORT}: fail the handshake. */
    ABORT(LibSsl.SSL_TICKET_RETURN_ABORT),
    /** {@code SSL_TICKET_RETURN_IGNORE}: do a full handshake and send no new ticket. */
    IGNORE(LibSsl.SSL_TICKET_RETURN_IGNORE),
    /** {@code SSL_TICKET_RETURN_IGNORE_RENEW}: do a full handshake and send new tickets. */
    IGNORE_RENEW(LibSsl.SSL_TICKET_RETURN_IGNORE_RENEW),
    /** {@code SSL_TICKET_RETURN_USE}: resume; valid only for a successful status. */
    USE(LibSsl.SSL_TICKET_RETURN_USE),
    /** {@code SSL_TICKET_RETURN_USE_RENEW}: resume and send a new ticket; valid only for a successful status. */
    USE_RENEW(LibSsl.SSL_TICKET_RETURN_USE_RENEW);

    private final int code;

    TicketReturn(int code) {
        this.code = code;
    }

    /** The C value. */
    public int code() {
        return code;
    }

    /** True for {@link #USE} and {@link #USE_RENEW}, which OpenSSL accepts only with a successful status. */
    public boolean resumes() {
        return this == USE || this == USE_RENEW;
    }

    /** values() copies its array on each call; a callback looks a code up on every ticket. */
    private static final TicketReturn[] ALL = values();

    /** The constant for a C value; throws {@link IllegalArgumentException} for any other value. */
    public static TicketReturn fromCode(int code) {
        for (TicketReturn value : ALL) {
            if (value.code == code) {
                return value;
            }
        }
        throw new IllegalArgumentException("not an SSL_TICKET_RETURN: " + code);
    }

    /**
     * OpenSSL's documented default decision for a status (SSL_CTX_set_session_ticket_cb(3)):
     * IGNORE_RENEW for EMPTY and NO_DECRYPT, USE for SUCCESS, USE_RENEW for SUCCESS_RENEW.
     */
    public static TicketReturn defaultFor(TicketStatus status) {
        switch (status) {
            case SUCCESS:
                return USE;
            case SUCCESS_RENEW:
                return USE_RENEW;
            default:
                return IGNORE_RENEW;
        }
    }
}
