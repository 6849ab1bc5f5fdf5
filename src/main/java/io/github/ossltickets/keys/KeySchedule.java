package io.github.ossltickets.keys;

import io.github.ossltickets.TicketKey;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An immutable schedule of ticket keys, each with when it starts sealing and when it stops opening:
 * what self-rotation ({@link RotatingKeyRing}) and a shared store keep, and from which the
 * {@link KeySet} in force at any moment follows ({@link #keySetAt}).
 *
 * <p>Keys are kept in the order they start sealing. Names are unique.
 */
public final class KeySchedule {
    /** "OTKS": ossl-tickets key schedule. */
    private static final int MAGIC = 0x4F544B53;
    private static final int VERSION = 1;
    /** A schedule holds a handful of keys; this bounds what {@link #fromBytes} allocates. */
    public static final int MAX_KEYS = 64;

    private static final Comparator<ScheduledKey> BY_START = Comparator.comparing(ScheduledKey::encryptsFrom)
            .thenComparing(ScheduledKey::expiresAt);

    private final List<ScheduledKey> keys;

    private KeySchedule(List<ScheduledKey> keys) {
        List<ScheduledKey> sorted = new ArrayList<>(keys);
        sorted.sort(BY_START);
        if (sorted.size() > MAX_KEYS) {
            throw new IllegalArgumentException("a key schedule holds at most " + MAX_KEYS + " keys, not "
                    + sorted.size());
        }
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                if (sameName(sorted.get(i).key(), sorted.get(j).key())) {
                    throw new IllegalArgumentException("two keys in the schedule share a name: "
                            + sorted.get(i).key() + "; each key needs its own name");
                }
            }
        }
        this.keys = List.copyOf(sorted);
    }

    /**
     * A schedule of {@code keys}, in any order.
     *
     * @throws IllegalArgumentException if two keys share a name, or there are more than {@link #MAX_KEYS}
     */
    public static KeySchedule of(List<ScheduledKey> keys) {
        return new KeySchedule(Objects.requireNonNull(keys, "keys"));
    }

    /** A schedule with no keys, for {@link #rotatedIfDue} to fill. */
    public static KeySchedule empty() {
        return new KeySchedule(List.of());
    }

    /** The keys, in the order they start sealing. */
    public List<ScheduledKey> keys() {
        return keys;
    }

    /**
     * The keys in force at {@code now}: the active key is the one that started sealing last, at or
     * before now, and has not expired; keys that start later are next (open only); older unexpired keys
     * are previous (open only). Expired keys are left out.
     *
     * @throws IllegalStateException if no key may seal at {@code now}
     */
    public KeySet keySetAt(Instant now) {
        Objects.requireNonNull(now, "now");
        ScheduledKey active = activeAt(now);
        if (active == null) {
            throw new IllegalStateException("no ticket key may seal at " + now + ": " + describe());
        }
        List<TicketKey> next = new ArrayList<>();
        List<TicketKey> previous = new ArrayList<>();
        // Newest first among the previous keys: the likeliest to match come first.
        for (int i = keys.size() - 1; i >= 0; i--) {
            ScheduledKey key = keys.get(i);
            if (key == active || key.expiredAt(now)) {
                continue;
            }
            if (key.encryptsFrom().isAfter(now)) {
                next.add(0, key.key());
            } else {
                previous.add(key.key());
            }
        }
        return new KeySet(active.key(), next, previous);
    }

    /** True if some key may seal at {@code now}, that is, {@link #keySetAt} would not throw. */
    public boolean hasActiveKeyAt(Instant now) {
        return activeAt(now) != null;
    }

    private ScheduledKey activeAt(Instant now) {
        for (int i = keys.size() - 1; i >= 0; i--) {
            ScheduledKey key = keys.get(i);
            if (!key.encryptsFrom().isAfter(now) && !key.expiredAt(now)) {
                return key;
            }
        }
        return null;
    }

    /**
     * This schedule, brought up to date at {@code now}: expired keys are dropped; if no key may seal now,
     * a new key seals from now; and if the next key is due to be published (its start, one period after
     * the newest key's, is within {@code policy.publishAhead()}), it is added. A new key seals for
     * {@code policy.period()} and then opens tickets for {@code policy.retain()}.
     *
     * @return this same instance when nothing is due, so a caller can tell with {@code ==}
     */
    public KeySchedule rotatedIfDue(Instant now, RotationPolicy policy, Supplier<TicketKey> newKey) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(newKey, "newKey");
        List<ScheduledKey> kept = new ArrayList<>(keys.size() + 2);
        for (ScheduledKey key : keys) {
            if (!key.expiredAt(now)) {
                kept.add(key);
            }
        }
        boolean changed = kept.size() != keys.size();
        if (activeAt(kept, now) == null) {
            // A first start, or a long outage: nothing may seal, so a key starts now without a head start.
            kept.add(newScheduledKey(newKey, now, policy));
            changed = true;
        }
        Instant newestStart = newest(kept).encryptsFrom();
        Instant nextStart = newestStart.plus(policy.period());
        if (!nextStart.minus(policy.publishAhead()).isAfter(now)) {
            kept.add(newScheduledKey(newKey, nextStart.isAfter(now) ? nextStart : now, policy));
            changed = true;
        }
        return changed ? new KeySchedule(kept) : this;
    }

    /**
     * When this schedule next needs {@link #rotatedIfDue} under {@code policy}: the earliest of a key
     * expiring, and the next key falling due for publication. Empty for an empty schedule, which is due now.
     */
    public Optional<Instant> nextRotation(RotationPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        Instant due = newest(keys).encryptsFrom().plus(policy.period()).minus(policy.publishAhead());
        for (ScheduledKey key : keys) {
            if (key.expiresAt().isBefore(due)) {
                due = key.expiresAt();
            }
        }
        return Optional.of(due);
    }

    /** When {@link #keySetAt} would next give a different set after {@code now}: a key starting or expiring. */
    public Optional<Instant> nextChange(Instant now) {
        Objects.requireNonNull(now, "now");
        Instant soonest = null;
        for (ScheduledKey key : keys) {
            for (Instant at : new Instant[] {key.encryptsFrom(), key.expiresAt()}) {
                if (at.isAfter(now) && (soonest == null || at.isBefore(soonest))) {
                    soonest = at;
                }
            }
        }
        return Optional.ofNullable(soonest);
    }

    private static ScheduledKey activeAt(List<ScheduledKey> keys, Instant now) {
        ScheduledKey active = null;
        for (ScheduledKey key : keys) {
            if (!key.encryptsFrom().isAfter(now) && !key.expiredAt(now)
                    && (active == null || key.encryptsFrom().isAfter(active.encryptsFrom()))) {
                active = key;
            }
        }
        return active;
    }

    private static ScheduledKey newest(List<ScheduledKey> keys) {
        ScheduledKey newest = keys.get(0);
        for (ScheduledKey key : keys) {
            if (key.encryptsFrom().isAfter(newest.encryptsFrom())) {
                newest = key;
            }
        }
        return newest;
    }

    private static ScheduledKey newScheduledKey(Supplier<TicketKey> newKey, Instant encryptsFrom,
            RotationPolicy policy) {
        TicketKey key = Objects.requireNonNull(newKey.get(), "the new-key supplier returned null");
        return new ScheduledKey(key, encryptsFrom, encryptsFrom.plus(policy.keyLifetimeAfterActivation()));
    }

    private static boolean sameName(TicketKey a, TicketKey b) {
        return a.hasName(b.name());
    }

    /**
     * A versioned binary encoding, key material included: guard it as you guard the keys. Layout (big
     * endian): magic "OTKS", version 1, key count (int), then per key: name (16 bytes), HMAC key length
     * (1 byte) and bytes, AES key length (1 byte: 16 or 32) and bytes, encryptsFrom and expiresAt each
     * as epoch seconds (long) and nanoseconds (int).
     */
    public byte[] toBytes() {
        int size = 12;
        for (ScheduledKey key : keys) {
            size += TicketKey.NAME_LENGTH + 1 + key.key().hmacKey().length + 1 + key.key().aesKey().length + 24;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(MAGIC).putInt(VERSION).putInt(keys.size());
        for (ScheduledKey key : keys) {
            byte[] hmac = key.key().hmacKey();
            byte[] aes = key.key().aesKey();
            out.put(key.key().name());
            out.put((byte) hmac.length).put(hmac);
            out.put((byte) aes.length).put(aes);
            putInstant(out, key.encryptsFrom());
            putInstant(out, key.expiresAt());
            Arrays.fill(hmac, (byte) 0);
            Arrays.fill(aes, (byte) 0);
        }
        return out.array();
    }

    /**
     * Decodes what {@link #toBytes} wrote.
     *
     * @throws IllegalArgumentException naming what is wrong: another format or version, a bad length,
     *     truncated or trailing bytes, duplicate names, a key that expires before it starts
     */
    public static KeySchedule fromBytes(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        ByteBuffer in = ByteBuffer.wrap(encoded);
        try {
            if (in.remaining() < 12 || in.getInt() != MAGIC) {
                throw new IllegalArgumentException("not an encoded key schedule (no \"OTKS\" header)");
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("key schedule encoding version " + version
                        + " is not supported (only " + VERSION + ")");
            }
            int count = in.getInt();
            if (count < 0 || count > MAX_KEYS) {
                throw new IllegalArgumentException("an encoded key schedule holds 0 to " + MAX_KEYS
                        + " keys, not " + count);
            }
            List<ScheduledKey> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[TicketKey.NAME_LENGTH];
                in.get(name);
                byte[] hmac = new byte[Byte.toUnsignedInt(in.get())];
                in.get(hmac);
                byte[] aes = new byte[Byte.toUnsignedInt(in.get())];
                in.get(aes);
                Instant from = getInstant(in);
                Instant expires = getInstant(in);
                keys.add(new ScheduledKey(new TicketKey(name, hmac, aes), from, expires));
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("an encoded key schedule has " + in.remaining()
                        + " bytes after its last key");
            }
            return new KeySchedule(keys);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("an encoded key schedule is truncated (" + encoded.length
                    + " bytes)", e);
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("an encoded key schedule has a time out of range", e);
        }
    }

    private static void putInstant(ByteBuffer out, Instant at) {
        out.putLong(at.getEpochSecond()).putInt(at.getNano());
    }

    private static Instant getInstant(ByteBuffer in) {
        long seconds = in.getLong();
        int nanos = in.getInt();
        if (nanos < 0 || nanos > 999_999_999) {
            throw new IllegalArgumentException("an encoded key schedule has a bad nanosecond field: " + nanos);
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** Equal schedules hold the same keys (material included) with the same times. */
    @Override
    public boolean equals(Object other) {
        return other instanceof KeySchedule schedule && Arrays.equals(toBytes(), schedule.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    /** Names, roles and times only; never key material. */
    @Override
    public String toString() {
        return "KeySchedule" + describe();
    }

    private String describe() {
        StringBuilder out = new StringBuilder("[");
        for (ScheduledKey key : keys) {
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append(key.key()).append(" seals from ").append(key.encryptsFrom()).append(" until expiry at ")
                    .append(key.expiresAt());
        }
        return out.append(']').toString();
    }
}
