package io.github.ossltickets;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the ticket callbacks of one native context have done so far ({@link SslContext#ticketStats()}):
 * a snapshot, counted by the callback bridges at the cost of an uncontended counter increment.
 *
 * @param ticketsGenerated generator calls that let a ticket be made (returned true)
 * @param decryptsByStatus decrypt callback calls, by the status OpenSSL passed
 * @param returnsByKind what the decrypt bridge returned to OpenSSL, fallbacks included
 * @param callbackFailures exceptions thrown by callbacks, and rules they broke (a null return, USE for a
 *     ticket that did not decrypt)
 */
public record TicketStats(long ticketsGenerated, Map<TicketStatus, Long> decryptsByStatus,
        Map<TicketReturn, Long> returnsByKind, long callbackFailures) {

    public TicketStats {
        decryptsByStatus = Collections.unmodifiableMap(new EnumMap<>(decryptsByStatus));
        returnsByKind = Collections.unmodifiableMap(new EnumMap<>(returnsByKind));
    }

    /** Decrypt callback calls of every status. */
    public long decrypts() {
        return decryptsByStatus.values().stream().mapToLong(Long::longValue).sum();
    }
}
