package io.github.ossltickets;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the key bridge of one native context did, by ticket key name ({@link SslContext#ticketKeyStats()}).
 * Only names of keys the {@link TicketKeyCallback} chose are map keys; every name it did not know
 * (chosen by whoever sent the ticket) lands in one counter, so a client cannot grow the map. The map
 * is bounded too: past {@link #MAX_NAMES} keys, the one counted first is dropped, so rotating keys
 * for years keeps only recent ones. No key material is kept, only the names every ticket carries in
 * clear.
 */
final class KeyCounters {
    static final int MAX_NAMES = 32;

    /** Counts for one key name; {@code order} says which came first, for eviction. */
    private static final class PerKey {
        final long order;
        final LongAdder sealed = new LongAdder();
        final LongAdder opened = new LongAdder();
        final LongAdder renewed = new LongAdder();

        PerKey(long order) {
            this.order = order;
        }
    }

    private final Map<String, PerKey> byName = new ConcurrentHashMap<>();
    private final AtomicLong arrivals = new AtomicLong();
    private final LongAdder unknownName = new LongAdder();
    private final LongAdder noTicket = new LongAdder();

    void sealed(TicketKey key) {
        of(key).sealed.increment();
    }

    /** A ticket opened under {@code key}; {@code renew} if the callback asked for a new ticket. */
    void opened(TicketKey key, boolean renew) {
        PerKey counts = of(key);
        counts.opened.increment();
        if (renew) {
            counts.renewed.increment();
        }
    }

    void unknownName() {
        unknownName.increment();
    }

    void noTicket() {
        noTicket.increment();
    }

    private PerKey of(TicketKey key) {
        PerKey counts = byName.get(key.statsName);
        return counts != null ? counts : add(key.statsName);
    }

    /** The rare path: a key name seen for the first time. */
    private synchronized PerKey add(String name) {
        PerKey counts = byName.get(name);
        if (counts != null) {
            return counts;
        }
        if (byName.size() >= MAX_NAMES) {
            String oldest = null;
            long oldestOrder = Long.MAX_VALUE;
            for (Map.Entry<String, PerKey> entry : byName.entrySet()) {
                if (entry.getValue().order < oldestOrder) {
                    oldestOrder = entry.getValue().order;
                    oldest = entry.getKey();
                }
            }
            byName.remove(oldest);
        }
        counts = new PerKey(arrivals.incrementAndGet());
        byName.put(name, counts);
        return counts;
    }

    TicketKeyStats stats() {
        Map<String, TicketKeyStats.KeyUse> snapshot = new LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.comparingByValue(
                java.util.Comparator.comparingLong((PerKey counts) -> counts.order)))
                .forEach(entry -> snapshot.put(entry.getKey(), new TicketKeyStats.KeyUse(
                        entry.getValue().sealed.sum(), entry.getValue().opened.sum(),
                        entry.getValue().renewed.sum())));
        return new TicketKeyStats(snapshot, unknownName.sum(), noTicket.sum());
    }
}
