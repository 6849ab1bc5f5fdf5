package io.github.ossltickets.redis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Redis that lies: a peer on 127.0.0.1 that reads each command and answers it with a fixed, wrong
 * reply. Whatever it says, start() fails closed with {@link RedisUnavailableException} naming the address
 * and the problem, or falls back to local keys when allowed; a poll fails, counted, and never throws.
 * The huge lengths declared are the largest an int holds: allocating them fails at once, without taking
 * memory, so even before the fix these cases could run in this JVM.
 */
@Timeout(30)
class LyingRedisTest {

    /** Answers every command (every RESP array it reads) with {@code reply}, on each connection. */
    private static final class LyingRedis implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread thread;
        final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

        LyingRedis(String reply) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            byte[] answer = reply.getBytes(StandardCharsets.ISO_8859_1);
            thread = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket peer = listener.accept()) {
                        connections.incrementAndGet();
                        InputStream in = peer.getInputStream();
                        OutputStream out = peer.getOutputStream();
                        while (skipCommand(in)) {
                            out.write(answer);
                            out.flush();
                        }
                    } catch (IOException gone) {
                        // the client left, or the test closed the listener
                    }
                }
            }, "lying-redis");
            thread.setDaemon(true);
            thread.start();
        }

        /** Reads one command: "*N\r\n" then N bulk strings; false at the end of the stream. */
        private static boolean skipCommand(InputStream in) throws IOException {
            String header = line(in);
            if (header == null) {
                return false;
            }
            int count = Integer.parseInt(header.substring(1));
            for (int i = 0; i < count; i++) {
                int length = Integer.parseInt(line(in).substring(1));
                in.readNBytes(length + 2);
            }
            return true;
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder text = new StringBuilder();
            for (int c; (c = in.read()) >= 0; ) {
                if (c == '\n') {
                    return text.toString().strip();
                }
                text.append((char) c);
            }
            return null;
        }

        String uri() {
            return "redis://127.0.0.1:" + listener.getLocalPort();
        }

        String address() {
            return "127.0.0.1:" + listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    private static RedisTicketKeys.Builder builder(LyingRedis redis) {
        return builder(redis, "");
    }

    /** {@code path}: "/1" makes Jedis SELECT database 1 first, a command whose status reply it does not check. */
    private static RedisTicketKeys.Builder builder(LyingRedis redis, String path) {
        return RedisTicketKeys.builder(redis.uri() + path).timeout(Duration.ofMillis(500));
    }

    private static void assertFailsClosed(String reply, String problem) throws Exception {
        assertFailsClosed(reply, "", problem);
    }

    private static void assertFailsClosed(String reply, String path, String problem) throws Exception {
        try (LyingRedis redis = new LyingRedis(reply)) {
            // Caught here, not by assertThrows: JUnit rethrows an OutOfMemoryError, ending the whole run.
            Throwable thrown = null;
            try {
                builder(redis, path).start().close();
            } catch (Throwable e) {
                thrown = e;
            }
            assertTrue(thrown instanceof RedisUnavailableException, "start() fails closed, not with " + thrown);
            RedisUnavailableException refused = (RedisUnavailableException) thrown;
            assertTrue(refused.getMessage().contains(redis.address()), refused.getMessage());
            assertTrue(refused.getMessage().contains(problem), refused.getMessage());

            try (RedisTicketKeys keys = builder(redis).fallbackToLocalKeys(true).start()) {
                assertFalse(keys.schedule().keys().isEmpty(), "local keys");
                assertFalse(keys.pollNow(), "a poll of a lying Redis fails");
                assertFalse(keys.stats().redisAvailable());
            }
        }
    }

    @Test
    void anIntegerForTheScriptsArrayFailsClosed() throws Exception {
        assertFailsClosed(":1\r\n", "unexpected reply");
    }

    @Test
    void aWrongTypeInsideTheArrayFailsClosed() throws Exception {
        assertFailsClosed("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "unexpected reply");
    }

    @Test
    void anEmptyArrayFailsClosed() throws Exception {
        assertFailsClosed("*0\r\n", "unexpected reply");
    }

    @Test
    void aHugeDeclaredBulkStringIsRefusedBeforeItIsAllocated() throws Exception {
        assertFailsClosed("*2\r\n:1\r\n$2147483647\r\n", "2147483647 bytes");
    }

    @Test
    void aHugeDeclaredArrayIsRefusedBeforeItIsAllocated() throws Exception {
        assertFailsClosed("*2147483647\r\n", "2147483647 elements");
    }

    @Test
    void aReplyThatStopsHalfwayTimesOut() throws Exception {
        assertFailsClosed("*2\r\n:1\r\n$10\r\nabc", "Read timed out");
    }

    @Test
    void arraysNestedDeeperThanAnyReplyAreRefused() throws Exception {
        assertFailsClosed("*1\r\n".repeat(100_000), "more than 64 elements");
    }

    /**
     * Jedis reads a length up to the first CR, adding every byte as a digit: "51329" and then seven
     * whitespace characters is 2147483647 to Jedis, an OutOfMemoryError; a check that strips the
     * whitespace saw 51329, under the limit.
     */
    @Test
    void aLengthWithWhitespaceAfterItIsRefused() throws Exception {
        assertFailsClosed("*2\r\n:1\r\n$51329\t\u001c\t \u001d\u001d\t\r\n", "string length that is not a number");
    }

    /** Jedis ends a status line only at CR LF: a bare LF hid the next header from a check that split at LF. */
    @Test
    void aBareLineFeedDoesNotHideAHugeLengthFromTheCheck() throws Exception {
        assertFailsClosed("+OK\n$11\r\n$2147483647\r\n", "/1", "line feed without a carriage return");
    }

    /** Jedis allocates new byte[-2] (NegativeArraySizeException), new ArrayList(-2) (IllegalArgumentException). */
    @Test
    void negativeLengthsAreRefused() throws Exception {
        assertFailsClosed("*2\r\n:1\r\n$-2\r\n", "string of negative length -2");
        assertFailsClosed("*-2\r\n", "array of negative length -2");
    }

    /** A RESP3 double this RESP2 client never asked for: Jedis parsed ",x" with a NumberFormatException. */
    @Test
    void aResp3ReplyTypeIsRefused() throws Exception {
        assertFailsClosed(",x\r\n", "type ','");
        assertFailsClosed("*2\r\n:1\r\n(x\r\n", "type '('");
    }

    /** Jedis parses a "-MOVED " error for its slot and address: without an address it threw ArrayIndexOutOfBounds. */
    @Test
    void anErrorJedisCannotParseFailsClosed() throws Exception {
        assertFailsClosed("-MOVED 1\r\n", "Jedis could not read it");
        assertFailsClosed("-ASK x 127.0.0.1:1\r\n", "Jedis could not read it");
    }

    /** A closed RedisTicketKeys refuses to poll: polling would open a connection nothing closes. */
    @Test
    void pollNowAfterCloseIsRefusedAndConnectsNothing() throws Exception {
        try (LyingRedis redis = new LyingRedis(":1\r\n")) {
            RedisTicketKeys keys = builder(redis).fallbackToLocalKeys(true).start();
            keys.close();
            int before = redis.connections.get();
            IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    keys::pollNow);
            assertTrue(refused.getMessage().contains(redis.address()) && refused.getMessage().contains("closed"),
                    refused.getMessage());
            Thread.sleep(200);
            org.junit.jupiter.api.Assertions.assertEquals(before, redis.connections.get(), "no new connection");
        }
    }
}
