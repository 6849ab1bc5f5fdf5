package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;

import java.util.Optional;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * What one connection sent and received, seen through {@code SSL_set_msg_callback}: the
 * NewSessionTicket messages and the first fatal alert each way. Enable it with
 * {@link Ssl#trackMessages()}. Counting NewSessionTicket messages is the reliable ticket count: the
 * client's new-session callback does not fire for a renewed TLS 1.2 ticket.
 */
public final class MessageLog {
    private int ticketsReceived;
    private int ticketsSent;
    private int fatalAlertSent = -1;
    private int fatalAlertReceived = -1;

    MessageLog() {}

    void record(boolean sent, int contentType, int firstByte, int secondByte) {
        if (contentType == LibSsl.SSL3_RT_HANDSHAKE && firstByte == LibSsl.SSL3_MT_NEWSESSION_TICKET) {
            if (sent) {
                ticketsSent++;
            } else {
                ticketsReceived++;
            }
        } else if (contentType == LibSsl.SSL3_RT_ALERT && firstByte == LibSsl.SSL3_AL_FATAL) {
            if (sent && fatalAlertSent < 0) {
                fatalAlertSent = secondByte;
            } else if (!sent && fatalAlertReceived < 0) {
                fatalAlertReceived = secondByte;
            }
        }
    }

    /** NewSessionTicket messages (handshake type 4) this connection received. */
    public int ticketsReceived() {
        return ticketsReceived;
    }

    /** NewSessionTicket messages this connection sent. */
    public int ticketsSent() {
        return ticketsSent;
    }

    /** The first fatal alert sent, in OpenSSL's long form with underscores, such as "internal_error". */
    public Optional<String> fatalAlertSent() {
        return alertName(fatalAlertSent);
    }

    /** The first fatal alert received, named as in {@link #fatalAlertSent()}. */
    public Optional<String> fatalAlertReceived() {
        return alertName(fatalAlertReceived);
    }

    /** Counts from zero again. */
    public void reset() {
        ticketsReceived = 0;
        ticketsSent = 0;
        fatalAlertSent = -1;
        fatalAlertReceived = -1;
    }

    /** {@code SSL_alert_desc_string_long(code)} with spaces as underscores. */
    static Optional<String> alertName(int code) {
        if (code < 0) {
            return Optional.empty();
        }
        return Optional.of(OPENSSL.string(OPENSSL.SSL_alert_desc_string_long(code)).replace(' ', '_'));
    }
}
