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

    /** Run in the child: 200 connections, each used by a thread of the handler's after it returned. */
    static void keepTheConnectionAfterReturning() throws Exception {
        OpenSsl.LiveObjects before = OpenSsl.liveObjects();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        int connections = 200;
        CountDownLatch keepersDone = new CountDownLatch(connections);
        try (SslContext server = SslContext.forServer().selfSignedCertificate().build();
             SslContext clientContext = SslContext.forClient().build()) {
            TlsServer.Handler leaky = connection -> {
                connection.write("hello".getBytes(StandardCharsets.UTF_8));
                Thread keeper = new Thread(() -> {
                    try {
                        byte[] buffer = new byte[64];
                        for (int i = 0; i < 10_000; i++) {
                            connection.write(buffer);
                            connection.read(buffer);
                        }
                        unexpected.add(new AssertionError("the kept connection still worked"));
                    } catch (IOException expected) {
                        // the server closed it: what must happen
                    } catch (Throwable e) {
                        unexpected.add(e);
                    } finally {
                        keepersDone.countDown();
                    }
                });
                keeper.start(); // and return: the server closes the connection as the keeper starts on it
            };
            try (TlsServer tlsServer = TlsServer.builder(server, leaky).port(0).readTimeout(Duration.ofSeconds(2))
                    .logger(new RecordingLogger()).build();
                 TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(5))) {
                for (int i = 0; i < connections; i++) {
                    try (TlsConnection connection = client.connect("127.0.0.1", tlsServer.port())) {
                        connection.write(new byte[64]);
                        connection.read(new byte[64]);
                    } catch (IOException serverClosedFirst) {
                        // the server may end it before the client's write or read
                    }
                }
                if (!keepersDone.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError(keepersDone.getCount() + " threads still use a freed connection");
                }
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
