package io.github.ossltickets.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that sends its request and then reads nothing: the handler's write fills the socket and would
 * wait for ever, holding its worker (sixteen such peers would hold every worker). The read timeout bounds
 * a write that sends nothing, as it bounds a read that receives nothing. Real TLS on real sockets.
 */
@Timeout(30)
class StalledReaderTest {
    @RegisterExtension
    static final SelfSignedContexts contexts = new SelfSignedContexts();

    @Test
    void aWriteToAPeerThatReadsNothingTimesOut() throws Exception {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        CountDownLatch handlerDone = new CountDownLatch(1);
        TlsServer.Handler flood = connection -> {
            try {
                connection.read(new byte[64]);
                byte[] megabyte = new byte[1 << 20];
                for (int i = 0; i < 256; i++) { // far more than the socket buffers of both ends hold
                    connection.write(megabyte);
                }
            } catch (IOException | RuntimeException e) {
                ended.set(e);
                throw e;
            } finally {
                handlerDone.countDown();
            }
        };
        try (TlsServer server = TlsServer.builder(contexts.server, flood).port(0).readTimeout(Duration.ofMillis(500))
                .logger(new RecordingLogger()).build();
             TlsClient client = new TlsClient(contexts.client, Duration.ofSeconds(5));
             TlsConnection stalled = client.connect("127.0.0.1", server.port())) {
            stalled.write("GET /big".getBytes(StandardCharsets.UTF_8)); // then reads nothing
            long start = System.nanoTime();
            assertTrue(handlerDone.await(10, TimeUnit.SECONDS), "the handler's write was still blocked after 10 s");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Throwable why = ended.get();
            assertTrue(why instanceof SocketTimeoutException, "the write timed out: " + why);
            assertTrue(why.getMessage().contains("500 ms"), why.getMessage());
            assertTrue(millis < 5000, "after " + millis + " ms");
            TlsServerHostileTest.waitFor(() -> server.stats().connectionsOpen() == 0, "the connection is freed");
        }
    }
}
