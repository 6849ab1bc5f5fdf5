package io.github.ossltickets.keys;

import io.github.ossltickets.TicketKey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Ticket keys that rotate themselves inside one process: a new random key every
 * {@link RotationPolicy#period()}, published {@link RotationPolicy#publishAhead()} before it seals,
 * and dropped {@link RotationPolicy#retain()} after it stops sealing. It keeps a {@link KeySchedule}
 * and puts the set in force into a {@link TicketKeyRing}, which is what a context installs.
 *
 * <p>For one process only: another process rotating on its own makes keys the first cannot open. A
 * fleet shares one schedule instead (files that one tool rotates, or a shared store).
 *
 * <p>The clock and the scheduler are injectable, so tests drive time; {@link #refresh()} brings the
 * keys up to date at once. It reads the clock at least every second, so a wall clock that jumps ahead
 * (an NTP step, a machine resumed) retires the keys that expired within a second.
 */
public final class RotatingKeyRing implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RotatingKeyRing.class.getName());
    /** Never reschedule sooner than this, so a clock that lags the scheduler cannot spin. */
    private static final Duration MIN_DELAY = Duration.ofMillis(1);
    /**
     * Never wait longer than this: the scheduler waits on a monotonic clock, the keys expire on
     * {@code clock}, and a wall clock can jump ahead while the scheduler waits (an NTP step, a machine
     * resumed after days). A key then outlives its expiry by this much at most, not by a whole period.
     */
    private static final Duration MAX_DELAY = Duration.ofSeconds(1);
    /** After a failed rotation (the key supplier threw), try again this much later. */
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final RotationPolicy policy;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Supplier<TicketKey> newKey;
    private final TicketKeyRing ring;
    private volatile KeySchedule schedule;
    private ScheduledFuture<?> pending;
    private boolean closed;

    private RotatingKeyRing(RotationPolicy policy, Clock clock, ScheduledExecutorService scheduler,
            boolean ownsScheduler, Supplier<TicketKey> newKey) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.ownsScheduler = ownsScheduler;
        this.newKey = Objects.requireNonNull(newKey, "newKey");
        Instant now = clock.instant();
        this.schedule = KeySchedule.empty().rotatedIfDue(now, policy, newKey);
        this.ring = TicketKeyRing.of(schedule.keySetAt(now));
    }

    /** Rotates random AES-256 keys under {@code policy}, on the system clock and a daemon thread of its own. */
    public static RotatingKeyRing start(RotationPolicy policy) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ossl-tickets key rotation");
            thread.setDaemon(true);
            return thread;
        });
        RotatingKeyRing rotating = new RotatingKeyRing(policy, Clock.systemUTC(), scheduler, true, TicketKey::random);
        rotating.scheduleNext(MIN_DELAY);
        return rotating;
    }

    /**
     * Rotates keys from {@code newKey} under {@code policy}, reading {@code clock} and waking on
     * {@code scheduler}, which the caller owns and shuts down.
     */
    public static RotatingKeyRing start(RotationPolicy policy, Clock clock, ScheduledExecutorService scheduler,
            Supplier<TicketKey> newKey) {
        RotatingKeyRing rotating = new RotatingKeyRing(policy, clock, scheduler, false, newKey);
        rotating.scheduleNext(MIN_DELAY);
        return rotating;
    }

    /** The ring to install on contexts; it always holds the set in force. */
    public TicketKeyRing ring() {
        return ring;
    }

    /** The schedule now: every key with when it seals and when it expires. */
    public KeySchedule schedule() {
        return schedule;
    }

    /** Rotates if due at the clock's time now, and updates the ring; the scheduler calls this on time. */
    public synchronized void refresh() {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        schedule = withoutKeysFromAClockSetBack(schedule, now).rotatedIfDue(now, policy, newKey);
        KeySet inForce = schedule.keySetAt(now);
        if (!inForce.equals(ring.keys())) { // most wake-ups change nothing
            ring.update(inForce);
        }
    }

    /**
     * {@code current} without the keys that start sealing more than a period after {@code now}: no
     * rotation publishes a key that far ahead, so this ring made them while its clock was ahead (a bad
     * NTP answer, a clock set wrong at boot) and the clock has since been corrected. Kept, they would
     * open the tickets sealed in that moment until the wrong time came round, and stall rotation until
     * then. Only this ring's own schedule: a fleet's shared one is not this clock's to prune.
     */
    private KeySchedule withoutKeysFromAClockSetBack(KeySchedule current, Instant now) {
        Instant latestPublishable = now.plus(policy.period());
        List<ScheduledKey> kept = new ArrayList<>(current.keys().size());
        for (ScheduledKey key : current.keys()) {
            if (!key.encryptsFrom().isAfter(latestPublishable)) {
                kept.add(key);
            }
        }
        return kept.size() == current.keys().size() ? current : KeySchedule.of(kept);
    }

    private synchronized void scheduleNext(Duration minimum) {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        Instant due = schedule.nextRotation(policy).orElse(now);
        Instant change = schedule.nextChange(now).orElse(due);
        if (change.isBefore(due)) {
            due = change;
        }
        Duration delay = Duration.between(now, due);
        if (delay.compareTo(MAX_DELAY) > 0) {
            delay = MAX_DELAY;
        }
        if (delay.compareTo(minimum) < 0) {
            delay = minimum;
        }
        pending = scheduler.schedule(this::tick, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        Duration minimum = MIN_DELAY;
        try {
            refresh();
        } catch (RuntimeException failure) {
            // The ring keeps the keys it has, and the next attempt waits a little.
            LOG.log(System.Logger.Level.WARNING, "rotating the session-ticket keys failed; the current keys stay",
                    failure);
            minimum = RETRY_DELAY;
        }
        scheduleNext(minimum);
    }

    /** Stops rotating; the ring keeps the keys it holds. Shuts down the scheduler if this made it. */
    @Override
    public synchronized void close() {
        closed = true;
        if (pending != null) {
            pending.cancel(false);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }
}
