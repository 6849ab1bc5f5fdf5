package io.github.ossltickets.policy;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketData;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import io.github.ossltickets.policy.TicketBinding.Field;
import io.github.ossltickets.policy.TicketBinding.Refusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TicketBinding} through real in-memory handshakes on TLS 1.2 and 1.3: the h2o scenario (two
 * listeners with different certificates sharing one key ring) with and without the binding, each
 * changed handshake, composition with the user's callbacks, and fuzzed app data.
 */
@Timeout(60)
class TicketBindingTest {
    /**
     * The h2o scenario: a ticket issued at X resumes at Y when both share a key ring (the negative
     * control, the attack); with the binding, Y gives a full handshake and counts it.
     */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void aTicketFromOneListenerDoesNotResumeAtAnotherSharingTheKeys(TlsVersion version) {
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        try (SslContext x = Peers.server(Peers.X, version); SslContext y = Peers.server(Peers.Y, version);
             SslContext client = Peers.client(version)) {
            x.setTicketKeyCallback(ring);
            y.setTicketKeyCallback(ring);
            SslSession fromX = Peers.ticket(x, client, "x.example");
            assertTrue(Peers.connect(y, client, "x.example", fromX).reused(), "without a binding, X's ticket resumes at Y");

            TicketBinding atX = TicketBinding.builder().listenerId("x").build();
            TicketBinding atY = TicketBinding.builder().listenerId("y").build();
            atX.install(x);
            atY.install(y);
            SslSession boundAtX = Peers.ticket(x, client, "x.example");
            assertTrue(Peers.connect(x, client, "x.example", boundAtX).reused(), "X still resumes its own tickets");
            Peers.Outcome atYOutcome = Peers.connect(y, client, "x.example", boundAtX);
            assertTrue(atYOutcome.ok());
            assertFalse(atYOutcome.reused(), "with the binding, Y does a full handshake");
            assertEquals(1L, atY.stats().refused().get(Refusal.LISTENER), atY.stats().toString());
            assertEquals(1L, atY.stats().refusedTotal());
            assertEquals(1L, atX.stats().accepted());
        }
    }

