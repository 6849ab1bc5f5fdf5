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
        assertEquals("the Redis URI's path must be a database number such as /0: redis://localhost/x",
                database.getMessage());
        assertEquals("redis://\u2026@host", RedisKeyStore.redacted(java.net.URI.create("redis://u:p@ss@host")));
    }

    /** Passwords with characters that end a URI's user info early: none of them may reach a message. */
    @Test
    void passwordsThatBreakTheAuthorityNeverReachAMessage() {
        for (String uri : new String[] {"redis://:s3cr3t/PASS@127.0.0.1:16399", "redis://:s3cr3t#PASS@127.0.0.1:16399",
                "redis://:s3cr3t?PASS@127.0.0.1:16399", "redis://user:1234/PASS@127.0.0.1:16399",
                "redis://user:1234/PASS@127.0.0.1:16399/0", "rediss://:a/b?c#PASS@host/0", "redis://default:PASS",
                "redis://host/0?password=PASS", "redis://host/0#PASS"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RedisTicketKeys
                    .builder(uri).policy(POLICY).pollInterval(Duration.ofMinutes(1)).start(), uri);
            assertFalse(refused.getMessage().contains("PASS"), refused.getMessage());
            assertFalse(RedisKeyStore.redacted(java.net.URI.create(uri)).contains("PASS"), uri);
        }
        assertEquals("redis://\u2026@127.0.0.1:16399",
                RedisKeyStore.redacted(java.net.URI.create("redis://:s3cr3t/PASS@127.0.0.1:16399")));
        assertEquals("redis://\u2026@127.0.0.1:16399/0",
                RedisKeyStore.redacted(java.net.URI.create("redis://user:1234/PASS@127.0.0.1:16399/0")));
        // + and = are legal in user info: parsed as a password, and left out like any other.
        assertEquals("redis://user@127.0.0.1:16399/0",
                RedisKeyStore.redacted(java.net.URI.create("redis://user:a+b=PASS@127.0.0.1:16399/0")));
        assertEquals("redis://127.0.0.1:16399", RedisKeyStore.redacted(java.net.URI.create("redis://:a+b=PASS@127.0.0.1:16399")));
        assertEquals("redis://host/0?\u2026", RedisKeyStore.redacted(java.net.URI.create("redis://host/0?password=PASS")));
    }
}
