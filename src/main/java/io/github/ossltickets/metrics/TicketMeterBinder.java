package io.github.ossltickets.metrics;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKeyStats;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A context's ticket counters as Micrometer function counters, each tagged {@code context=<name>}:
 * <ul>
 * <li>{@code tls.tickets.generated}: generator calls that let a ticket be made;</li>
 * <li>{@code tls.tickets.decrypts}, tag {@code status} ({@code EMPTY}, {@code NO_DECRYPT},
 *     {@code SUCCESS}, {@code SUCCESS_RENEW}): decrypt callback calls;</li>
 * <li>{@code tls.tickets.returns}, tag {@code return} ({@code ABORT}, {@code IGNORE},
 *     {@code IGNORE_RENEW}, {@code USE}, {@code USE_RENEW}): what the decrypt bridge returned;</li>
 * <li>{@code tls.tickets.callback.failures}: exceptions thrown by callbacks, and rules they broke;</li>
 * <li>{@code tls.tickets.keys}, tags {@code key} (key name in lower-case hex, never key material) and
 *     {@code event} ({@code sealed}, {@code opened}, {@code renewed}): per key of the key callback;</li>
 * <li>{@code tls.tickets.keys.unknown}: tickets under a key name the key callback did not know;</li>
 * <li>{@code tls.tickets.keys.declined}: new tickets the key callback declined to seal.</li>
 * </ul>
 *
 * <pre>{@code
 * new TicketMeterBinder(context, "public-https").bindTo(registry);
 * }</pre>
 *
 * <p>Keys come and go as a key ring rotates: each read of {@code tls.tickets.keys.unknown} (every
 * publication of the registry) adds the meters of key names newly counted and removes those of names
 * {@link SslContext#ticketKeyStats()} no longer lists (it keeps the 32 most recent), so the number of
 * meters stays bounded.
 *
 * <p>The meters hold the context weakly, as Micrometer's function counters do: they never keep it, or its
 * {@code SSL_CTX}, alive. Once it is closed or collected they keep their last values, until
 * {@link #close()} removes them (a server that replaces a context closes the old binder, then binds
 * the new context under the same name).
 */
public final class TicketMeterBinder implements MeterBinder, AutoCloseable {
    private static final String PREFIX = "tls.tickets.";
    private static final String[] KEY_EVENTS = {"sealed", "opened", "renewed"};

    private final WeakReference<SslContext> context;
    private final String contextName;
    /** What each {@link #bindTo} registered, for {@link #close()}. */
    private final List<Binding> bindings = new ArrayList<>();

    /** Counters of {@code context}, tagged {@code context=<contextName>}; the binder too holds it weakly. */
    public TicketMeterBinder(SslContext context, String contextName) {
        this.context = new WeakReference<>(Objects.requireNonNull(context, "context"));
        this.contextName = Objects.requireNonNull(contextName, "contextName");
    }

    /**
     * Registers the meters with {@code registry}. If the registry refuses one (throws), none of them
     * stay registered, and what it threw is thrown.
     *
     * @throws IllegalArgumentException if {@code registry} already has the meters of a context of this name
     * @throws IllegalStateException if the context was collected before
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        SslContext context = this.context.get();
        if (context == null) {
            throw new IllegalStateException("cannot bind the ticket meters of context \"" + contextName
                    + "\": the SslContext was garbage-collected");
        }
        // The check and the registration are one step: two binders of one name bound at once would both
        // pass a check made alone. Binders of other registries do not wait on each other.
        synchronized (registry) {
            register(registry, context);
        }
    }

    private void register(MeterRegistry registry, SslContext context) {
        if (registry.find(PREFIX + "generated").tag("context", contextName).meter() != null) {
            // Micrometer would hand back the existing meters, silently counting the other context.
            throw new IllegalArgumentException("the registry already has the ticket meters of a context named \""
                    + contextName + "\": close that TicketMeterBinder first, or bind this context under another name");
        }
        Tags tags = Tags.of("context", contextName);
        LastCounts counts = new LastCounts();
        Binding binding = new Binding(registry, tags, counts);
        try {
            registerMeters(registry, context, tags, counts, binding);
        } catch (RuntimeException | Error refused) {
            try {
                binding.close(); // a registry that refused one meter keeps none: the name stays free
            } catch (RuntimeException | Error removalFailed) {
                refused.addSuppressed(removalFailed); // the refusal stays the error the caller sees
            }
            throw refused;
        }
        bindings.add(binding);
    }

    private static void registerMeters(MeterRegistry registry, SslContext context, Tags tags, LastCounts counts,
            Binding binding) {
        binding.add(counter(registry, context, "generated", "Tickets the generator callback let be made", tags,
                c -> counts.stats(c).ticketsGenerated()));
        for (TicketStatus status : TicketStatus.values()) {
            binding.add(counter(registry, context, "decrypts", "Decrypt callback calls, by the status OpenSSL passed",
                    tags.and("status", status.name()), c -> counts.stats(c).decryptsByStatus().get(status)));
        }
        for (TicketReturn kind : TicketReturn.values()) {
            binding.add(counter(registry, context, "returns", "What the decrypt callback returned to OpenSSL,"
                    + " fallbacks included", tags.and("return", kind.name()),
                    c -> counts.stats(c).returnsByKind().get(kind)));
        }
        binding.add(counter(registry, context, "callback.failures", "Exceptions thrown by ticket callbacks, and"
                + " rules they broke", tags, c -> counts.stats(c).callbackFailures()));
        binding.sync(context, counts.keyStats(context));
        binding.add(counter(registry, context, "keys.unknown", "Tickets under a key name the key callback did not"
                + " know", tags, c -> {
                    TicketKeyStats stats = counts.keyStats(c);
                    binding.sync(c, stats); // the per-key meters follow the names counted
                    return stats.unknownName();
                }));
        binding.add(counter(registry, context, "keys.declined", "New tickets the key callback declined to seal",
                tags, c -> counts.keyStats(c).noTicket()));
    }

    /** Removes every meter this binder registered, from every registry it was bound to. Idempotent. */
    @Override
    public synchronized void close() {
        bindings.forEach(Binding::close);
        bindings.clear();
    }

    /** Micrometer holds {@code context} weakly and, once it is collected, keeps the counter's last value. */
    private static FunctionCounter counter(MeterRegistry registry, SslContext context, String name,
            String description, Iterable<Tag> tags, ToLongFunction<SslContext> count) {
        return FunctionCounter.builder(PREFIX + name, context, c -> count.applyAsLong(c))
                .description(description).tags(tags).register(registry);
    }

    /**
     * The meters of one binding: the fixed ones, and the {@code tls.tickets.keys} meters, which follow the
     * key names the context lists. Static, and given the context on each call: the registry holds it, and
     * it must not hold the context.
     */
    private static final class Binding {
        private final MeterRegistry registry;
        private final Tags tags;
        private final LastCounts counts;
        /** Per key name: its meters, and its last counts, kept while its meters are being removed. */
        private final Map<String, List<Meter>> meters = new HashMap<>();
        private final Map<String, TicketKeyStats.KeyUse> lastUse = new HashMap<>();
        private final List<Meter> fixed = new ArrayList<>();
        private boolean closed;

        Binding(MeterRegistry registry, Tags tags, LastCounts counts) {
            this.registry = registry;
            this.tags = tags;
            this.counts = counts;
        }

        synchronized void add(Meter meter) {
            fixed.add(meter);
        }

        synchronized void close() {
            closed = true;
            fixed.forEach(registry::remove);
            meters.values().forEach(ofKey -> ofKey.forEach(registry::remove));
            meters.clear();
        }

        synchronized void sync(SslContext context, TicketKeyStats stats) {
            if (closed) {
                return; // a publication racing close() must not register meters again
            }
            lastUse.putAll(stats.byKeyName());
            for (String hexName : stats.byKeyName().keySet()) {
                meters.computeIfAbsent(hexName, name -> register(context, name));
            }
            meters.keySet().removeIf(hexName -> {
                if (stats.byKeyName().containsKey(hexName)) {
                    return false;
                }
                meters.get(hexName).forEach(registry::remove);
                lastUse.remove(hexName);
                return true;
            });
        }

        private List<Meter> register(SslContext context, String hexName) {
            List<Meter> registered = new ArrayList<>();
            for (String event : KEY_EVENTS) {
                registered.add(counter(registry, context, "keys", "Tickets sealed, opened and renewed, by key name",
                        tags.and("key", hexName).and("event", event), c -> count(use(hexName, c), event)));
            }
            return registered;
        }

        /** The key's counts now, or its last counts if the context no longer lists it. */
        private synchronized TicketKeyStats.KeyUse use(String hexName, SslContext c) {
            TicketKeyStats.KeyUse use = counts.keyStats(c).byKeyName().get(hexName);
            if (use != null) {
                lastUse.put(hexName, use);
                return use;
            }
            return lastUse.getOrDefault(hexName, new TicketKeyStats.KeyUse(0, 0, 0));
        }

        private static long count(TicketKeyStats.KeyUse use, String event) {
            return switch (event) {
                case "sealed" -> use.sealed();
                case "opened" -> use.opened();
                default -> use.renewed();
            };
        }
    }
}
