package io.github.ossltickets.keys;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ticket keys under a hostile operator or a hostile machine: bad key material, clocks that jump. */
@Timeout(60)
class HostileKeysTest {

    /** What a file that was allocated but never written holds (truncate -s 80, a crash before the data). */
    private static TicketKey allZeroKey() {
        return new TicketKey(new byte[16], new byte[32], new byte[32]);
    }

    /**
     * A key file of zero bytes is a key everyone knows: anyone mints a ticket under it, with any session
     * and any app data (a forged binding), and in TLS 1.2 anyone who sees a ticket reads its master
     * secret. The first handshake shows the forgery works against a ring holding such a key; loading,
     * and reloading, such a file must therefore be refused.
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void anAllZeroKeyFileIsRefusedSoNoOneCanForgeATicket(TlsVersion version, @TempDir Path dir) throws IOException {
        SslContext client = Handshakes.client(version);
        // The attacker: a server of its own, with the key anyone can write down.
        SslContext forger = Handshakes.server(version);
        forger.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(allZeroKey())));
        SslSession forged = Handshakes.firstSession(forger, client);
        SslContext openToForgery = Handshakes.server(version);
        openToForgery.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(allZeroKey())));
        assertTrue(Handshakes.connect(openToForgery, client, forged).reused(),
                "the premise: a ticket minted by anyone under the all-zero key resumes at a ring holding it");

        Path current = dir.resolve("current.key");
        Files.write(current, new byte[80]);
        IOException refused = assertThrows(IOException.class,
                () -> TicketKeyFiles.load(List.of(current), TicketKeyFormat.NGINX));
        assertTrue(refused.getMessage().contains(current.toString()) && refused.getMessage().contains("zero"),
                refused.getMessage());
        Path haproxy = dir.resolve("haproxy.keys");
        Base64.Encoder base64 = Base64.getEncoder();
        Files.writeString(haproxy, base64.encodeToString(haproxyLayout(TicketKey.random())) + "\n"
                + base64.encodeToString(new byte[80]) + "\n"
                + base64.encodeToString(haproxyLayout(TicketKey.random())) + "\n");
        IOException refusedLine = assertThrows(IOException.class,
                () -> TicketKeyFiles.load(List.of(haproxy), TicketKeyFormat.HAPROXY));
        assertTrue(refusedLine.getMessage().contains(haproxy.toString()) && refusedLine.getMessage().contains("zero"),
                refusedLine.getMessage());

        // A good file, then rewritten with zeros while the server runs: the reload is refused.
        TicketKey good = TicketKey.random();
        TicketKeyFiles.write(current, TicketKeyFiles.nginxBytes(good));
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        SslContext victim = Handshakes.server(version);
        victim.setTicketKeyCallback(ring);
        try (KeyFileWatcher watcher = KeyFileWatcher.start(List.of(current), TicketKeyFormat.NGINX, ring::update,
                Duration.ofDays(1))) {
            TicketKeyFiles.write(current, new byte[80]);
            watcher.checkNow(); // the watcher's thread may read it too, on the file event
            assertTrue(watcher.failedReloads() >= 1, "the all-zero rewrite is a failed reload");
            assertEquals(0, watcher.reloads(), "and no reload");
            assertTrue(watcher.lastError().orElse("").contains("zero"), watcher.lastError().toString());
            assertTrue(ring.keys().active().hasName(good.name()), "the good key stays: " + ring.keys());
            Handshakes.Outcome replay = Handshakes.connect(victim, client, forged);
            assertTrue(replay.ok(), String.valueOf(replay.failure()));
            assertFalse(replay.reused(), "a ticket forged under the all-zero key resumed after a reload");
        }
    }

    /**
     * The scheduler waits on a monotonic clock, the keys expire on the wall clock, and the wall clock can
     * jump ahead while the scheduler waits (an NTP step, a VM or laptop resumed after days). The key that
     * sealed the ticket expires with the jump, so within a moment the ticket must no longer resume; the
     * ring must not wait for a wake-up computed before the jump (a period away) to drop it.
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void aWallClockJumpPastAKeysExpiryRetiresItWithinSeconds(TlsVersion version) throws Exception {
        RotationTest.TestClock clock = new RotationTest.TestClock(Instant.parse("2026-12-01T00:00:00Z"));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (RotatingKeyRing rotating = hourly(clock, scheduler)) {
            SslContext server = serverOn(rotating, version);
            SslContext client = Handshakes.client(version);
            SslSession ticket = Handshakes.firstSession(server, client);
            assertTrue(Handshakes.connect(server, client, ticket).reused(), "resumes before the jump");
            TicketKey sealing = rotating.ring().keys().active();

            clock.advance(Duration.ofHours(4)); // the sealing key expired 3 hours after it started
            // Within a second or so; 10 s leaves room for a loaded machine, far less than the hour it waited.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (rotating.ring().keys().all().stream().anyMatch(key -> key.hasName(sealing.name()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Handshakes.Outcome replay = Handshakes.connect(server, client, ticket);
            assertTrue(replay.ok(), String.valueOf(replay.failure()));
            assertFalse(replay.reused(), "10 s after the clock passed the expiry of " + sealing + ", its ticket"
                    + " still resumed; the ring holds " + rotating.ring().keys());
        } finally {
            scheduler.shutdownNow();
        }
    }

    /**
     * A wall clock that jumps years ahead and is then corrected (a bad NTP answer, an RTC set wrong at
     * boot): the keys the ring made while it was ahead start sealing years from now. Kept, they open the
     * tickets sealed in that moment for years (no key lives past its period plus retain, the README
     * says), and, being the newest, stall rotation: the key made after the correction seals until it
     * expires instead of for one period. The ring must drop them once the clock is back.
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void keysMadeWhileTheClockWasYearsAheadGoWhenItIsCorrected(TlsVersion version) {
        RotationTest.TestClock clock = new RotationTest.TestClock(Instant.parse("2026-12-01T00:00:00Z"));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (RotatingKeyRing rotating = hourly(clock, scheduler)) {
            SslContext server = serverOn(rotating, version);
            SslContext client = Handshakes.client(version);
            clock.advance(Duration.ofDays(3650));
            rotating.refresh();
            SslSession sealedAhead = Handshakes.firstSession(server, client);
            clock.advance(Duration.ofDays(-3650));
            rotating.refresh();
            Handshakes.Outcome replay = Handshakes.connect(server, client, sealedAhead);
            assertTrue(replay.ok(), String.valueOf(replay.failure()));
            assertFalse(replay.reused(), "a ticket sealed while the clock was 10 years ahead still resumes: "
                    + rotating.schedule());

            String sealing = Handshakes.ticketKeyNameOf(Handshakes.firstSession(server, client));
            clock.advance(Duration.ofMinutes(61));
            rotating.refresh();
            assertNotEquals(sealing, Handshakes.ticketKeyNameOf(Handshakes.firstSession(server, client)),
                    "one period after the correction another key seals: " + rotating.schedule());
        } finally {
            scheduler.shutdownNow();
        }
    }

    /**
     * The per-key counters keep, as documented, the 32 names counted most recently. A key still in use
     * (its tickets resume on every connection) must not be dropped because 32 newer names came after
     * it; it was, and its counts started again from zero.
     */
    @Test
    void theCountersKeepAKeyStillInUseWhenManyNewerKeysCome() {
        SslContext server = Handshakes.server(TlsVersion.TLS1_2);
        SslContext client = Handshakes.client(TlsVersion.TLS1_2);
        TicketKey first = TicketKey.random();
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(first));
        server.setTicketKeyCallback(ring);
        SslSession underFirst = Handshakes.firstSession(server, client);
        int newer = 32;
        for (int i = 0; i < newer; i++) {
            ring.update(new KeySet(TicketKey.random(), List.of(), List.of(first)));
            Handshakes.firstSession(server, client); // sealed under the new active key
            assertTrue(Handshakes.connect(server, client, underFirst).reused(), "the first key still opens");
        }
        assertEquals(newer, server.ticketKeyStats().of(Handshakes.hex(first)).opened(),
                "the key counted most recently lost its counts: " + server.ticketKeyStats());
    }

    /**
     * TLS 1.3 clients use a ticket once (RFC 8446, appendix C.4: OpenSSL's client session cache, Go,
     * browsers), so a resumption that sends no new ticket leaves the client with nothing to resume next
     * time: every other connection is a full handshake. OpenSSL's built-in keys renew every TLS 1.3
     * ticket they open, and so does nginx's key callback ("renew if TLSv1.3"); the ring must too, also
     * under its active key. TLS 1.2 tickets are reusable, and stay unrenewed under the active key.
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void aTls13ResumptionUnderTheActiveKeyGetsANewTicket(TlsVersion version) {
        SslContext client = Handshakes.client(version);
        SslContext builtIn = Handshakes.server(version);
        Handshakes.Outcome builtInResumed = Handshakes.connect(builtIn, client, Handshakes.firstSession(builtIn, client));
        assertTrue(builtInResumed.reused(), "the premise: OpenSSL's own keys resume");
        TicketKey active = TicketKey.random();
        SslContext server = Handshakes.server(version);
        server.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(active)));
        SslSession ticket = Handshakes.firstSession(server, client);
        Handshakes.Outcome resumed = Handshakes.connect(server, client, ticket);
        assertTrue(resumed.ok() && resumed.reused(), String.valueOf(resumed.failure()));
        assertEquals(builtInResumed.ticketsReceived(), resumed.ticketsReceived(), version
                + ": new tickets on a resumption under the active key, as OpenSSL's own keys send");
        if (version == TlsVersion.TLS1_3) {
            assertEquals(1, resumed.ticketsReceived());
            assertEquals(Handshakes.hex(active), resumed.ticketKeyName());
            assertTrue(Handshakes.connect(server, client, resumed.session()).reused(), "the renewed ticket resumes");
        } else {
            assertEquals(0, resumed.ticketsReceived(), "TLS 1.2 under the active key: no new ticket, as nginx");
        }
    }

    /** A ring rotating every hour, its keys published an hour ahead and kept two. */
    private static RotatingKeyRing hourly(Clock clock, ScheduledExecutorService scheduler) {
        RotationPolicy policy = new RotationPolicy(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(2));
        return RotatingKeyRing.start(policy, clock, scheduler, TicketKey::random);
    }

    private static SslContext serverOn(RotatingKeyRing rotating, TlsVersion version) {
        SslContext server = Handshakes.server(version);
        server.setTicketKeyCallback(rotating.ring());
        return server;
    }

    /** HAProxy's line layout: name, AES key, HMAC key. */
    private static byte[] haproxyLayout(TicketKey key) {
        byte[] out = new byte[80];
        System.arraycopy(key.name(), 0, out, 0, 16);
        System.arraycopy(key.aesKey(), 0, out, 16, 32);
        System.arraycopy(key.hmacKey(), 0, out, 48, 32);
        return out;
    }
}
