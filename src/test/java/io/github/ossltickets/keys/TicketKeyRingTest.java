package io.github.ossltickets.keys;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TicketKeyStats;
import io.github.ossltickets.TlsVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.ossltickets.keys.Handshakes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TicketKeyRing} through real handshakes: which key seals, which open, which renew. */
@Timeout(60)
class TicketKeyRingTest {
    private static final TlsVersion[] BOTH = {TlsVersion.TLS1_2, TlsVersion.TLS1_3};

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void theActiveKeySealsAndItsTicketsResume(TlsVersion version) {
        TicketKey active = TicketKey.random();
        TicketKeyRing ring = TicketKeyRing.of(new KeySet(active, List.of(TicketKey.random()),
                List.of(TicketKey.random())));
        try (SslContext server = Handshakes.server(version); SslContext client = Handshakes.client(version)) {
            server.setTicketKeyCallback(ring);
            SslSession first = Handshakes.firstSession(server, client);
            assertEquals(hex(active), Handshakes.ticketKeyNameOf(first), "the active key seals");

            Handshakes.Outcome resumed = Handshakes.connect(server, client, first);
            assertTrue(resumed.ok() && resumed.reused(), resumed.toString());
            TicketKeyStats.KeyUse use = server.ticketKeyStats().of(hex(active));
            assertEquals(1, use.opened());
            // TLS 1.3 clients use a ticket once, so the ring renews it even under the active key, as nginx.
            assertEquals(version == TlsVersion.TLS1_3 ? 1 : 0, use.renewed(),
                    "a ticket under the active key is renewed by the ring in TLS 1.3 only");
        }
    }

    /** Next keys (published ahead) and previous keys (retained) only open; their tickets are renewed. */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void ticketsUnderNextAndPreviousKeysResumeAndAreRenewedUnderTheActiveKey(TlsVersion version) {
        TicketKey next = TicketKey.random();
        TicketKey active = TicketKey.random();
        TicketKey previous = TicketKey.random();
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(next));
        try (SslContext server = Handshakes.server(version); SslContext client = Handshakes.client(version)) {
            server.setTicketKeyCallback(ring);
            SslSession underNext = Handshakes.firstSession(server, client);
            ring.update(KeySet.of(previous));
            SslSession underPrevious = Handshakes.firstSession(server, client);
            assertEquals(hex(next), Handshakes.ticketKeyNameOf(underNext));
            assertEquals(hex(previous), Handshakes.ticketKeyNameOf(underPrevious));

            ring.update(new KeySet(active, List.of(next), List.of(previous)));
            for (SslSession offered : List.of(underNext, underPrevious)) {
                Handshakes.Outcome outcome = Handshakes.connect(server, client, offered);
                assertTrue(outcome.ok() && outcome.reused(), outcome.toString());
                assertTrue(outcome.ticketsReceived() >= 1, "renewed: " + outcome);
                assertEquals(hex(active), outcome.ticketKeyName(), "the renewed ticket is under the active key");
            }
            TicketKeyStats stats = server.ticketKeyStats();
            assertEquals(1, stats.of(hex(next)).renewed());
            assertEquals(1, stats.of(hex(previous)).renewed());
            assertEquals(2, stats.of(hex(active)).sealed());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void aTicketUnderAnUnknownNameGetsAFullHandshakeAndANewTicket(TlsVersion version) {
        TicketKey gone = TicketKey.random();
        TicketKey active = TicketKey.random();
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(gone));
        try (SslContext server = Handshakes.server(version); SslContext client = Handshakes.client(version)) {
            server.setTicketKeyCallback(ring);
            SslSession underGone = Handshakes.firstSession(server, client);
            ring.update(KeySet.of(active));
            Handshakes.Outcome outcome = Handshakes.connect(server, client, underGone);
            assertTrue(outcome.ok(), outcome.toString());
            assertFalse(outcome.reused(), "unknown key name: full handshake");
            assertEquals(hex(active), outcome.ticketKeyName());
            TicketKeyStats stats = server.ticketKeyStats();
            assertEquals(1, stats.unknownName());
            assertEquals(0, stats.of(hex(gone)).opened());
        }
    }

