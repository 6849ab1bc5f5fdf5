package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TicketData}: the wire format, rolling upgrades, malformed input, and the size ceiling, through real handshakes. */
@Timeout(60)
class TicketDataTest {
    @Test
    void theWireFormatIsAsDocumented() {
        byte[] encoded = TicketData.empty().with("ab", new byte[] {7}).encode();
        assertArrayEquals(new byte[] {0x4F, 0x54, 1, 0, 1, 2, 'a', 'b', 0, 0, 0, 1, 7}, encoded);
        assertEquals(TicketData.empty().with("ab", new byte[] {7}), TicketData.parse(encoded));
    }

    /**
     * A "v2" writer adds a field that a "v1" reader does not know: v1 reads its own fields, changes one
     * and re-encodes, and v2 still finds its field; and the other way round.
     */
    @Test
    void aRollingUpgradeKeepsTheFieldsEachVersionDoesNotKnow() {
        byte[] fromV2 = TicketData.empty().with("tenant", "t1").with("v2.region", "eu-west").with("ot.issued", 42L)
                .encode();
        TicketData readByV1 = TicketData.parse(fromV2);
        assertEquals(Optional.of("t1"), readByV1.getString("tenant"));
        byte[] renewedByV1 = readByV1.with("tenant", "t2").encode();
        TicketData readByV2 = TicketData.parse(renewedByV1);
        assertEquals(Optional.of("eu-west"), readByV2.getString("v2.region"));
        assertEquals(Optional.of("t2"), readByV2.getString("tenant"));
        assertEquals(Optional.of(42L), readByV2.getLong("ot.issued"));
        assertEquals(List.of("tenant", "v2.region", "ot.issued"), new ArrayList<>(readByV2.names()));

        byte[] fromV1 = TicketData.empty().with("tenant", "t1").encode();
        TicketData readByNewer = TicketData.parse(fromV1);
        assertEquals(Optional.empty(), readByNewer.getString("v2.region")); // v2 must treat it as absent
        assertEquals(TicketData.parse(fromV1), TicketData.parse(readByNewer.encode()));
    }

