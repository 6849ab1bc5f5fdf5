package io.github.ossltickets.metrics;

import java.util.Map;

/**
 * The ticket counters of one context, as a platform MXBean ({@link TicketMetrics#register}): read-only
 * attributes, each a fresh read of {@link io.github.ossltickets.SslContext#ticketStats()} and
 * {@link io.github.ossltickets.SslContext#ticketKeyStats()}. Once the context is closed or collected,
 * {@code Closed} is true and the others keep the last counts read; no getter throws.
 */
public interface TicketStatsMXBean {
    /** The name the context was registered under (the {@code name} key of the ObjectName). */
    String getContextName();

    /** True once the context is closed or collected: the counts are then the last read. */
    boolean isClosed();

    /** Generator calls that let a ticket be made. */
    long getTicketsGenerated();

    /** Decrypt callback calls by the status OpenSSL passed, keyed by {@code TicketStatus} name; all four present. */
    Map<String, Long> getDecryptsByStatus();

    /** What the decrypt bridge returned to OpenSSL, keyed by {@code TicketReturn} name; all five present. */
    Map<String, Long> getReturnsByKind();

    /** Exceptions thrown by ticket callbacks, and rules they broke. */
    long getCallbackFailures();

    /**
     * Tickets sealed, opened and renewed by the key callback, keyed by key name in lower-case hex (never
     * key material); the 32 names counted most recently. Empty without a key callback.
     */
    Map<String, KeyCounts> getByKeyName();

    /** Tickets whose key name the key callback did not know (they got a full handshake). */
    long getUnknownKeyName();

    /** New tickets the key callback declined to seal. */
    long getSealDeclined();
}
