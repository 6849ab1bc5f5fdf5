package io.github.ossltickets.netty;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On this host's test class path Netty's tcnative is the BoringSSL build: each framework's hook reaches
 * {@link NettyTickets#attach} with a context that is not our libssl's, and the server refuses to start
 * with NettyTickets' message instead of serving without callbacks (or corrupting BoringSSL's
 * {@code SSL_CTX}). That each example fails proves its hook runs on the context the framework serves
 * with. The examples resume for real in the trixie image, on the OpenSSL build (FrameworksContainerIT).
 */
@Timeout(120)
class FrameworksOnBoringSslTest {
    private static final String REFUSAL = "not the OpenSSL";

    @Test
    void springWebFluxDoesNotStart(@TempDir Path directory) {
        Throwable failure = assertThrows(Exception.class, () -> WebFluxExample.start(directory, 0).close());
        assertRefused(failure);
    }

    @Test
    void reactorNettyDoesNotStart(@TempDir Path directory) {
        assertRefused(assertThrows(Exception.class, () -> new ReactorNettyExample(directory, 0).close()));
    }

    /** Vert.x makes its server context at the first handshake: each connection is refused, not the listen. */
    @Test
    void vertxRefusesEveryHandshake(@TempDir Path directory) throws Exception {
        List<Throwable> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getThrown() != null) {
                    logged.add(record.getThrown());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        try (VertxExample vertx = new VertxExample(directory, 0)) {
            Process client = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + vertx.port())
                    .redirectErrorStream(true).start();
            client.getOutputStream().close();
            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(client.waitFor(30, TimeUnit.SECONDS));
            assertTrue(output.contains("no peer certificate available"), "a handshake completed:\n" + output);
            assertTrue(logged.size() > 0, "Vert.x logged no failure");
            assertRefused(logged.get(0));
        } finally {
            root.removeHandler(handler);
        }
    }

    private static void assertRefused(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException && cause.getMessage().contains(REFUSAL)
                    && cause.getMessage().contains("netty-tcnative-boringssl-static")) {
                return;
            }
        }
        failure.printStackTrace();
        assertTrue(false, "not NettyTickets' refusal: " + failure);
    }
}
