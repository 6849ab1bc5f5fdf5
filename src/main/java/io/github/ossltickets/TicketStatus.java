package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;

/**
 * Mirrors {@code SSL_TICKET_STATUS}: what OpenSSL found when it tried to decrypt a ticket, as passed
 * to the decrypt callback of {@code SSL_CTX_set_session_ticket_cb}. The codes 0 to 2
 * ({@code SSL_TICKET_FATAL_ERR_MALLOC}, {@code _FATAL_ERR_OTHER}, {@code _NONE}) are never passed to
 * the callback and are rejected by {@link #fromCode(int)}.
 */
public enum TicketStatus {
    /** {@code SSL_TICKET_EMPTY}: the client offered an empty ticket (TLS 1.2 "I support tickets"). */
    EMPTY(LibSsl.SSL_TICKET_EMPTY),
    /** {@code SSL_TICKET_NO_DECRYPT}: the ticket could not be decrypted (unknown key, bad HMAC, ...). */
    NO_DECRYPT(LibSsl.SSL_TICKET_NO_DECRYPT),
    /** {@code SSL_TICKET_SUCCESS}: decrypted; the session is available. */
    SUCCESS(LibSsl.SSL_TICKET_SUCCESS),
    /** {@code SSL_TICKET_SUCCESS_RENEW}: decrypted, and OpenSSL or the key callback asks for a new ticket. */
    SUCCESS_RENEW(LibSsl.SSL_TICKET_SUCCESS_RENEW);

    private final int code;

    TicketStatus(int code) {
        this.code = code;
    }

    /** The C value. */
    public int code() {
        return code;
    }

    /** True for {@link #SUCCESS} and {@link #SUCCESS_RENEW}, the statuses that come with a session. */
    public boolean isSuccess() {
        return this == SUCCESS || this == SUCCESS_RENEW;
    }

    /** values() copies its array on each call; a callback looks a code up on every ticket. */
    private static final TicketStatus[] ALL = values();

    /** The constant for a C value; throws {@link IllegalArgumentException} for any other value. */
    public static TicketStatus fromCode(int code) {
        for (TicketStatus status : ALL) {
            if (status.code == code) {
                return status;
            }
        }
        throw new IllegalArgumentException("not an SSL_TICKET_STATUS passed to the decrypt callback: " + code);
    }
}
