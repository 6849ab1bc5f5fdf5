package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Handshakes run from nearly full stacks, as code that caught a StackOverflowError and goes on runs them.
 * The JDK compiles a method handle anew ("customizes" it) on its 128th call, tens of frames deep; an FFM
 * upcall stub's target is one. When a stub's 128th call came with the stack nearly full, the
 * StackOverflowError struck in the stub's entry, before any handler of ours, and the JVM exited
 * ("Unrecoverable uncaught exception encountered"): in about one run of three of this case, on a virtual
 * thread (the message callback's stub, whose calls come deepest inside OpenSSL). Each stub is now called
 * past that count when it is made, on a stack proven deep. Each run is a child JVM, whose stubs are all
 * new; three runs, to catch a regression in most test runs.
 */
@Timeout(150)
class DeepUpcallTest {
    private static final int RUNS = 3;

    @Test
    void handshakesFromNearlyFullStacksOfAVirtualThread() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads");
        for (int run = 0; run < RUNS; run++) {
            ChildJvm.run(DeepUpcallTest.class, "handshakesFromNearlyFullStacks");
        }
    }

    /** The JDK's default: a method handle is customized on the call after this many. */
    private static final int CUSTOMIZE_THRESHOLD = 127;
    private static SslContext server;
    private static SslContext client;
    private static SslSession saved;
    private static final AtomicInteger GENERATED = new AtomicInteger();
    private static final AtomicInteger COMPLETED = new AtomicInteger();
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();

    static void handshakesFromNearlyFullStacks() throws Exception {
        server = Tls.server(TlsVersion.TLS1_3);
        client = Tls.client(TlsVersion.TLS1_3);
        server.setTicketCallbacks((connection, session) -> {
            GENERATED.incrementAndGet();
            session.setTicketAppData(new byte[] {1, 2, 3});
            return true;
        }, (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
        // Up here, the generator's stub is called 127 times (a full handshake's two tickets, then one per
        // resumption), and the message callback's not at all (no tracking): their 128th calls come with the
        // first resumptions that the stack proof lets through down there, where the stack is shortest.
        saved = resumeHere(null);
        while (GENERATED.get() < CUSTOMIZE_THRESHOLD) {
            resumeHere(saved).close();
        }
        assertEquals(CUSTOMIZE_THRESHOLD, GENERATED.get(), "generator calls made with stack to spare");
        Thread thread = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null,
                (Runnable) () -> {
                    try {
                        recurse(0);
                    } catch (StackOverflowError expected) {
                        // the deepest frames each ran a resumption as the error passed them
                    }
                });
        thread.join();
        System.out.println("resumptions completed from deep frames: " + COMPLETED.get());
        assertTrue(COMPLETED.get() > 10, "resumptions that completed from deep frames: " + COMPLETED.get());
        saved.close();
        server.close();
        client.close();
        for (int i = 0; i < 20 && OpenSsl.liveObjects().connections() > 0; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(0, OpenSsl.liveObjects().connections(), "connections left behind");
    }

    /** A handshake from a shallow stack, without message tracking (no message callback); the client's session. */
    private static SslSession resumeHere(SslSession offered) {
        Ssl serverSide = server.newSsl();
        Ssl clientSide = client.newSsl();
        if (offered != null) {
            clientSide.setSession(offered);
        }
        try (InMemoryConnection connection = InMemoryConnection.join(serverSide, clientSide)) {
            connection.handshake();
            return connection.client().session().orElseThrow();
        }
    }

    /** Recurses until the stack ends; then the deepest frames, as the error passes them, each run a resumption. */
    private static void recurse(int depth) {
        try {
            recurse(depth + 1);
        } catch (StackOverflowError e) {
            if (ATTEMPTS.getAndIncrement() < 2000) {
                resumeDeep();
            }
            throw e;
        }
    }

    private static void resumeDeep() {
        try (InMemoryConnection connection = InMemoryConnection.open(server, client, saved)) {
            connection.handshake();
            COMPLETED.incrementAndGet();
        } catch (StackOverflowError tooDeepStill) {
            // refused before OpenSSL was called (the stack is proven first); the Cleaner frees what was made
        }
    }
}
