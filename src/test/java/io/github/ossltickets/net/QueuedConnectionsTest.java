package io.github.ossltickets.net;

import io.github.ossltickets.Ssl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a served connection leaves behind in the selector's deadline queues while slow peers head them.
 * Real TLS clients on real sockets.
 */
@Timeout(30)
class QueuedConnectionsTest {
    @RegisterExtension
    static final SelfSignedContexts contexts = new SelfSignedContexts();

    /**
     * A peer that connects and says nothing, and one that finishes its handshake and sends no request,
     * head the selector's deadline queues for their whole timeout; the connections served meanwhile stay
     * queued behind them. Each must leave no more than a small record there: not its TlsConnection with its
     * 34 KB of buffers, or a thousand connections a second behind one idle peer would pin a gigabyte; and
     * once such records are most of a queue, they go, so their number stays bounded too.
     */
    @Test
    void servedConnectionsQueuedBehindIdlePeersKeepNoBuffers() throws Exception {
        List<WeakReference<TlsConnection>> served = new CopyOnWriteArrayList<>();
        TlsServer.Handler answer = connection -> {
            served.add(new WeakReference<>(connection));
            byte[] buffer = new byte[64];
            int n = connection.read(buffer);
            if (n > 0) {
                connection.write(Arrays.copyOf(buffer, n));
            }
        };
        List<WeakReference<Ssl>> handshaken = new CopyOnWriteArrayList<>();
        // Well above what the two queues may keep, so that without the pruning the count below would fail.
        int connections = 300;
        try (TlsServer server = TlsServer.builder(contexts.server, answer).port(0).readTimeout(Duration.ofSeconds(30))
                .handshakeTimeout(Duration.ofSeconds(30))
                .handshakeListener(ssl -> handshaken.add(new WeakReference<>(ssl))).build();
             Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.port());
             TlsClient client = new TlsClient(contexts.client, Duration.ofSeconds(5));
             TlsConnection idle = client.connect("127.0.0.1", server.port())) {
            for (int i = 0; i < connections; i++) {
                try (TlsConnection connection = client.connect("127.0.0.1", server.port())) {
                    connection.write(("ping " + i).getBytes(StandardCharsets.UTF_8));
                    connection.read(new byte[64]);
                }
            }
            TlsServerHostileTest.waitFor(() -> served.size() == connections
                    && server.stats().connectionsOpen() == 2, "every request served, the two idle peers still open");
            for (int i = 0; i < 20 && served.stream().anyMatch(reference -> reference.get() != null); i++) {
                System.gc();
                Thread.sleep(50);
            }
            long kept = served.stream().filter(reference -> reference.get() != null).count();
            assertTrue(kept == 0, kept + " of " + connections + " served connections are still held by the server");
            long records = handshaken.stream().filter(reference -> reference.get() != null).count();
            // Two deadline queues (handshake, first request), each pruned when it outgrows twice the
            // connections open (a few while clients come and go: up to 8 allowed here) plus 64; and the
            // idle peer's own Ssl.
            long bound = 2 * (2 * 8 + 64) + 1;
            assertTrue(records <= bound, records + " of " + (connections + 1)
                    + " connections' records are still queued (at most " + bound + ")");
        }
    }
}
