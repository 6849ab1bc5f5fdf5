package io.github.ossltickets.keys;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static io.github.ossltickets.keys.Handshakes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KeySchedule}, {@link RotationPolicy} and {@link RotatingKeyRing}, with time under the test's control. */
@Timeout(60)
class RotationTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final RotationPolicy HOURLY = new RotationPolicy(Duration.ofHours(1), Duration.ofHours(1),
            Duration.ofHours(2));

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aScheduleSealsWithTheNewestStartedKeyAndPublishesTheNextAhead() {
        KeySchedule schedule = KeySchedule.empty().rotatedIfDue(T0, HOURLY, TicketKey::random);
        assertEquals(2, schedule.keys().size(), "the first key, and the next published a period ahead");
        ScheduledKey first = schedule.keys().get(0);
        ScheduledKey second = schedule.keys().get(1);
        assertEquals(T0, first.encryptsFrom());
        assertEquals(T0.plus(Duration.ofHours(3)), first.expiresAt(), "period + retain");
        assertEquals(T0.plus(Duration.ofHours(1)), second.encryptsFrom());
        KeySet now = schedule.keySetAt(T0);
        assertEquals(hex(first.key()), hex(now.active()));
        assertEquals(List.of(hex(second.key())), now.next().stream().map(Handshakes::hex).toList());
        assertSame(schedule, schedule.rotatedIfDue(T0.plus(Duration.ofMinutes(59)), HOURLY, TicketKey::random),
                "nothing due: the same instance");
        assertEquals(T0.plus(Duration.ofHours(1)), schedule.nextChange(T0).orElseThrow());

        KeySchedule later = schedule.rotatedIfDue(T0.plus(Duration.ofHours(1)), HOURLY, TicketKey::random);
        KeySet then = later.keySetAt(T0.plus(Duration.ofHours(1)));
        assertEquals(hex(second.key()), hex(then.active()));
        assertEquals(List.of(hex(first.key())), then.previous().stream().map(Handshakes::hex).toList());
        assertEquals(1, then.next().size(), "a new next key");

        KeySchedule expired = later.rotatedIfDue(T0.plus(Duration.ofHours(3)), HOURLY, TicketKey::random);
        assertTrue(expired.keys().stream().noneMatch(k -> hex(k.key()).equals(hex(first.key()))), "dropped after retain");
        assertThrows(IllegalStateException.class, () -> schedule.keySetAt(T0.minusSeconds(1)));
    }

    @Test
    void policiesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new RotationPolicy(Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new RotationPolicy(Duration.ofHours(1), Duration.ofHours(2), Duration.ZERO));
        RotationPolicy defaults = RotationPolicy.defaults();
        assertEquals(Duration.ofHours(24), defaults.period());
        assertEquals(Duration.ofDays(7), defaults.keyLifetimeAfterActivation(), "Go keeps a key 7 days");
    }

    @Test
    void encodingRoundTripsAndRefusesMalformedInput() {
        KeySchedule schedule = KeySchedule.of(List.of(
                new ScheduledKey(TicketKey.random(), T0, T0.plusSeconds(10)),
                new ScheduledKey(Handshakes.randomAes128(), T0.plusNanos(5), T0.plusSeconds(20))));
        byte[] encoded = schedule.toBytes();
        KeySchedule decoded = KeySchedule.fromBytes(encoded);
        assertEquals(schedule, decoded);
        assertArrayEquals(encoded, decoded.toBytes());
        assertEquals(16, decoded.keys().get(1).key().aesKey().length);

        assertThrows(IllegalArgumentException.class, () -> KeySchedule.fromBytes(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> KeySchedule.fromBytes(java.util.Arrays.copyOf(encoded, 40)));
        assertThrows(IllegalArgumentException.class, () -> KeySchedule.fromBytes(java.util.Arrays.copyOf(encoded,
                encoded.length + 1)));
        byte[] version2 = encoded.clone();
        version2[7] = 2;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeySchedule.fromBytes(version2)).getMessage()
                .contains("version 2"));
        byte[] manyKeys = encoded.clone();
        manyKeys[8] = 0x7f;
        assertThrows(IllegalArgumentException.class, () -> KeySchedule.fromBytes(manyKeys));
        byte[] badAesLength = encoded.clone();
        badAesLength[12 + 16 + 1 + 32] = 24; // the first key's AES length byte
        assertThrows(IllegalArgumentException.class, () -> KeySchedule.fromBytes(badAesLength));
        TicketKey key = TicketKey.random();
        assertThrows(IllegalArgumentException.class, () -> KeySchedule.of(List.of(
                new ScheduledKey(key, T0, T0.plusSeconds(1)), new ScheduledKey(key, T0.plusSeconds(1), T0.plusSeconds(2)))));
    }

    /**
     * Through real handshakes on an injected clock: a ticket sealed now opens and is renewed after the
     * next rotation; a ticket from a fleet member already on the next key opens now; after retain, a
     * full handshake.
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void rotatingRingOnAnInjectedClock(TlsVersion version) {
        TestClock clock = new TestClock(T0);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (RotatingKeyRing rotating = RotatingKeyRing.start(HOURLY, clock, scheduler, TicketKey::random);
             SslContext server = Handshakes.server(version); SslContext early = Handshakes.server(version);
             SslContext client = Handshakes.client(version)) {
            server.setTicketKeyCallback(rotating.ring());
            KeySchedule schedule = rotating.schedule();
            TicketKey first = schedule.keys().get(0).key();
            TicketKey second = schedule.keys().get(1).key();

            SslSession underFirst = Handshakes.firstSession(server, client);
            assertEquals(hex(first), Handshakes.ticketKeyNameOf(underFirst));

            // A fleet member whose clock already reached the next period seals with the next key...
            early.setTicketKeyCallback(TicketKeyRing.of(schedule.keySetAt(T0.plus(Duration.ofHours(1)))));
            SslSession underSecond = Handshakes.firstSession(early, client);
            assertEquals(hex(second), Handshakes.ticketKeyNameOf(underSecond));
            // ...and this server, still in the first period, opens it and renews it under its active key.
            Handshakes.Outcome fromEarly = Handshakes.connect(server, client, underSecond);
            assertTrue(fromEarly.ok() && fromEarly.reused(), fromEarly.toString());
            assertEquals(hex(first), fromEarly.ticketKeyName());

            clock.advance(Duration.ofHours(1));
            rotating.refresh();
            assertEquals(hex(second), hex(rotating.ring().keys().active()));
            Handshakes.Outcome afterRotation = Handshakes.connect(server, client, underFirst);
            assertTrue(afterRotation.ok() && afterRotation.reused(), afterRotation.toString());
            assertEquals(hex(second), afterRotation.ticketKeyName(), "renewed under the new active key");

            clock.advance(Duration.ofHours(2)); // the first key sealed until T0+1h, retained 2 h more
            rotating.refresh();
            Handshakes.Outcome afterRetention = Handshakes.connect(server, client, underFirst);
            assertTrue(afterRetention.ok(), afterRetention.toString());
            assertFalse(afterRetention.reused(), "the first key is gone: full handshake");
        } finally {
            scheduler.shutdownNow();
        }
    }

    /** The scheduler does rotate on its own: 150 ms periods on the system clock. */
    @Test
    void rotatesOnSchedule() throws InterruptedException {
        RotationPolicy fast = new RotationPolicy(Duration.ofMillis(150), Duration.ofMillis(50), Duration.ofMillis(150));
        try (RotatingKeyRing rotating = RotatingKeyRing.start(fast)) {
            Set<String> actives = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (actives.size() < 4 && System.nanoTime() < deadline) {
                KeySet keys = rotating.ring().keys();
                actives.add(hex(keys.active()));
                assertTrue(keys.all().size() <= 4, "expired keys are dropped: " + keys);
                Thread.sleep(10);
            }
            assertTrue(actives.size() >= 4, "active keys seen: " + actives.size());
        }
    }
}
