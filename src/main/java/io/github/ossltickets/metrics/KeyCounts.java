package io.github.ossltickets.metrics;

import io.github.ossltickets.TicketKeyStats;

import javax.management.ConstructorParameters;

/**
 * The use of one ticket key, as {@link TicketStatsMXBean#getByKeyName()} shows it: a JMX composite
 * ({@code sealed}, {@code opened}, {@code renewed}) of {@link TicketKeyStats.KeyUse}. No key material.
 */
public final class KeyCounts {
    private final long sealed;
    private final long opened;
    private final long renewed;

    /**
     * The counts, named for JMX's composite mapping.
     *
     * @param sealed new tickets sealed with the key
     * @param opened tickets opened with it, renewed or not
     * @param renewed of those opened, the ones renewed
     */
    @ConstructorParameters({"sealed", "opened", "renewed"})
    public KeyCounts(long sealed, long opened, long renewed) {
        this.sealed = sealed;
        this.opened = opened;
        this.renewed = renewed;
    }

    static KeyCounts of(TicketKeyStats.KeyUse use) {
        return new KeyCounts(use.sealed(), use.opened(), use.renewed());
    }

    /** New tickets sealed with the key. */
    public long getSealed() {
        return sealed;
    }

    /** Tickets opened with the key, renewed or not. */
    public long getOpened() {
        return opened;
    }

    /** Of the tickets opened, the ones the key callback asked to renew. */
    public long getRenewed() {
        return renewed;
    }

    @Override
    public String toString() {
        return "KeyCounts[sealed=" + sealed + ", opened=" + opened + ", renewed=" + renewed + "]";
    }
}
