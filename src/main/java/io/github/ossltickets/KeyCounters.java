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
 * is bounded too: past {@link #MAX_NAMES} keys, the one counted least recently is dropped, so rotating
 * keys for years keeps only recent ones, and a key still in use stays however many newer ones come. No key material is kept, only the names every ticket carries in
 * clear.
 */
final class KeyCounters {
    static final int MAX_NAMES = 32;

    /** Counts for one key name; {@code order} says which came first, for the snapshot's order. */
    private static final class PerKey {
        final long order;
        /**
         * The arrivals count when it was last counted, for eviction: the key with the lowest was counted
         * least recently. Written only when it changes, so the handshake path mostly just reads it.
         */
        volatile long lastCounted;
        final LongAdder sealed = new LongAdder();
        final LongAdder opened = new LongAdder();
        final LongAdder renewed = new LongAdder();

        PerKey(long order) {
            this.order = order;
            this.lastCounted = order;
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
        if (counts == null) {
            return add(key.statsName);
        }
        long now = arrivals.get();
        if (counts.lastCounted != now) {
            counts.lastCounted = now;
        }
        return counts;
    }

    /** The rare path: a key name seen for the first time. */
    private synchronized PerKey add(String name) {
        PerKey counts = byName.get(name);
        if (counts != null) {
            return counts;
        }
        if (byName.size() >= MAX_NAMES) {
            String stalest = null;
            PerKey stalestCounts = null;
            for (Map.Entry<String, PerKey> entry : byName.entrySet()) {
                PerKey candidate = entry.getValue();
                if (stalestCounts == null || candidate.lastCounted < stalestCounts.lastCounted
                        || candidate.lastCounted == stalestCounts.lastCounted && candidate.order < stalestCounts.order) {
                    stalestCounts = candidate;
                    stalest = entry.getKey();
                }
            }
            byName.remove(stalest);
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
