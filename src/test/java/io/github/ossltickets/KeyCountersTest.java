package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-key-name counters stay bounded however many keys a context sees over its life. */
@Timeout(10)
class KeyCountersTest {
    @Test
    void theMapKeepsTheMostRecentNamesAndUnknownNamesShareOneCounter() {
        KeyCounters counters = new KeyCounters();
        List<TicketKey> keys = new ArrayList<>();
        for (int i = 0; i < KeyCounters.MAX_NAMES + 10; i++) {
            TicketKey key = TicketKey.random();
            keys.add(key);
            counters.sealed(key);
            counters.opened(key, i % 2 == 0);
        }
        for (int i = 0; i < 1000; i++) {
            counters.unknownName();
        }
        TicketKeyStats stats = counters.stats();
        assertEquals(KeyCounters.MAX_NAMES, stats.byKeyName().size());
        assertFalse(stats.byKeyName().containsKey(keys.get(0).statsName), "the first counted is dropped first");
        TicketKey last = keys.get(keys.size() - 1);
        assertEquals(new TicketKeyStats.KeyUse(1, 1, 0), stats.of(last.statsName));
        assertEquals(1000, stats.unknownName());
        assertTrue(stats.toString().contains(last.statsName) && !stats.toString().contains(
                java.util.HexFormat.of().formatHex(last.aesKey())), "names only, no key material");
    }
}
