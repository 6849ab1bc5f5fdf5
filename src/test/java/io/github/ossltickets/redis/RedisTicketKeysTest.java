package io.github.ossltickets.redis;

import io.github.ossltickets.keys.RotationPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What RedisTicketKeys refuses before it connects: no Redis needed. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RedisTicketKeysTest {
    private static final RotationPolicy POLICY = new RotationPolicy(Duration.ofMinutes(10), Duration.ofMinutes(3),
            Duration.ofMinutes(10));

    @Test
    void thePollIntervalMustBeWellBelowPublishAhead() {
        IllegalArgumentException slow = assertThrows(IllegalArgumentException.class, () -> RedisTicketKeys
                .builder("redis://localhost:1").policy(POLICY).pollInterval(Duration.ofSeconds(61)).start());
        assertTrue(slow.getMessage().contains("at most a third of the policy's publishAhead (PT3M)"), slow.getMessage());
    }

    @Test
    void badUrisAreRefusedWithoutRepeatingThePassword() {
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () -> RedisTicketKeys
                .builder("http://user:secret-1@localhost:6379").policy(POLICY).pollInterval(Duration.ofMinutes(1)).start());
        assertEquals("a Redis URI starts with redis:// or rediss://, not: http://user@localhost:6379", scheme.getMessage());
        IllegalArgumentException syntax = assertThrows(IllegalArgumentException.class,
                () -> RedisTicketKeys.builder("redis://user:sec ret-2@localhost"));
        assertFalse(syntax.getMessage().contains("ret-2"), syntax.getMessage());
        IllegalArgumentException database = assertThrows(IllegalArgumentException.class, () -> RedisTicketKeys
                .builder("redis://:secret-3@localhost/x").policy(POLICY).pollInterval(Duration.ofMinutes(1)).start());
        assertEquals("the Redis URI's path is a database number (/0), not /x: redis://localhost/x", database.getMessage());
        assertEquals("redis://(an authority that is not user:password@host:port)",
                RedisKeyStore.redacted(java.net.URI.create("redis://u:p@ss@host")));
    }
}
