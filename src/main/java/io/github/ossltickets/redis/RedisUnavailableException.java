package io.github.ossltickets.redis;

/**
 * A server could not start with ticket keys from Redis: Redis was unreachable, refused the password or
 * a command, or held a value that is not a key schedule. The message names the URI without its password,
 * the Redis key and the reason; the cause is the client's exception.
 */
public final class RedisUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
