package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;

import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a hostile review of the lifetime model found (each crashed the JVM, read freed memory or leaked),
 * run by {@link HostileUseTest}, each in a JVM of its own.
 */
final class HostileUseCases {
    private HostileUseCases() {}

    private static final int CONTEXTS = 300;
    private static SslContext[] owners;
    private static int closes;
    private static boolean closed;

    /**
     * The owner of borrowed contexts closes them at the end of its stack: OpenSSL's free callback could
     * not enter Java there, so a borrowed view was never ended and read the freed context. Now the
     * close overflows before it frees anything, and a later close frees, ending the view.
     */
    static void anOwnerClosingAtTheEndOfItsStack() throws Exception {
        int withCallbacks = ContextCallbacks.liveContexts();
        owners = new SslContext[CONTEXTS];
        SslContext[] views = new SslContext[CONTEXTS];
        for (int i = 0; i < CONTEXTS; i++) {
            owners[i] = SslContext.forClient().build();
            views[i] = SslContext.borrow(owners[i].address());
        }
        Thread deep = new Thread(null, HostileUseCases::closeOneAtTheEndOfTheStack, "deep", 256 * 1024);
        deep.start();
        deep.join();
        assertTrue(closes > 1, "the stack's end was reached");
        for (int i = 0; i < CONTEXTS; i++) {
            boolean freed = owners[i].nativeRef().currentAddress() == 0;
            if (freed) {
                assertTrue(views[i].nativeRef().isClosing(), "view " + i + " of a freed context was ended");
                assertThrows(IllegalStateException.class, views[i]::options);
            } else {
                assertEquals(0, views[i].options() & 0, "view " + i + " of a live context works");
            }
        }
        for (SslContext owner : owners) {
            owner.close(); // frees what the stack's end left closing
        }
        for (SslContext view : views) {
            assertThrows(IllegalStateException.class, view::options);
        }
        assertEquals(withCallbacks, ContextCallbacks.liveContexts(), "every context freed and forgotten");
        assertEquals(0, ContextCallbacks.pinnedContexts());
    }

    private static void closeOneAtTheEndOfTheStack() {
        try {
            closeOneAtTheEndOfTheStack();
        } catch (StackOverflowError e) {
            if (!closed && closes < CONTEXTS) { // tried again one frame higher each time it overflows
                owners[closes++].close();
                closed = true;
            }
        }
    }

    /** address() racing the free of its context by another thread: nothing stays pinned. */
    static void addressRacingTheLastFree() throws Exception {
        int rounds = 3000;
        CyclicBarrier barrier = new CyclicBarrier(2);
        AtomicReference<Ssl> shared = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    barrier.await();
                    try {
                        while (true) {
                            shared.get().address();
                        }
                    } catch (IllegalStateException closed) {
                        // the other thread freed it: the end of this round
                    }
                    barrier.await();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < rounds; i++) {
            SslContext context = SslContext.forClient().build();
            Ssl ssl = context.newSsl();
            context.close(); // the connection holds the context's last reference
            shared.set(ssl);
            barrier.await();
            ssl.close(); // frees the connection, then the context
            barrier.await(10, TimeUnit.SECONDS);
        }
        reader.join();
        assertNull(failure.get());
        assertEquals(0, ContextCallbacks.pinnedContexts(), "no freed context left pinned");
        assertEquals(0, ContextCallbacks.liveContexts());
    }

    /** Two writers, and a reader, on one session's app data: OpenSSL does not lock it; we do. */
    static void twoThreadsOnOneSession() throws Exception {
        byte[] a = new byte[1000];
        byte[] b = new byte[1000];
        Arrays.fill(a, (byte) 'a');
        Arrays.fill(b, (byte) 'b');
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             SslSession session = Tls.firstSession(server, client); SslSession sameNative = session.copy()) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            AtomicInteger mixed = new AtomicInteger();
            Runnable writer = () -> {
                while (System.nanoTime() < end) {
                    session.setTicketAppData(a);
                    session.setTicketAppData(b);
                }
            };
            Runnable reader = () -> {
                while (System.nanoTime() < end) {
                    byte[] read = session.ticketAppData();
                    byte[] copied = session.copy().ticketAppData();
                    if (!uniform(read) || !uniform(copied)) {
                        mixed.incrementAndGet();
                    }
                    session.encodedLength();
                }
            };
            Thread[] threads = {new Thread(writer), new Thread(writer), new Thread(reader)};
            for (Thread thread : threads) {
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(0, mixed.get(), "every read is all 'a' or all 'b'");
            assertTrue(sameNative.ticketAppData().length == 0, "a copy is its own session");
        }
    }

    private static boolean uniform(byte[] data) {
        for (byte value : data) {
            if (value != data[0]) {
                return false;
            }
        }
        return data.length == 0 || data.length == 1000;
    }

    /**
     * Read-only calls on a client connection from another thread while its thread reads TLS 1.3
     * tickets (each replaces and frees the connection's session): they wait for the call to return.
     */
    static void readOnlyCallsWhileAnotherThreadDrives() throws Exception {
        try (SslContext server = SslContext.forServer().certificate(Tls.CERTIFICATE.certificatePem(),
                Tls.CERTIFICATE.privateKeyPem()).protocol(TlsVersion.TLS1_3).numTickets(200).build();
             SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            AtomicReference<Ssl> current = new AtomicReference<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            AtomicInteger reads = new AtomicInteger();
            Thread observer = new Thread(() -> {
                while (System.nanoTime() < end) {
                    Ssl ssl = current.get();
                    if (ssl == null) {
                        continue;
                    }
                    try {
                        ssl.session().ifPresent(session -> {
                            session.id();
                            session.isResumable();
                            session.close();
                        });
                        ssl.serverName();
                        ssl.isSessionReused();
                        reads.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        // freed by the other thread between two rounds
                    }
                }
            });
            observer.start();
            int handshakes = 0;
            while (System.nanoTime() < end) {
                try (InMemoryConnection connection = InMemoryConnection.open(server, client, null)) {
                    current.set(connection.client());
                    connection.handshake();
                    handshakes++;
                }
            }
            observer.join();
            assertTrue(handshakes > 0 && reads.get() > 0, handshakes + " handshakes, " + reads + " reads");
            assertFalse(observer.isAlive());
        }
    }
}
