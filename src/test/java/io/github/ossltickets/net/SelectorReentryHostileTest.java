package io.github.ossltickets.net;

import io.github.ossltickets.NetworkBio;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TlsVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by a hostile review of the selector thread's one stack proof, armed before each of its calls.
 * User code that runs on the selector thread (here the server's System.Logger, as a handshake times out)
 * can re-enter {@code HandshakeSelector.run()} on that thread: {@code Thread.currentThread().run()} runs
 * the thread's Runnable. Near the stack's end, the nested {@code run()}'s {@code StackProof.open()}
 * overflowed before it replaced the {@code stackProof} field, so the field still held the outer run()'s
 * proof, made at the top of the thread. The nested {@code finally} then freed the connections waiting
 * for a worker through {@code release(never)}, which armed that proof thousands of frames deeper than it
 * was made: the free's check skipped its probe, and the {@code CONNECTION_FREED} upcall in
 * {@code SSL_free} entered Java without stack. On FFM (Temurin 25) that ended the JVM; on JNA (JDK 17)
 * the callback was dropped ("JNA: error handling callback exception, continuing"). Now a second
 * {@code run()} is refused with an IllegalStateException.
 */
class SelectorReentryHostileTest {

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aLoggerThatReentersTheSelectorAtTheStackEndDoesNotEndTheJvm() {
        ProcessChecks.runInChildJvm(SelectorReentryHostileTest.class, "reenterTheSelectorAtTheStackEnd");
    }

    /** Connections whose last flight (Finished and a request) arrives in one select: they wait for a worker together. */
    private static final int WAITING_FOR_WORKERS = 160;
    private static final AtomicInteger waitingWhenAttacked = new AtomicInteger(-1);
    private static final AtomicInteger finishedHandshakes = new AtomicInteger();
    private static volatile int attempts;
    private static volatile int refusals;
    /** When the connection that sends nothing times out (System.nanoTime). */
    private static volatile long timeOutAt;

    /** Ends a nested loop, which would otherwise spin on the selector that an earlier nested run() closed. */
    static final class SelectorClosed extends Error {
        SelectorClosed() {
            super("the selector is closed", null, false, false);
        }
    }

    static void reenterTheSelectorAtTheStackEnd() throws Exception {
        SslContext serverContext = SslContext.forServer().selfSignedCertificate().protocol(TlsVersion.TLS1_3)
                .alpnProtocols("waits", "sleeps").build();
        SslContext waits = SslContext.forClient().protocol(TlsVersion.TLS1_3).alpnProtocols("waits").build();
        SslContext sleeps = SslContext.forClient().protocol(TlsVersion.TLS1_3).alpnProtocols("sleeps").build();
        try (Ssl any = waits.newSsl()) {
            // Registers the connection ex_data index (as a ClientHello callback would): every SSL_free calls back.
            any.setHandshakeAttribute("registers", "the connection ex_data index");
        }
        System.Logger reentering = new System.Logger() {
            @Override
            public String getName() {
                return "reentering";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                if (thrown instanceof ClosedSelectorException) {
                    throw new SelectorClosed();
                }
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                if (format.contains("the TLS handshake did not finish") && waitingWhenAttacked.get() < 0) {
                    waitingWhenAttacked.set(finishedHandshakes.get() - 1); // all but the sleeper wait for a worker
                    attempts = 0;
                    try {
                        recurseAndReenter();
                    } catch (StackOverflowError expected) {
                        // every attempt was made on the way out
                    }
                }
            }
        };
        TlsServer server = TlsServer.builder(serverContext, connection -> { })
                .bind(InetAddress.getLoopbackAddress()).port(0).workers(1).logger(reentering)
                .handshakeTimeout(Duration.ofSeconds(5))
                .handshakeListener(ssl -> {
                    finishedHandshakes.incrementAndGet();
                    if (ssl.alpnProtocol().orElse("").equals("sleeps")) {
                        // The others' last flights arrive meanwhile; the selector's next round finishes them all,
                        // then times out the silent connection, whose log line is the logger's cue.
                        sleep(Math.max(0, (timeOutAt - System.nanoTime()) / 1_000_000 - 10));
                    }
                }).build();
        try (SocketChannel silent = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.port()))) {
            timeOutAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            List<Client> waiting = new ArrayList<>();
            for (int i = 0; i < WAITING_FOR_WORKERS; i++) {
                waiting.add(Client.untilItsLastFlight(waits, server.port()));
            }
            Client sleeper = Client.untilItsLastFlight(sleeps, server.port());
            sleeper.flush();
            sleep(300); // the sleeper's handshake listener sleeps now
            for (Client client : waiting) {
                client.ssl.write("GET /\n".getBytes(StandardCharsets.US_ASCII)); // goes with its Finished
                client.flush();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (waitingWhenAttacked.get() < 0 && System.nanoTime() < deadline) {
                sleep(50);
            }
            sleep(1000);
            assertTrue(attempts > 0, "the logger made no attempt");
            assertTrue(refusals > 0, "the nested run() was never refused");
            assertEquals(WAITING_FOR_WORKERS, waitingWhenAttacked.get(),
                    "connections waiting for a worker when the logger re-entered the selector");
        } finally {
            server.close();
        }
    }

    private static void recurseAndReenter() {
        try {
            recurseAndReenter();
        } catch (StackOverflowError e) {
            if (attempts++ < 400) {
                try {
                    Thread.currentThread().run(); // HandshakeSelector.run(), nested on its own thread
                } catch (IllegalStateException refused) {
                    if (String.valueOf(refused.getMessage()).contains("the server's selector loop runs once")) {
                        refusals++;
                    }
                } catch (StackOverflowError | SelectorClosed refused) {
                    // what may happen this close to the stack's end: anything but the end of the JVM
                }
                throw e;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A TLS 1.3 client over a blocking socket, driven by hand so that its last flight goes when the test says. */
    private static final class Client {
        final SocketChannel channel;
        final Ssl ssl;
        final NetworkBio network;

        private Client(SocketChannel channel, Ssl ssl, NetworkBio network) {
            this.channel = channel;
            this.ssl = ssl;
            this.network = network;
        }

        /** Connects and runs the handshake until the client has finished: its Finished waits in its BIO. */
        static Client untilItsLastFlight(SslContext context, int port) throws IOException {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Ssl ssl = context.newSsl();
            Client client = new Client(channel, ssl, ssl.attachNetworkBio(0));
            ssl.handshake();
            client.flush();
            ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
            while (!ssl.handshake()) {
                in.clear().limit(Math.min(in.capacity(), client.network.room()));
                if (channel.read(in) < 0) {
                    throw new EOFException("the server closed the connection during the handshake");
                }
                client.network.write(in.flip());
            }
            return client;
        }

        void flush() throws IOException {
            ByteBuffer out = ByteBuffer.allocateDirect(32 * 1024);
            while (network.pending() > 0) {
                network.read(out.clear());
                out.flip();
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            }
        }
    }
}
