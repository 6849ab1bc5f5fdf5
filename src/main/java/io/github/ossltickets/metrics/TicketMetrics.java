package io.github.ossltickets.metrics;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKeyStats;
import io.github.ossltickets.TicketStats;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Publishes a context's ticket counters as a platform MXBean ({@link TicketStatsMXBean}), one per context,
 * under {@code io.github.ossltickets:type=TicketStats,name="<name>"}:
 *
 * <pre>{@code
 * try (TicketMetrics.Registration jmx = TicketMetrics.register(context, "public-https")) {
 *     ... serve ...
 * }
 * }</pre>
 *
 * <p>The MXBean holds the context weakly: it never keeps the context, or its {@code SSL_CTX}, alive.
 * After the context is closed or collected it stays registered, reports {@code Closed=true} and the last
 * counts it read, until the registration is closed.
 */
public final class TicketMetrics {
    /** The ObjectName domain of every MXBean this class registers. */
    public static final String DOMAIN = "io.github.ossltickets";

    private TicketMetrics() {}

    /** {@code io.github.ossltickets:type=TicketStats,name="<name>"}, the name quoted as JMX quotes values. */
    public static ObjectName objectName(String name) {
        Objects.requireNonNull(name, "name");
        try {
            return new ObjectName(DOMAIN + ":type=TicketStats,name=" + ObjectName.quote(name));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("cannot make a JMX ObjectName from the context name \"" + name + "\": "
                    + e.getMessage(), e);
        }
    }

    /** Registers {@code context}'s counters with the platform MBean server under {@link #objectName(String)}. */
    public static Registration register(SslContext context, String name) {
        return register(context, name, ManagementFactory.getPlatformMBeanServer());
    }

    /**
     * Registers {@code context}'s counters with {@code server} under {@link #objectName(String)}.
     *
     * @throws IllegalArgumentException if an MBean is already registered under that name
     * @throws IllegalStateException if {@code context} is closed
     */
    public static Registration register(SslContext context, String name, MBeanServer server) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(server, "server");
        ObjectName objectName = objectName(name);
        context.ticketStats(); // a closed context is refused here, not discovered later as a bean of zeros
        try {
            server.registerMBean(new ContextTicketStats(context, name), objectName);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalArgumentException("an MBean named " + objectName + " is already registered: close"
                    + " its TicketMetrics.Registration first, or register this context under another name", e);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + objectName + ": " + e, e);
        }
        return new Registration(server, objectName);
    }

    /** A registered MXBean; {@link #close()} unregisters it. */
    public static final class Registration implements AutoCloseable {
        private final MBeanServer server;
        private final ObjectName objectName;

        private Registration(MBeanServer server, ObjectName objectName) {
            this.server = server;
            this.objectName = objectName;
        }

        /** Where the MXBean is registered. */
        public ObjectName objectName() {
            return objectName;
        }

        /** Unregisters the MXBean, which frees its name. Idempotent; a bean already unregistered is fine. */
        @Override
        public synchronized void close() {
            try {
                if (server.isRegistered(objectName)) {
                    server.unregisterMBean(objectName);
                }
            } catch (InstanceNotFoundException raced) {
                // unregistered by someone else in between: the name is free, as asked
            } catch (JMException e) {
                throw new IllegalStateException("cannot unregister " + objectName + ": " + e, e);
            }
        }
    }

    /** The MXBean: a weak reference to the context and the last counts read from it. */
    private static final class ContextTicketStats implements TicketStatsMXBean {
        private final WeakReference<SslContext> context;
        private final String name;
        private final LastCounts counts = new LastCounts();

        ContextTicketStats(SslContext context, String name) {
            this.context = new WeakReference<>(context);
            this.name = name;
        }

        private TicketStats stats() {
            return counts.stats(context.get());
        }

        private TicketKeyStats keyStats() {
            return counts.keyStats(context.get());
        }

        @Override
        public String getContextName() {
            return name;
        }

        @Override
        public boolean isClosed() {
            return !LastCounts.isOpen(context.get());
        }

        @Override
        public long getTicketsGenerated() {
            return stats().ticketsGenerated();
        }

        @Override
        public Map<String, Long> getDecryptsByStatus() {
            return byName(stats().decryptsByStatus());
        }

        @Override
        public Map<String, Long> getReturnsByKind() {
            return byName(stats().returnsByKind());
        }

        @Override
        public long getCallbackFailures() {
            return stats().callbackFailures();
        }

        @Override
        public Map<String, KeyCounts> getByKeyName() {
            Map<String, KeyCounts> byName = new LinkedHashMap<>();
            keyStats().byKeyName().forEach((hexName, use) -> byName.put(hexName, KeyCounts.of(use)));
            return byName;
        }

        @Override
        public long getUnknownKeyName() {
            return keyStats().unknownName();
        }

        @Override
        public long getSealDeclined() {
            return keyStats().noTicket();
        }

        private static Map<String, Long> byName(Map<? extends Enum<?>, Long> counts) {
            Map<String, Long> byName = new LinkedHashMap<>();
            counts.forEach((kind, count) -> byName.put(kind.name(), count));
            return byName;
        }
    }
}
