package io.github.ossltickets;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the ticket key callback of one native context did, by key name ({@link SslContext#ticketKeyStats()}):
 * a snapshot. Names are the 16-byte names tickets carry in clear, in lower-case hex; no key material.
 * Only names of keys the callback returned are listed, at most the 32 counted most recently; tickets
 * under any name the callback did not know count together in {@code unknownName}.
 *
 * @param byKeyName counts per key name, the key counted first coming first
 * @param unknownName tickets whose key name the callback did not find (full handshake)
 * @param noTicket new tickets the callback declined to seal ({@code keyForNewTicket} returned empty)
 */
public record TicketKeyStats(Map<String, KeyUse> byKeyName, long unknownName, long noTicket) {

    public TicketKeyStats {
        byKeyName = Collections.unmodifiableMap(new LinkedHashMap<>(byKeyName));
    }

    /**
     * The use of one key.
     *
     * @param sealed new tickets sealed with it
     * @param opened tickets opened with it, renewed or not
     * @param renewed of those opened, the ones the callback asked to renew (returned 2)
     */
    public record KeyUse(long sealed, long opened, long renewed) {}

    /** The counts for the key named {@code hexName}, or all zero if it was never counted. */
    public KeyUse of(String hexName) {
        return byKeyName.getOrDefault(hexName, new KeyUse(0, 0, 0));
    }
}
