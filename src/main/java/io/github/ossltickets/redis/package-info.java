/**
 * Ticket keys shared and rotated by a fleet through Redis ({@link io.github.ossltickets.redis.RedisTicketKeys}),
 * on the Jedis client, an optional dependency: add {@code redis.clients:jedis} to use this package.
 *
 * <p>It builds on {@link io.github.ossltickets.keys} (the schedule it stores is a
 * {@link io.github.ossltickets.keys.KeySchedule}) and the root package, and uses no other integration;
 * {@code serve --redis} in {@code cli} uses it.
 */
package io.github.ossltickets.redis;