    @Test
    void malformedInputSaysWhatIsWrong() {
        assertMalformed(new byte[0], "shorter than the 5-byte header");
        assertMalformed("hello world".getBytes(), "no 'OT' magic");
        assertMalformed(new byte[] {0x4F, 0x54, 9, 0, 0}, "format version 9 is unknown");
        assertMalformed(new byte[] {0x4F, 0x54, 1, 0, 2, 1, 'a', 0, 0, 0, 0}, "before field 2 of 2");
        assertMalformed(new byte[] {0x4F, 0x54, 1, 0, 1, 1, 'a', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                "field 'a' at byte 5 declares 4294967295 bytes, but 0 remain");
        assertMalformed(new byte[] {0x4F, 0x54, 1, 0, 1, 0}, "names are 1 to 255 bytes");
        assertMalformed(new byte[] {0x4F, 0x54, 1, 0, 2, 1, 'a', 0, 0, 0, 0, 1, 'a', 0, 0, 0, 0}, "appears twice");
        assertMalformed(new byte[] {0x4F, 0x54, 1, 0, 0, 1}, "1 bytes follow the last of 0 fields");
    }

    private static void assertMalformed(byte[] input, String expected) {
        TicketDataException e = assertThrows(TicketDataException.class, () -> TicketData.parse(input));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** Random bytes, truncations and huge lengths: a TicketDataException or a result, never anything else. */
    @Test
    void fuzzedInputOnlyEverFailsAsTicketData() {
        Random random = new Random(17);
        byte[] valid = TicketData.empty().with("a", "x".repeat(40)).with("bb", 7L).with("ccc", new byte[300]).encode();
        List<byte[]> inputs = fuzzedAppData(random, valid, 20_000);
        int parsed = 0;
        for (byte[] input : inputs) {
            try {
                TicketData.parse(input);
                parsed++;
            } catch (TicketDataException expected) {
                // the only failure allowed
            }
        }
        assertTrue(parsed >= 1 && parsed < inputs.size(), "parsed " + parsed + " of " + inputs.size());
    }

    /** Random data, every truncation and extension of a valid encoding, and lengths set to huge values. */
    static List<byte[]> fuzzedAppData(Random random, byte[] valid, int randomCount) {
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < randomCount; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (i % 2 == 0 && bytes.length >= 3) { // half of them look like the format at first
                bytes[0] = 0x4F;
                bytes[1] = 0x54;
                bytes[2] = 1;
            }
            inputs.add(bytes);
        }
        for (int length = 0; length <= valid.length + 3; length++) {
            inputs.add(Arrays.copyOf(valid, length));
        }
        for (int at = 3; at + 4 <= valid.length; at++) {
            for (int huge : new int[] {0xFFFFFFFF, 0x7FFFFFFF, 0x10000, valid.length}) {
                byte[] mutated = valid.clone();
                ByteBuffer.wrap(mutated).putInt(at, huge);
                inputs.add(mutated);
            }
        }
        return inputs;
    }

    /**
     * Fuzzed app data reaching the decryptor through real handshakes: each is a full handshake with a
     * fresh ticket, never a failure; the valid one resumes.
     */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void fuzzedAppDataReachingTheDecryptorMeansAFullHandshake(TlsVersion version) {
        Random random = new Random(version.ordinal());
        byte[] valid = TicketData.empty().with("user", "payload").with("ot.generation", 1L).encode();
        List<byte[]> inputs = new ArrayList<>(fuzzedAppData(random, valid, 40).subList(0, 40));
        for (int length = 0; length < valid.length; length += 3) {
            inputs.add(Arrays.copyOf(valid, length));
        }
        inputs.add(new byte[] {0x4F, 0x54, 1, (byte) 0xFF, (byte) 0xFF});
        inputs.add(valid);
        AtomicReference<byte[]> next = new AtomicReference<>();
        AtomicInteger resumedWithData = new AtomicInteger();
        try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
            server.setTicketCallbacks((connection, session) -> {
                session.setTicketAppData(next.get());
                return true;
            }, TicketData.decryptor((connection, session, data, status) -> {
                if (!data.getString("user").equals(Optional.of("payload"))) {
                    return TicketReturn.IGNORE_RENEW;
                }
                resumedWithData.incrementAndGet();
                return TicketReturn.defaultFor(status);
            }));
            for (byte[] input : inputs) {
                next.set(input);
                SslSession first = Tls.firstSession(server, client);
                next.set(valid);
                Tls.Outcome second = Tls.connect(server, client, first);
                assertTrue(second.ok(), second.toString());
                boolean parses;
                try {
                    parses = TicketData.parse(input).getString("user").equals(Optional.of("payload"));
                } catch (TicketDataException e) {
                    parses = false;
                }
                assertEquals(parses, second.reused, "app data " + Arrays.toString(input));
                if (!second.reused) {
                    assertTrue(second.ticketsReceived >= 1, "a full handshake issues a fresh ticket: " + second);
                }
            }
            assertEquals(0, server.ticketStats().callbackFailures());
        }
        assertTrue(resumedWithData.get() >= 1);
    }

    @Test
    void dataTooLargeForATicketFailsInStoreInWithTheFigures() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((connection, session) -> {
                TicketData.empty().with("big", new byte[65_200]).storeIn(session);
                return true;
            }, (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
            Tls.Outcome outcome = Tls.connect(server, client, null);
            assertFalse(outcome.ok());
            Throwable cause = outcome.failure.getCause() != null ? outcome.failure.getCause()
                    : outcome.failure.getSuppressed()[0].getCause();
            assertInstanceOf(TicketDataException.class, cause, String.valueOf(outcome.failure));
            assertTrue(cause.getMessage().matches("ticket data of 65213 bytes makes the session encode to \\d+ bytes,"
                    + " over the 65280 bytes OpenSSL puts in a ticket.*"), cause.getMessage());
        }
        TicketDataException tooLarge = assertThrows(TicketDataException.class,
                () -> TicketData.empty().with("big", new byte[70_000]).encode());
        assertTrue(tooLarge.getMessage().startsWith("ticket data of 70013 bytes exceeds the 65280 bytes"),
                tooLarge.getMessage());
    }
}
