package io.github.ossltickets.keys;

import io.github.ossltickets.TicketKey;

import java.time.Instant;
import java.util.Objects;

/**
 * One ticket key with its schedule: it seals from {@code encryptsFrom} until a later key takes over,
 * and opens tickets until {@code expiresAt}.
 *
 * @param key the key
 * @param encryptsFrom when it starts sealing new tickets; before that it only opens them
 * @param expiresAt when it stops opening tickets; after {@code encryptsFrom}
 */
public record ScheduledKey(TicketKey key, Instant encryptsFrom, Instant expiresAt) {

    public ScheduledKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(encryptsFrom, "encryptsFrom");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(encryptsFrom)) {
            throw new IllegalArgumentException("ticket key " + key + " expires (" + expiresAt
                    + ") no later than it starts sealing (" + encryptsFrom + ")");
        }
    }

    /** True once the key opens no more tickets. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
