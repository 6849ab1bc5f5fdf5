package io.github.ossltickets.metrics;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKeyStats;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStats;
import io.github.ossltickets.TicketStatus;

import java.util.Map;

/**
 * Reads a context's counters and remembers the last snapshot, so that a reader of a closed or collected
 * context gets the last counts it saw instead of an exception. It never holds the context: callers pass
 * it in, from a weak reference, each time.
 */
final class LastCounts {
    private static final TicketStats NO_TICKETS = new TicketStats(0, Map.of(TicketStatus.EMPTY, 0L,
            TicketStatus.NO_DECRYPT, 0L, TicketStatus.SUCCESS, 0L, TicketStatus.SUCCESS_RENEW, 0L),
            Map.of(TicketReturn.ABORT, 0L, TicketReturn.IGNORE, 0L, TicketReturn.IGNORE_RENEW, 0L,
                    TicketReturn.USE, 0L, TicketReturn.USE_RENEW, 0L), 0);
    private static final TicketKeyStats NO_KEYS = new TicketKeyStats(Map.of(), 0, 0);

    /** Both snapshots, taken together so that a closed context reports one consistent last read. */
    private record Counts(TicketStats stats, TicketKeyStats keyStats) {}

    private volatile Counts last = new Counts(NO_TICKETS, NO_KEYS);

    /** The context's counts now, or the last read if {@code context} is null (collected) or closed. */
    TicketStats stats(SslContext context) {
        return read(context).stats();
    }

    /** The context's counts by key name now, or the last read if it is null (collected) or closed. */
    TicketKeyStats keyStats(SslContext context) {
        return read(context).keyStats();
    }

    private Counts read(SslContext context) {
        if (context != null) {
            try {
                last = new Counts(context.ticketStats(), context.ticketKeyStats());
            } catch (IllegalStateException closed) {
                // closed, or its owner freed a borrowed SSL_CTX: keep the last counts
            }
        }
        return last;
    }

    /** Whether {@code context} (null once collected) can still be read. */
    static boolean isOpen(SslContext context) {
        if (context == null) {
            return false;
        }
        try {
            context.ticketStats();
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }
}
