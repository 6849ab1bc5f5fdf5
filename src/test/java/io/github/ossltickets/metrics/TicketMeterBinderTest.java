package io.github.ossltickets.metrics;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Micrometer meters of a context, read from a SimpleMeterRegistry after real handshakes. */
@Timeout(60)
class TicketMeterBinderTest {

    @Test
    void theMetersShowTheExactCountsOfRealHandshakes() {
        TicketKey active = TicketKey.random();
        MeterRegistry registry = new SimpleMeterRegistry();
        try (SslContext server = Traffic.server(active)) {
            new TicketMeterBinder(server, "web").bindTo(registry);
            Traffic.fullResumedAndForeign(server);
            String key = Traffic.hex(active);
            Map<String, Double> expected = new TreeMap<>(Map.ofEntries(
                    Map.entry("tls.tickets.generated{context=web}", 5.0),
                    Map.entry("tls.tickets.decrypts{context=web,status=EMPTY}", 0.0),
                    Map.entry("tls.tickets.decrypts{context=web,status=NO_DECRYPT}", 1.0),
                    Map.entry("tls.tickets.decrypts{context=web,status=SUCCESS}", 0.0),
                    Map.entry("tls.tickets.decrypts{context=web,status=SUCCESS_RENEW}", 1.0),
                    Map.entry("tls.tickets.returns{context=web,return=ABORT}", 0.0),
                    Map.entry("tls.tickets.returns{context=web,return=IGNORE}", 0.0),
                    Map.entry("tls.tickets.returns{context=web,return=IGNORE_RENEW}", 1.0),
                    Map.entry("tls.tickets.returns{context=web,return=USE}", 0.0),
                    Map.entry("tls.tickets.returns{context=web,return=USE_RENEW}", 1.0),
                    Map.entry("tls.tickets.callback.failures{context=web}", 0.0),
                    Map.entry("tls.tickets.keys.unknown{context=web}", 1.0),
                    Map.entry("tls.tickets.keys.declined{context=web}", 0.0)));
            assertEquals(expected, counts(registry), "first publication: the key's meters are not there yet");
            expected.put("tls.tickets.keys{context=web,event=sealed,key=" + key + "}", 5.0);
            expected.put("tls.tickets.keys{context=web,event=opened,key=" + key + "}", 1.0);
            expected.put("tls.tickets.keys{context=web,event=renewed,key=" + key + "}", 1.0);
            assertEquals(expected, counts(registry), "the next publication has the key counted during the first");
        }
    }

