package io.github.ossltickets.metrics;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKey;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The metrics used the wrong way, or against a registry that misbehaves. */
@Timeout(60)
class MetricsHostileTest {

    /**
     * A registry that refuses one of the meters (here a filter that throws; Prometheus's registry throws
     * on a name it already has with other tag keys): bindTo fails, and leaves none of its meters behind,
     * which used to keep the name taken ("already has the ticket meters") until the binder was closed.
     */
    @Test
    void aRegistryThatThrowsMidwayKeepsNoneOfTheMeters() {
        MeterRegistry registry = new SimpleMeterRegistry();
        refuseTheCallbackFailuresMeter(registry);
        try (SslContext server = Traffic.server(TicketKey.random())) {
            TicketMeterBinder binder = new TicketMeterBinder(server, "web");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> binder.bindTo(registry));
            assertEquals("refused by the registry", thrown.getMessage());
            assertEquals(List.of(), registry.getMeters(), "what was registered before the refusal is removed");
            Traffic.fullResumedAndForeign(server);
            assertEquals(List.of(), registry.getMeters(), "and nothing is registered later");
        }
    }

    /** A registry that refuses a meter and then its removal too: the refusal is thrown, the removal's failure suppressed in it. */
    @Test
    void aRegistryThatAlsoRefusesTheRemovalStillReportsTheRefusal() {
        MeterRegistry registry = new SimpleMeterRegistry() {
            @Override
            public Meter remove(Meter.Id id) {
                throw new IllegalStateException("removal refused by the registry");
            }
        };
        refuseTheCallbackFailuresMeter(registry);
        try (SslContext server = Traffic.server(TicketKey.random())) {
            TicketMeterBinder binder = new TicketMeterBinder(server, "web");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> binder.bindTo(registry));
            assertEquals("refused by the registry", thrown.getMessage());
            assertEquals(1, thrown.getSuppressed().length, java.util.Arrays.toString(thrown.getSuppressed()));
            assertEquals("removal refused by the registry", thrown.getSuppressed()[0].getMessage());
        }
    }

    /** A filter that throws on one meter, as Prometheus's registry throws on a name it has with other tag keys. */
    private static void refuseTheCallbackFailuresMeter(MeterRegistry registry) {
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getName().equals("tls.tickets.callback.failures")) {
                    throw new IllegalArgumentException("refused by the registry");
                }
                return id;
            }
        });
    }
}
