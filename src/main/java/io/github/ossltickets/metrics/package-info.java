/**
 * The ticket counters of a context ({@link io.github.ossltickets.SslContext#ticketStats()} and
 * {@link io.github.ossltickets.SslContext#ticketKeyStats()}) for monitoring: a platform MXBean per
 * context ({@link io.github.ossltickets.metrics.TicketMetrics}) and a Micrometer
 * {@code MeterBinder} ({@link io.github.ossltickets.metrics.TicketMeterBinder}, which needs
 * micrometer-core on the class path; the rest of the library does not).
 *
 * <p>It reads the root package's counters only, and uses no other integration. Neither keeps a context alive: both hold it weakly, and once it is closed or collected they report
 * the last counts they read.
 */
package io.github.ossltickets.metrics;
