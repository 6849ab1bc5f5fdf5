package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A handler that hands its connection to another thread and returns: the server closes and frees the
 * connection while that thread keeps reading and writing it. That thread's calls must fail with an
 * IOException, never touch freed memory, and leave nothing unfreed. In a child JVM: the failure it
 * guards against is a crash. The race it found (a call on the BIO the server had just freed threw
 * IllegalStateException, not an IOException, from drain on JDK 17 and from run on Temurin 25) is narrow:
 * it failed twice in about fifteen runs, not every run.
 */
@Timeout(150)
class LeakedConnectionTest {

    @Test
    void aConnectionKeptAfterTheHandlerReturnedFailsCleanly() {
        ProcessChecks.runInChildJvm(LeakedConnectionTest.class, "keepTheConnectionAfterReturning");
    }

    /**
     * Run in the child: 200 connections, each written by a thread of the handler's while the handler returns
     * and the server frees the connection. The server used to free the Ssl outside the connection's guard,
     * under the keeper's BIO_read of the pair's other half: a crash in libcrypto (SIGSEGV at 0x40).
     */
    static void keepTheConnectionAfterReturning() throws Exception {
        OpenSsl.LiveObjects before = OpenSsl.liveObjects();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        int connections = 200;
        CountDownLatch keepersDone = new CountDownLatch(connections);
        try (SslContext server = SslContext.forServer().selfSignedCertificate().build();
             SslContext clientContext = SslContext.forClient().build()) {
            TlsServer.Handler leaky = connection -> {
                connection.write("hello".getBytes(StandardCharsets.UTF_8));
                CountDownLatch writing = new CountDownLatch(1);
                Thread keeper = new Thread(() -> {
                    try {
                        byte[] buffer = new byte[16_384]; // a whole record: each BIO_read copies 16 KiB
                        for (int i = 0; i < 100_000; i++) {
                            connection.write(buffer); // SSL_write, then BIO_read of the network end
                            if (i == 20) {
                                writing.countDown();
                            }
                        }
                        unexpected.add(new AssertionError("the kept connection still worked"));
                    } catch (IOException expected) {
                        // the server closed it: what must happen
                    } catch (Throwable e) {
                        unexpected.add(e);
                    } finally {
                        writing.countDown();
                        keepersDone.countDown();
                    }
                });
                keeper.start();
                try {
                    writing.await(5, TimeUnit.SECONDS); // and return while it writes: the server frees the connection
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            List<TlsConnection> clients = new CopyOnWriteArrayList<>();
            try (TlsServer tlsServer = TlsServer.builder(server, leaky).port(0).readTimeout(Duration.ofSeconds(2))
                    .logger(new RecordingLogger()).build();
                 TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(5))) {
                for (int i = 0; i < connections; i++) {
                    try {
                        TlsConnection connection = client.connect("127.0.0.1", tlsServer.port());
                        clients.add(connection); // kept open, unread: the keeper's writes go into its socket buffer
                        connection.write(new byte[64]);
                    } catch (IOException serverClosedFirst) {
                        // the server may end it before the client's write
                    }
                }
                if (!keepersDone.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError(keepersDone.getCount() + " threads still use a freed connection");
                }
            } finally {
                clients.forEach(TlsConnection::abort);
                clients.forEach(TlsConnection::close);
            }
        }
        if (!unexpected.isEmpty()) {
            AssertionError failure = new AssertionError(unexpected.size() + " unexpected outcomes");
            unexpected.forEach(failure::addSuppressed);
            throw failure;
        }
        for (int i = 0; i < 50 && !ProcessChecks.noMoreThan(before); i++) {
            System.gc();
            Thread.sleep(50);
        }
        if (!ProcessChecks.noMoreThan(before)) {
            throw new AssertionError("native objects left: " + before + " before, " + OpenSsl.liveObjects() + " now");
        }
    }
}
