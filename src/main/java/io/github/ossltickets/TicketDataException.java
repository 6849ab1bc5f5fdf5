package io.github.ossltickets;

/**
 * {@link TicketData} that cannot be read (malformed, another format, an unknown version) or written
 * (too large for a ticket). The message says what and where.
 */
public class TicketDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public TicketDataException(String message) {
        super(message);
    }
}
