package io.github.ossltickets.redis;

/**
 * What one server's {@link RedisTicketKeys} has done since it started; never key material.
 *
 * @param polls reads of Redis, the one at start included
 * @param failedPolls polls that could not use Redis (unreachable, timed out, refused the password or a command)
 * @param outages runs of failed polls: each began with one WARNING
 * @param published schedules this server wrote to Redis (a first schedule, a rotation, expired keys dropped,
 *     or its schedule written back to a Redis that came back empty)
 * @param lostRaces publications another server made first, so this one read and used theirs
 * @param refusedValues polls that found a value that is not a key schedule this version reads
 * @param redisAvailable whether the last poll could use Redis
 */
public record RedisKeysStats(long polls, long failedPolls, long outages, long published, long lostRaces,
        long refusedValues, boolean redisAvailable) {
}
