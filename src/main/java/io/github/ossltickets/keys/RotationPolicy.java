package io.github.ossltickets.keys;

import java.time.Duration;
import java.util.Objects;

/**
 * How often ticket keys rotate, how early the next key is published, and how long a key that no
 * longer seals still opens tickets. A key therefore lives {@code publishAhead} (opens only), then
 * {@code period} (seals), then {@code retain} (opens only).
 *
 * @param period how long each key seals new tickets before the next one takes over
 * @param publishAhead how long before it seals a new key is published, so every server holding the
 *     schedule can open its tickets the moment any one of them starts sealing with it; at most
 *     {@code period}, and zero for a single process that needs no head start
 * @param retain how long a key still opens tickets after it stops sealing; make it at least the
 *     ticket lifetime the server advertises, or tickets issued just before a rotation die early
 */
public record RotationPolicy(Duration period, Duration publishAhead, Duration retain) {

    public RotationPolicy {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(publishAhead, "publishAhead");
        Objects.requireNonNull(retain, "retain");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("the rotation period must be positive, not " + period);
        }
        if (publishAhead.isNegative() || publishAhead.compareTo(period) > 0) {
            throw new IllegalArgumentException("publishAhead must be between zero and the period (" + period
                    + "), not " + publishAhead);
        }
        if (retain.isNegative()) {
            throw new IllegalArgumentException("retain cannot be negative: " + retain);
        }
    }

    /**
     * A new key every 24 hours, published 24 hours before it seals, and kept 6 days after, so a ticket
     * opens for up to 7 days after its key started sealing.
     *
     * <ul>
     * <li>Go's crypto/tls rotates its automatic keys every 24 hours and keeps each for 7 days from its
     * creation: the same period and lifetime.</li>
     * <li>rustls's {@code Ticketer::new()} switches keys every 6 hours and keeps the current key and one
     * previous, so a ticket lives at most 12 hours: fewer keys, more full handshakes for clients that
     * come back the next day.</li>
     * <li>BoringSSL's automatic keys rotate every 48 hours ({@code SSL_DEFAULT_TICKET_KEY_ROTATION_INTERVAL}),
     * and the previous key opens tickets for one more interval.</li>
     * </ul>
     * The 24-hour head start lets a fleet that shares the schedule pick up each key a full period before
     * any member seals with it.
     */
    public static RotationPolicy defaults() {
        return new RotationPolicy(Duration.ofHours(24), Duration.ofHours(24), Duration.ofDays(6));
    }

    /** How long one key opens tickets after it starts sealing: {@code period + retain}. */
    public Duration keyLifetimeAfterActivation() {
        return period.plus(retain);
    }
}
