/**
 * Ticket keys for a server or a fleet: a key ring that seals and opens tickets
 * ({@link io.github.ossltickets.keys.TicketKeyRing}, installed as a
 * {@link io.github.ossltickets.TicketKeyCallback}), schedules and rotation
 * ({@link io.github.ossltickets.keys.KeySchedule}, {@link io.github.ossltickets.keys.RotationPolicy},
 * {@link io.github.ossltickets.keys.RotatingKeyRing}), and key files in nginx's and HAProxy's layouts
 * ({@link io.github.ossltickets.keys.TicketKeyFiles}, {@link io.github.ossltickets.keys.KeyFileWatcher}).
 *
 * <p>It uses the root package's API only, never the raw mapping, and the JDK: no other library. The
 * {@code net} and {@code cli} packages and the {@code redis} integration build on it.
 */
package io.github.ossltickets.keys;