    @Test
    void aes128AndAes256KeysBothSealAndOpen() {
        for (TlsVersion version : BOTH) {
            for (TicketKey key : List.of(Handshakes.randomAes128(), TicketKey.random())) {
                try (SslContext server = Handshakes.server(version); SslContext client = Handshakes.client(version)) {
                    server.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(key)));
                    SslSession first = Handshakes.firstSession(server, client);
                    Handshakes.Outcome outcome = Handshakes.connect(server, client, first);
                    assertTrue(outcome.ok() && outcome.reused(), version + " " + key + ": " + outcome);
                    assertEquals(1, server.ticketKeyStats().of(hex(key)).opened(), key.toString());
                }
            }
        }
    }

    /** An AES-128 ticket under another server's AES-256 key of the same name must not open. */
    @Test
    void theSameNameWithOtherMaterialDoesNotResume() {
        TicketKey key = TicketKey.random();
        TicketKey impostor = new TicketKey(key.name(), TicketKey.random().hmacKey(), TicketKey.random().aesKey());
        try (SslContext server = Handshakes.server(TlsVersion.TLS1_2);
             SslContext client = Handshakes.client(TlsVersion.TLS1_2)) {
            server.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(key)));
            SslSession first = Handshakes.firstSession(server, client);
            server.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(impostor)));
            Handshakes.Outcome outcome = Handshakes.connect(server, client, first);
            assertTrue(outcome.ok(), outcome.toString());
            assertFalse(outcome.reused(), "the HMAC check fails: full handshake");
        }
    }

    @Test
    void aKeySetRefusesDuplicateNames() {
        TicketKey key = TicketKey.random();
        TicketKey sameName = new TicketKey(key.name(), key.hmacKey(), TicketKey.random().aesKey());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KeySet(key, List.of(), List.of(sameName)));
        assertTrue(e.getMessage().contains(hex(key)), e.getMessage());
    }

    /** 8 threads resume while the set is replaced 1,000 times; every set holds the tickets' key. */
    @Test
    @Timeout(120)
    void updatesAreAtomicUnderLoad() throws Exception {
        TicketKey sealedUnder = TicketKey.random();
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(sealedUnder));
        try (SslContext server = Handshakes.server(TlsVersion.TLS1_2);
             SslContext client = Handshakes.client(TlsVersion.TLS1_2)) {
            server.setTicketKeyCallback(ring);
            SslSession session = Handshakes.firstSession(server, client);
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger handshakes = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    workers.add(pool.submit(() -> {
                        while (!done.get()) {
                            Handshakes.Outcome outcome = Handshakes.connect(server, client, session);
                            handshakes.incrementAndGet();
                            if (!outcome.ok() || !outcome.reused()) {
                                failures.add(outcome.toString());
                            }
                        }
                    }));
                }
                TicketKey[] others = new TicketKey[16];
                for (int i = 0; i < others.length; i++) {
                    others[i] = TicketKey.random();
                }
                for (int i = 0; i < 1000; i++) {
                    // The key the tickets carry moves between active, next and previous; the others change.
                    TicketKey a = others[i % 16];
                    TicketKey b = others[(i + 7) % 16];
                    KeySet set = switch (i % 3) {
                        case 0 -> new KeySet(sealedUnder, List.of(a), List.of());
                        case 1 -> new KeySet(a, List.of(sealedUnder), List.of(b));
                        default -> new KeySet(a, List.of(), List.of(b, sealedUnder));
                    };
                    ring.update(set);
                    if (i % 50 == 0) {
                        Thread.sleep(1);
                    }
                }
                done.set(true);
                for (Future<?> worker : workers) {
                    worker.get();
                }
            } finally {
                done.set(true);
                pool.shutdownNow();
            }
            assertTrue(failures.isEmpty(), failures.size() + " failed of " + handshakes + ": "
                    + failures.subList(0, Math.min(3, failures.size())));
            assertTrue(handshakes.get() >= 8, "handshakes ran: " + handshakes);
        }
    }
}