    /** Two binders of one context name bound at once: exactly one is accepted, every time. */
    @Test
    void concurrentBindersOfOneNameAcceptExactlyOne() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (SslContext first = Traffic.server(TicketKey.random()); SslContext second = Traffic.server(TicketKey.random())) {
            for (int trial = 0; trial < 300; trial++) {
                MeterRegistry registry = new SimpleMeterRegistry();
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                List<java.util.concurrent.Future<Boolean>> bound = new ArrayList<>();
                for (SslContext context : List.of(first, second)) {
                    TicketMeterBinder binder = new TicketMeterBinder(context, "x");
                    bound.add(pool.submit(() -> {
                        start.await();
                        try {
                            binder.bindTo(registry);
                            return true;
                        } catch (IllegalArgumentException duplicate) {
                            return false;
                        }
                    }));
                }
                int accepted = 0;
                for (java.util.concurrent.Future<Boolean> result : bound) {
                    accepted += result.get() ? 1 : 0;
                }
                assertEquals(1, accepted, "trial " + trial + ": binders accepted for one context name");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A ring that rotates: the per-key meters follow the names the context lists, 32 at most. */
    @Test
    void keyMetersFollowRotationAndStayBounded() {
        MeterRegistry registry = new SimpleMeterRegistry();
        List<TicketKey> keys = new ArrayList<>();
        try (SslContext server = Traffic.server(TicketKey.random()); SslContext client = Traffic.client()) {
            TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
            server.setTicketKeyCallback(ring);
            new TicketMeterBinder(server, "rotating").bindTo(registry);
            for (int i = 0; i < 34; i++) {
                TicketKey key = TicketKey.random();
                keys.add(key);
                ring.update(KeySet.of(key));
                Traffic.connect(server, client, null).close();
                counts(registry); // a publication per key: each key's meters appear, the oldest go
            }
            counts(registry);
            Set<String> named = registry.find("tls.tickets.keys").meters().stream()
                    .map(meter -> meter.getId().getTag("key")).collect(Collectors.toSet());
            Set<String> newest = keys.subList(2, 34).stream().map(Traffic::hex).collect(Collectors.toSet());
            assertEquals(newest, named, "the 32 most recent key names, no more");
            assertEquals(2.0, registry.get("tls.tickets.keys").tags("key", Traffic.hex(keys.get(33)), "event", "sealed")
                    .functionCounter().count());
        }
    }

    @Test
    void theMetersDoNotKeepADroppedContextAliveAndKeepTheirLastValues() throws Exception {
        OpenSsl.LiveObjects baseline = TicketMetricsTest.settledLiveObjects();
        MeterRegistry registry = new SimpleMeterRegistry();
        WeakReference<SslContext> dropped = bindUseAndDrop(registry);
        for (int i = 0; i < 100 && (dropped.get() != null || !ProcessChecks.noMoreThan(baseline)); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(dropped.get(), "the handle was collected");
        assertTrue(ProcessChecks.noMoreThan(baseline), "the native context and its callbacks were freed: before " + baseline
                + ", after " + OpenSsl.liveObjects());
        assertEquals(5.0, registry.get("tls.tickets.generated").functionCounter().count(), "the last value");
        assertEquals(1.0, registry.get("tls.tickets.keys.unknown").functionCounter().count());
        assertEquals(5.0, registry.get("tls.tickets.keys").tag("event", "sealed").functionCounter().count());
    }

    @Test
    void aClosedContextKeepsItsLastValues() {
        MeterRegistry registry = new SimpleMeterRegistry();
        SslContext server = Traffic.server(TicketKey.random());
        new TicketMeterBinder(server, "closed").bindTo(registry);
        Traffic.fullResumedAndForeign(server);
        counts(registry); // a publication registers the key's meters
        Map<String, Double> before = counts(registry);
        assertEquals(16, before.size());
        server.close();
        assertEquals(before, counts(registry));
        assertEquals(5.0, registry.get("tls.tickets.generated").functionCounter().count());
    }

    /** A context replaced under the same name: the second binding is refused until the first is closed. */
    @Test
    void aNameInUseIsRefusedAndCloseRemovesEveryMeter() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (SslContext old = Traffic.server(TicketKey.random());
                SslContext replacement = Traffic.server(TicketKey.random())) {
            TicketMeterBinder first = new TicketMeterBinder(old, "web");
            first.bindTo(registry);
            Traffic.fullResumedAndForeign(old);
            counts(registry); // the key's meters too
            assertEquals(16, registry.getMeters().size());
            TicketMeterBinder second = new TicketMeterBinder(replacement, "web");
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> second.bindTo(registry));
            assertEquals("the registry already has the ticket meters of a context named \"web\": close that"
                    + " TicketMeterBinder first, or bind this context under another name", refused.getMessage());

            first.close();
            assertEquals(List.of(), registry.getMeters(), "close removed every meter, the key's too");
            first.close(); // idempotent
            second.bindTo(registry);
            assertEquals(0.0, registry.get("tls.tickets.generated").tag("context", "web").functionCounter().count(),
                    "the replacement's own counts");
        }
    }

    /** A binder kept (a bean, say) holds its context weakly too, and refuses to bind once it is gone. */
    @Test
    void aBinderDoesNotKeepItsContextAlive() throws Exception {
        Unbound unbound = binderOfADroppedContext();
        TicketMeterBinder binder = unbound.binder();
        for (int i = 0; i < 100 && unbound.context().get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(unbound.context().get(), "the handle was collected");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> binder.bindTo(new SimpleMeterRegistry()));
        assertEquals("cannot bind the ticket meters of context \"gone\": the SslContext was garbage-collected",
                refused.getMessage());
    }

    private record Unbound(TicketMeterBinder binder, WeakReference<SslContext> context) {}

    private static Unbound binderOfADroppedContext() {
        SslContext server = Traffic.server(TicketKey.random());
        return new Unbound(new TicketMeterBinder(server, "gone"), new WeakReference<>(server)); // dropped, never closed
    }

    private static WeakReference<SslContext> bindUseAndDrop(MeterRegistry registry) {
        SslContext server = Traffic.server(TicketKey.random());
        new TicketMeterBinder(server, "dropped").bindTo(registry);
        Traffic.fullResumedAndForeign(server);
        assertEquals(5.0, counts(registry).get("tls.tickets.generated{context=dropped}"));
        counts(registry); // the key's meters
        return new WeakReference<>(server); // `server` is dropped here, never closed
    }

    /** Every meter, as a publication reads them: "name{tag=value,...}" to its count. */
    private static Map<String, Double> counts(MeterRegistry registry) {
        Map<String, Double> counts = new TreeMap<>();
        for (Meter meter : registry.getMeters()) {
            String tags = meter.getId().getTags().stream().map(tag -> tag.getKey() + "=" + tag.getValue())
                    .collect(Collectors.joining(",", "{", "}"));
            counts.put(meter.getId().getName() + tags, ((FunctionCounter) meter).count());
        }
        return counts;
    }
}
