/**
 * Ticket keys shared and rotated by a fleet through Redis ({@link io.github.ossltickets.redis.RedisTicketKeys}),
 * on the Jedis client, an optional dependency: add {@code redis.clients:jedis} to use this package.
 */
package io.github.ossltickets.redis;
