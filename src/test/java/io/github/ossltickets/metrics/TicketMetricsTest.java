package io.github.ossltickets.metrics;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ticket MXBean read as a JMX client reads it: through the platform MBean server, attributes by name. */
@Timeout(60)
class TicketMetricsTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test
    void theMXBeanShowsTheExactCountsOfRealHandshakes() throws Exception {
        TicketKey active = TicketKey.random();
        try (SslContext server = Traffic.server(active);
                TicketMetrics.Registration jmx = TicketMetrics.register(server, "counts \"test\", quoted")) {
            ObjectName name = new ObjectName("io.github.ossltickets:type=TicketStats,name="
                    + ObjectName.quote("counts \"test\", quoted"));
            assertEquals(name, jmx.objectName());
            assertEquals(0L, SERVER.getAttribute(name, "TicketsGenerated"), "nothing yet");

            Traffic.fullResumedAndForeign(server);

            assertEquals("counts \"test\", quoted", SERVER.getAttribute(name, "ContextName"));
            assertEquals(false, SERVER.getAttribute(name, "Closed"));
            assertEquals(5L, SERVER.getAttribute(name, "TicketsGenerated"));
            assertEquals(Map.of("EMPTY", 0L, "NO_DECRYPT", 1L, "SUCCESS", 0L, "SUCCESS_RENEW", 1L),
                    longs((TabularData) SERVER.getAttribute(name, "DecryptsByStatus")));
            assertEquals(Map.of("ABORT", 0L, "IGNORE", 0L, "IGNORE_RENEW", 1L, "USE", 0L, "USE_RENEW", 1L),
                    longs((TabularData) SERVER.getAttribute(name, "ReturnsByKind")));
            assertEquals(0L, SERVER.getAttribute(name, "CallbackFailures"));
            assertEquals(Map.of(Traffic.hex(active), Map.of("sealed", 5L, "opened", 1L, "renewed", 1L)),
                    keyCounts((TabularData) SERVER.getAttribute(name, "ByKeyName")));
            assertEquals(1L, SERVER.getAttribute(name, "UnknownKeyName"));
            assertEquals(0L, SERVER.getAttribute(name, "SealDeclined"));
        }
    }

    @Test
    void closingTheRegistrationUnregistersAndFreesTheName() throws Exception {
        try (SslContext server = Traffic.server(TicketKey.random())) {
            TicketMetrics.Registration jmx = TicketMetrics.register(server, "unregister");
            assertTrue(SERVER.isRegistered(jmx.objectName()));
            jmx.close();
            assertFalse(SERVER.isRegistered(jmx.objectName()));
            jmx.close(); // idempotent
            try (TicketMetrics.Registration again = TicketMetrics.register(server, "unregister")) {
                assertTrue(SERVER.isRegistered(again.objectName()), "the name is free again");
            }
        }
    }

    @Test
    void aDuplicateNameIsRefusedAndTheFirstBeanStays() throws Exception {
        try (SslContext first = Traffic.server(TicketKey.random());
                SslContext second = Traffic.server(TicketKey.random());
                TicketMetrics.Registration jmx = TicketMetrics.register(first, "duplicate")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> TicketMetrics.register(second, "duplicate"));
            assertTrue(refused.getMessage().contains("io.github.ossltickets:type=TicketStats,name=\"duplicate\"")
                    && refused.getMessage().contains("already registered"), refused.getMessage());
            Traffic.fullResumedAndForeign(first);
            assertEquals(5L, SERVER.getAttribute(jmx.objectName(), "TicketsGenerated"), "still the first context's");
        }
    }

    @Test
    void aClosedContextReadsAsClosedWithItsLastCounts() throws Exception {
        SslContext server = Traffic.server(TicketKey.random());
        try (TicketMetrics.Registration jmx = TicketMetrics.register(server, "closed")) {
            Traffic.fullResumedAndForeign(server);
            assertEquals(5L, SERVER.getAttribute(jmx.objectName(), "TicketsGenerated"));
            server.close();
            assertEquals(true, SERVER.getAttribute(jmx.objectName(), "Closed"));
            assertEquals(5L, SERVER.getAttribute(jmx.objectName(), "TicketsGenerated"), "the last counts read");
            assertEquals(1L, SERVER.getAttribute(jmx.objectName(), "UnknownKeyName"));
            assertEquals(1L, longs((TabularData) SERVER.getAttribute(jmx.objectName(), "DecryptsByStatus"))
                    .get("SUCCESS_RENEW"));
            assertThrows(IllegalStateException.class, () -> TicketMetrics.register(server, "closed too"),
                    "a closed context is refused");
        }
    }

    /** A context dropped without close() is collected and freed while its MXBean stays registered. */
    @Test
    void theMXBeanDoesNotKeepADroppedContextAlive() throws Exception {
        OpenSsl.LiveObjects baseline = settledLiveObjects();
        Dropped dropped = registerUseAndDrop();
        try (TicketMetrics.Registration jmx = dropped.registration()) {
            for (int i = 0; i < 100 && (dropped.context().get() != null || !ProcessChecks.noMoreThan(baseline));
                    i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertNull(dropped.context().get(), "the handle was collected");
            assertTrue(ProcessChecks.noMoreThan(baseline), "the native context and its callbacks were freed: before "
                    + baseline + ", after " + OpenSsl.liveObjects());
            assertEquals(true, SERVER.getAttribute(jmx.objectName(), "Closed"));
            assertEquals(5L, SERVER.getAttribute(jmx.objectName(), "TicketsGenerated"), "the last counts read");
            assertEquals(1, ((TabularData) SERVER.getAttribute(jmx.objectName(), "ByKeyName")).size());
        }
    }

    private record Dropped(TicketMetrics.Registration registration, WeakReference<SslContext> context) {}

    private static Dropped registerUseAndDrop() throws Exception {
        SslContext server = Traffic.server(TicketKey.random());
        TicketMetrics.Registration jmx = TicketMetrics.register(server, "dropped");
        Traffic.fullResumedAndForeign(server);
        assertEquals(5L, SERVER.getAttribute(jmx.objectName(), "TicketsGenerated"));
        SERVER.getAttribute(jmx.objectName(), "ByKeyName");
        return new Dropped(jmx, new WeakReference<>(server)); // `server` is dropped here, never closed
    }

    static OpenSsl.LiveObjects settledLiveObjects() throws InterruptedException {
        OpenSsl.LiveObjects previous = null;
        OpenSsl.LiveObjects now = OpenSsl.liveObjects();
        for (int i = 0; i < 20 && !now.equals(previous); i++) {
            System.gc();
            Thread.sleep(20);
            previous = now;
            now = OpenSsl.liveObjects();
        }
        return now;
    }

    private static Map<String, Long> longs(TabularData table) {
        Map<String, Long> byName = new HashMap<>();
        for (Object row : table.values()) {
            CompositeData entry = (CompositeData) row;
            byName.put((String) entry.get("key"), (Long) entry.get("value"));
        }
        return byName;
    }

    private static Map<String, Map<String, Long>> keyCounts(TabularData table) {
        Map<String, Map<String, Long>> byName = new HashMap<>();
        for (Object row : table.values()) {
            CompositeData entry = (CompositeData) row;
            CompositeData counts = (CompositeData) entry.get("value");
            byName.put((String) entry.get("key"), Map.of("sealed", (Long) counts.get("sealed"),
                    "opened", (Long) counts.get("opened"), "renewed", (Long) counts.get("renewed")));
        }
        return byName;
    }
}
