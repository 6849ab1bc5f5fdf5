package io.github.ossltickets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EnumsTest {
    @Test
    void fromCodeRoundTripsAndRejectsTheRest() {
        for (TicketStatus status : TicketStatus.values()) {
            assertEquals(status, TicketStatus.fromCode(status.code()));
        }
        for (TicketReturn value : TicketReturn.values()) {
            assertEquals(value, TicketReturn.fromCode(value.code()));
        }
        for (int never : new int[] {-1, 0, 1, 2, 7}) {
            assertThrows(IllegalArgumentException.class, () -> TicketStatus.fromCode(never));
        }
        assertThrows(IllegalArgumentException.class, () -> TicketReturn.fromCode(-1));
        assertThrows(IllegalArgumentException.class, () -> TicketReturn.fromCode(5));
    }

    @Test
    void defaultsAreOpenSslsDocumentedOnes() {
        assertEquals(TicketReturn.IGNORE_RENEW, TicketReturn.defaultFor(TicketStatus.EMPTY));
        assertEquals(TicketReturn.IGNORE_RENEW, TicketReturn.defaultFor(TicketStatus.NO_DECRYPT));
        assertEquals(TicketReturn.USE, TicketReturn.defaultFor(TicketStatus.SUCCESS));
        assertEquals(TicketReturn.USE_RENEW, TicketReturn.defaultFor(TicketStatus.SUCCESS_RENEW));
    }

    @Test
    void tlsVersionNamesAreOpenSsls() {
        assertEquals(TlsVersion.TLS1_3, TlsVersion.fromName("TLSv1.3"));
        assertThrows(IllegalArgumentException.class, () -> TlsVersion.fromName("SSLv3"));
    }
}