    /** Each field on its own refuses the cross-listener ticket, with its own reason. */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void eachBoundFieldRefusesWithItsOwnReason(TlsVersion version) {
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        try (SslContext x = Peers.server(Peers.X, version); SslContext y = Peers.server(Peers.Y, version);
             SslContext client = Peers.client(version)) {
            x.setTicketKeyCallback(ring);
            y.setTicketKeyCallback(ring);
            TicketBinding.builder().listenerId("x").build().install(x);
            TicketBinding certOnly = TicketBinding.builder().listenerId("x").bind(Field.CERTIFICATE).build();
            certOnly.install(y);
            SslSession fromX = Peers.ticket(x, client, "x.example");
            assertFalse(Peers.connect(y, client, "x.example", fromX).reused());
            assertEquals(1L, certOnly.stats().refused().get(Refusal.CERTIFICATE), certOnly.stats().toString());

            TicketBinding unbound = TicketBinding.builder().listenerId("x").bind().build();
            unbound.install(y);
            assertTrue(Peers.connect(y, client, "x.example", Peers.ticket(x, client, "x.example")).reused(),
                    "with no field bound the same ticket resumes at Y: the refusal above was the certificate's");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void aSwappedServerNameIsRefused(TlsVersion version) {
        TicketBinding binding = TicketBinding.builder().bind(Field.SERVER_NAME).build();
        try (SslContext server = Peers.server(Peers.X, version); SslContext client = Peers.client(version)) {
            binding.install(server);
            SslSession ticket = Peers.ticket(server, client, "a.example");
            assertTrue(Peers.connect(server, client, "A.Example", ticket).reused(), "same name, other case");
            SslSession again = Peers.ticket(server, client, "a.example");
            assertFalse(Peers.connect(server, client, "b.example", again).reused());
            SslSession third = Peers.ticket(server, client, "a.example");
            assertFalse(Peers.connect(server, client, null, third).reused(), "no server name at all");
            assertEquals(2L, binding.stats().refused().get(Refusal.SERVER_NAME), binding.stats().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void aChangedAlpnProtocolIsRefused(TlsVersion version) {
        TicketBinding binding = TicketBinding.builder().bind(Field.ALPN).build();
        try (SslContext server = Peers.server(Peers.X, version); SslContext h2 = Peers.client(version, "h2");
             SslContext http11 = Peers.client(version, "http/1.1");
             SslContext both = Peers.client(version, "http/1.1", "h2")) {
            binding.install(server);
            assertTrue(Peers.connect(server, h2, "a.example", Peers.ticket(server, h2, "a.example")).reused());
            assertTrue(Peers.connect(server, both, "a.example", Peers.ticket(server, h2, "a.example")).reused(),
                    "h2 is still offered");
            assertFalse(Peers.connect(server, http11, "a.example", Peers.ticket(server, h2, "a.example")).reused());
            assertEquals(1L, binding.stats().refused().get(Refusal.ALPN), binding.stats().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void anExpiredTicketIsRefusedAndAnotherGenerationToo(TlsVersion version) {
        Peers.MovableClock clock = new Peers.MovableClock();
        TicketBinding binding = TicketBinding.builder().maxAge(Duration.ofMinutes(10)).clock(clock).build();
        try (SslContext server = Peers.server(Peers.X, version); SslContext client = Peers.client(version)) {
            binding.install(server);
            SslSession ticket = Peers.ticket(server, client, "a.example");
            clock.advance(Duration.ofMinutes(10));
            assertTrue(Peers.connect(server, client, "a.example", ticket).reused(), "exactly the maximum age");
            SslSession old = Peers.ticket(server, client, "a.example");
            clock.advance(Duration.ofMinutes(10).plusSeconds(1));
            Peers.Outcome expired = Peers.connect(server, client, "a.example", old);
            assertTrue(expired.ok());
            assertFalse(expired.reused());
            assertEquals(1L, binding.stats().refused().get(Refusal.EXPIRED), binding.stats().toString());

            SslSession fresh = expired.session();
            TicketBinding.builder().generation(2).clock(clock).build().install(server);
            assertFalse(Peers.connect(server, client, "a.example", fresh).reused());
        }
    }

    /** The user's own app data goes through the binding untouched, both ways. */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void theUsersCallbacksSeeOnlyTheirOwnAppData(TlsVersion version) {
        List<String> seen = new CopyOnWriteArrayList<>();
        TicketBinding binding = TicketBinding.builder().build();
        try (SslContext server = Peers.server(Peers.X, version); SslContext client = Peers.client(version)) {
            binding.install(server, (connection, session) -> {
                seen.add("generate sees " + new String(session.ticketAppData(), StandardCharsets.UTF_8));
                session.setTicketAppData("tenant=42".getBytes(StandardCharsets.UTF_8));
                return true;
            }, (connection, session, keyName, status) -> {
                seen.add("decrypt " + status + " " + session.map(s -> new String(s.ticketAppData(),
                        StandardCharsets.UTF_8)).orElse("-"));
                return TicketReturn.defaultFor(status);
            }, null);
            SslSession ticket = Peers.ticket(server, client, "a.example");
            assertTrue(Peers.connect(server, client, "a.example", ticket).reused());
        }
        assertTrue(seen.stream().anyMatch(line -> line.matches("decrypt SUCCESS(_RENEW)? tenant=42")), seen.toString());
        assertTrue(seen.stream().noneMatch(line -> line.contains("ot.")), seen.toString());
    }

    /** Fuzzed app data reaching the binding's decryptor: a full handshake and UNBOUND each time, never a failure. */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void fuzzedAppDataIsAFullHandshakeNeverAFailure(TlsVersion version) {
        TicketBinding binding = TicketBinding.builder().build();
        AtomicReference<byte[]> next = new AtomicReference<>();
        Random random = new Random(7);
        byte[] valid = TicketData.empty().with("ot.issued", 1L).with("ot.generation", 0L).with("ot.listener", "x")
                .encode();
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            byte[] bytes = new byte[random.nextInt(48)];
            random.nextBytes(bytes);
            inputs.add(bytes);
        }
        for (int length = 0; length < valid.length; length += 4) {
            inputs.add(Arrays.copyOf(valid, length));
        }
        for (int at = 5; at + 4 <= valid.length; at += 5) {
            byte[] huge = valid.clone();
            ByteBuffer.wrap(huge).putInt(at, 0xFFFFFFF0);
            inputs.add(huge);
        }
        try (SslContext server = Peers.server(Peers.X, version); SslContext client = Peers.client(version)) {
            server.setClientHelloCallback(binding.clientHelloCallback(null));
            server.setTicketCallbacks((connection, session) -> {
                session.setTicketAppData(next.get());
                return true;
            }, binding.decryptor(null));
            for (byte[] input : inputs) {
                next.set(input);
                Peers.Outcome outcome = Peers.connect(server, client, "a.example", Peers.ticket(server, client, "a.example"));
                assertTrue(outcome.ok(), Arrays.toString(input) + ": " + outcome.failure());
                assertFalse(outcome.reused(), Arrays.toString(input));
            }
            assertEquals(0, server.ticketStats().callbackFailures());
        }
        assertEquals(inputs.size(), binding.stats().refusedTotal(), binding.stats().toString());
        assertTrue(binding.stats().refused().get(Refusal.UNBOUND) > inputs.size() / 2, binding.stats().toString());
    }

    @Test
    void fieldsHaveTheServeOptionNames() {
        assertEquals(Field.SERVER_NAME, Field.fromOptionName("sni"));
        assertEquals(Field.CERTIFICATE, Field.fromOptionName("cert"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Field.fromOptionName("host"));
        assertEquals("unknown ticket binding field 'host': use listener, sni, alpn or cert", e.getMessage());
    }
}
