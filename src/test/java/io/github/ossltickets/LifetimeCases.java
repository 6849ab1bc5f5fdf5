package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lifetime model's hard cases: each one crashed the JVM, corrupted memory or leaked without bound
 * before the model existed. {@link LifetimeTest} runs each in a JVM of its own ({@link ChildJvm}), so a
 * regression fails that one case by name. Every handshake is real, through the system's OpenSSL.
 */
final class LifetimeCases {
    private LifetimeCases() {}

    private static final TicketGenerator KEEP = (ssl, session) -> true;
    private static final TicketDecryptor DEFAULT = (ssl, session, name, status) -> TicketReturn.defaultFor(status);

    /** A connection closed by its own generator is freed when SSL_do_handshake returns, not during it. */
    static void closeFromTheGenerator() {
        for (TlsVersion version : TlsVersion.values()) {
            try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
                server.setTicketCallbacks((ssl, session) -> {
                    ssl.close();
                    return true;
                }, DEFAULT);
                assertClosedDuringItsOwnHandshake(() -> Tls.connect(server, client, null));
                server.setTicketCallbacks(KEEP, DEFAULT);
                assertTrue(Tls.connect(server, client, null).ok(), "the context still works");
            }
        }
    }

    /** The same from the decryptor, which runs in the middle of ClientHello processing. */
    static void closeFromTheDecryptor() {
        for (TlsVersion version : TlsVersion.values()) {
            try (SslContext server = Tls.server(version); SslContext client = Tls.client(version);
                 SslSession ticket = Tls.firstSession(server, client)) {
                server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> {
                    ssl.close();
                    session.ifPresent(SslSession::ticketAppData); // the lent session is still valid here
                    return TicketReturn.defaultFor(status);
                });
                assertClosedDuringItsOwnHandshake(() -> Tls.connect(server, client, ticket));
            }
        }
    }

    private static void assertClosedDuringItsOwnHandshake(Supplier<Tls.Outcome> connect) {
        long live = NativeRef.Kind.CONNECTION.live();
        IllegalStateException e = assertThrows(IllegalStateException.class, connect::get);
        assertTrue(e.getMessage().contains("closed while SSL_do_handshake ran"), e.getMessage());
        assertEquals(live, NativeRef.Kind.CONNECTION.live(), "both connections were freed");
    }

    /** Calls that would re-enter OpenSSL's state machine from a callback of the same connection are refused. */
    static void reEntryFromEveryCallbackIsRefused() {
        for (TlsVersion version : TlsVersion.values()) {
            List<String> refusals = new ArrayList<>();
            try (SslContext server = Tls.server(version); SslContext client = Tls.client(version);
                 SslContext other = Tls.client(version)) {
                server.setTicketKeyCallback(new FixedKey(ssl -> refusals.add(refusal(ssl::handshake))));
                SslSession ticket = Tls.firstSession(server, client);
                server.setTicketCallbacks((ssl, session) -> {
                    refusals.add(refusal(ssl::handshake));
                    refusals.add(refusal(ssl::newSessionTicket));
                    return true;
                }, (ssl, session, name, status) -> {
                    refusals.add(refusal(ssl::handshake));
                    refusals.add(refusal(() -> ssl.read(new byte[1])));
                    refusals.add(refusal(() -> ssl.write(new byte[1])));
                    refusals.add(refusal(() -> ssl.setSession(session.orElseThrow())));
                    try (Ssl unrelated = other.newSsl()) {
                        refusals.add(refusal(() -> ssl.joinWithBioPair(unrelated)));
                    }
                    assertEquals(version.openSslName(), ssl.protocolVersion(), "read-only calls are allowed");
                    return TicketReturn.USE_RENEW; // a renewal, so the generator and the key callback run again
                });
                Tls.Outcome resumed = Tls.connect(server, client, ticket);
                assertTrue(resumed.ok() && resumed.reused, () -> "the refusals did not disturb the handshake: " + resumed);
                resumed.session.close();
                ticket.close();
            }
            // The first connection seals 1 ticket (TLS 1.2) or 2 (TLS 1.3), one refusal each; the resumption
            // gives 5 in the decryptor, then the renewal 2 in the generator and 1 in the key callback.
            assertEquals(version == TlsVersion.TLS1_2 ? 9 : 10, refusals.size(), "every callback tried: " + refusals);
            for (String message : refusals) {
                assertTrue(message.contains("from inside a callback of the SSL_do_handshake"), message);
            }
        }
    }

    /** A callback that lets the refusal escape fails its handshake with a short, clear cause. */
    static void reEntryThatEscapesFailsTheHandshakeCleanly() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> ssl.handshake(), DEFAULT);
            Tls.Outcome failed = Tls.connect(server, client, null);
            assertFalse(failed.ok());
            assertInstanceOf(IllegalStateException.class, failed.failure.getCause());
            assertNull(failed.failure.getCause().getCause(), "one cause, not a chain of nested handshakes");
            assertTrue(failed.failure.getMessage().length() < 2000, failed.failure.getMessage());
        }
    }

    /** A watchdog closes a connection whose handshake sits in a callback; the free waits for the callback. */
    static void closeFromAnotherThreadWhileACallbackRuns() throws Exception {
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        AtomicReference<Ssl> stuck = new AtomicReference<>();
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             SslSession ticket = Tls.firstSession(server, client)) {
            server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> {
                stuck.set(ssl);
                inCallback.countDown();
                await(mayReturn);
                return TicketReturn.defaultFor(status);
            });
            long live = NativeRef.Kind.CONNECTION.live();
            AtomicReference<Throwable> handshakeFailure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    Tls.connect(server, client, ticket);
                } catch (Throwable t) {
                    handshakeFailure.set(t);
                }
            }, "handshake-worker");
            worker.start();
            assertTrue(inCallback.await(10, TimeUnit.SECONDS));
            Ssl ssl = stuck.get();

            IllegalStateException concurrent = assertThrows(IllegalStateException.class, ssl::handshake);
            assertTrue(concurrent.getMessage().contains("while thread 'handshake-worker' runs SSL_do_handshake"),
                    concurrent.getMessage());
            long start = System.nanoTime();
            ssl.close();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "close() does not wait");
            assertThrows(IllegalStateException.class, ssl::isSessionReused, "closed for every new call");
            assertEquals(live + 2, NativeRef.Kind.CONNECTION.live(), "not freed while the callback runs");

            mayReturn.countDown();
            worker.join(10_000);
            assertInstanceOf(IllegalStateException.class, handshakeFailure.get());
            assertTrue(handshakeFailure.get().getMessage().contains("closed while SSL_do_handshake ran"),
                    handshakeFailure.get().getMessage());
            assertEquals(live, NativeRef.Kind.CONNECTION.live(), "freed once the call returned");
        }
    }

    /**
     * A context handed to a native library that keeps its own reference: the Java handle is closed, or
     * dropped and collected, and the library's later handshakes still run the Java callbacks. When the
     * library lets go, OpenSSL frees the context and the callbacks are released.
     */
    static void aContextKeptByANativeLibraryKeepsItsCallbacks() {
        for (boolean closeTheHandle : new boolean[] {true, false}) {
            int contextsBefore = ContextCallbacks.liveContexts();
            AtomicInteger generated = new AtomicInteger();
            AtomicInteger decrypted = new AtomicInteger();
            WeakReference<TicketDecryptor> decryptor = handOff(closeTheHandle, generated, decrypted);
            collectGarbage(() -> false);

            assertEquals(5, Handoff.handoff_run(TlsVersion.TLS1_3.code(), 5), "5 resumptions in C");
            assertEquals(5, decrypted.get(), "the Java decryptor ran for each, and read its app data back");
            assertEquals(2 + 5, generated.get(), "2 tickets on the full handshake, 1 per resumption");

            if (closeTheHandle) {
                Handoff.handoff_release(); // the last reference: OpenSSL frees the context
            } else {
                assertEquals(1, Handoff.handoff_release_on_native_thread(), "freed on a thread the JVM never saw");
            }
            assertEquals(contextsBefore, ContextCallbacks.liveContexts(), "released when OpenSSL freed it");
            collectGarbage(() -> decryptor.get() == null);
            assertNull(decryptor.get(), "and then collectable");
        }
    }

    private static WeakReference<TicketDecryptor> handOff(boolean closeTheHandle, AtomicInteger generated,
            AtomicInteger decrypted) {
        SslContext server = Tls.server(TlsVersion.TLS1_3);
        TicketDecryptor decryptor = (ssl, session, name, status) -> {
            if (Tls.text(session.orElseThrow().ticketAppData()).equals("kept by C")) {
                decrypted.incrementAndGet();
            }
            return TicketReturn.defaultFor(status);
        };
        server.setTicketCallbacks((ssl, session) -> {
            generated.incrementAndGet();
            session.setTicketAppData(Tls.utf8("kept by C"));
            return true;
        }, decryptor);
        assertEquals(1, Handoff.handoff_keep(server.address()));
        if (closeTheHandle) {
            server.close();
        } else {
            WeakReference<SslContext> handle = new WeakReference<>(server);
            server = null;
            collectGarbage(() -> handle.get() == null);
            assertNull(handle.get(), "the dropped handle was collected");
        }
        return new WeakReference<>(decryptor);
    }

    static void borrowedSessionAndConnectionCannotBeUsedAfterTheCallback() {
        AtomicReference<SslSession> kept = new AtomicReference<>();
        AtomicReference<SslSession> keptByGenerator = new AtomicReference<>();
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            server.setTicketCallbacks((ssl, session) -> {
                keptByGenerator.set(session);
                return true;
            }, (ssl, session, name, status) -> {
                session.ifPresent(kept::set);
                return TicketReturn.defaultFor(status);
            });
            SslSession ticket = Tls.firstSession(server, client);
            Tls.Outcome resumed = Tls.connect(server, client, ticket);
            assertTrue(resumed.reused);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.get().ticketAppData());
            assertTrue(e.getMessage().contains("lent to a ticket callback"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> keptByGenerator.get().setTicketAppData(new byte[1]));
            assertFalse(kept.get().isOwned());
            ticket.close();
            resumed.session.close();
        }
    }

    static void aConnectionOutlivesItsClosedContextAndItsCallbacksStillRun() {
        AtomicInteger generated = new AtomicInteger();
        SslContext server = Tls.server(TlsVersion.TLS1_3);
        server.setTicketCallbacks((ssl, session) -> generated.incrementAndGet() > 0, DEFAULT);
        try (SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            Ssl serverSide = server.newSsl();
            server.close(); // SSL_CTX_free: the SSL keeps the native context; the Ssl keeps the callbacks
            System.gc();
            try (InMemoryConnection connection = InMemoryConnection.join(serverSide, client.newSsl())) {
                connection.handshake();
            }
            assertEquals(2, generated.get(), "the generator ran for both TLS 1.3 tickets");
        }
    }

    static void callbacksOutliveTheirCollectedContextHandleWhileAConnectionLives() throws InterruptedException {
        AtomicInteger generated = new AtomicInteger();
        try (SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            AtomicReference<WeakReference<SslContext>> handle = new AtomicReference<>();
            Ssl serverSide = serverWithDroppedContext(generated, handle);
            for (int gc = 0; gc < 50 && handle.get().get() != null; gc++) {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(handle.get().get(), "the SslContext handle was collected");
            System.gc();
            Thread.sleep(50); // its Cleaner dropped the handle's reference to the SSL_CTX
            try (InMemoryConnection connection = InMemoryConnection.join(serverSide, client.newSsl())) {
                connection.handshake();
            }
            assertEquals(2, generated.get(), "the collected handle's generator ran for both TLS 1.3 tickets");
        }
    }

    /** A connection from a context whose handle nothing references any more; {@code handle} is set to it. */
    private static Ssl serverWithDroppedContext(AtomicInteger generated,
            AtomicReference<WeakReference<SslContext>> handle) {
        SslContext server = Tls.server(TlsVersion.TLS1_3);
        server.setTicketCallbacks((ssl, session) -> generated.incrementAndGet() > 0, DEFAULT);
        handle.set(new WeakReference<>(server));
        return server.newSsl();
    }

    /** Each end of a BIO pair used after the other end's owner freed it: errors, never a crash. */
    static void aNetworkBioOutlivingItsConnectionAndTheOtherWayRound() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3)) {
            Ssl ssl = server.newSsl();
            NetworkBio network = ssl.attachNetworkBio(0);
            assertThrows(IllegalArgumentException.class, () -> network.write(new byte[100_000], 100_000),
                    "more than room() is refused whole");
            ssl.close(); // frees the connection's end
            assertEquals(0, network.pending());
            assertEquals(0, network.read(new byte[64]));
            assertThrows(RuntimeException.class, () -> network.write(new byte[] {22}, 1));
            network.endOfInput();
            network.close();
            assertThrows(IllegalStateException.class, network::pending);

            Ssl other = server.newSsl();
            NetworkBio gone = other.attachNetworkBio(0);
            gone.close(); // frees the network end first
            assertThrows(OpenSslException.class, other::handshake);
            other.close();
        }
    }

    /**
     * A borrowed handle is a view: the owner may free first, and the handle then refuses every call
     * instead of touching freed memory; closing it afterwards is harmless.
     */
    static void theOwnerOfABorrowedContextMayFreeFirst() {
        SslContext owner = Tls.server(TlsVersion.TLS1_2);
        SslContext borrowed = SslContext.borrow(owner.address());
        borrowed.setNumTickets(3);
        assertEquals(3, owner.numTickets(), "one native context");
        int contexts = ContextCallbacks.liveContexts();
        owner.close(); // the last reference: OpenSSL frees the context
        assertEquals(contexts - 1, ContextCallbacks.liveContexts(), "freed, though a borrowed handle is open");
        IllegalStateException e = assertThrows(IllegalStateException.class, borrowed::numTickets);
        assertTrue(e.getMessage().contains("its owner freed the SSL_CTX"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> borrowed.setTicketCallbacks(KEEP, DEFAULT));
        borrowed.close();
    }

    /**
     * Callbacks that use their own context's handle, a context dropped without close(): the handle,
     * the callbacks and the native context are all freed (they used to keep each other alive forever).
     */
    static void callbacksHoldingTheirOwnContextDoNotKeepIt() {
        long owned = NativeRef.Kind.CONTEXT.live();
        int withCallbacks = ContextCallbacks.liveContexts();
        List<WeakReference<SslContext>> handles = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            handles.add(new WeakReference<>(contextUsedByItsCallbacks()));
        }
        collectGarbage(() -> NativeRef.Kind.CONTEXT.live() == owned && ContextCallbacks.liveContexts() == withCallbacks);
        assertEquals(owned, NativeRef.Kind.CONTEXT.live(), "every SSL_CTX freed");
        assertEquals(withCallbacks, ContextCallbacks.liveContexts(), "every context's callbacks released");
        assertTrue(handles.stream().allMatch(handle -> handle.get() == null), "every handle collected");
    }

    /** A server context whose callbacks read its own statistics, used for one resumption, then dropped. */
    private static SslContext contextUsedByItsCallbacks() {
        SslContext server = Tls.server(TlsVersion.TLS1_3);
        server.setTicketCallbacks((ssl, session) -> server.ticketStats().ticketsGenerated() >= 0,
                (ssl, session, name, status) -> server.ticketStats().decrypts() > 0 ? TicketReturn.defaultFor(status)
                        : TicketReturn.ABORT);
        try (SslContext client = Tls.client(TlsVersion.TLS1_3); SslSession ticket = Tls.firstSession(server, client)) {
            Tls.Outcome resumed = Tls.connect(server, client, ticket);
            assertTrue(resumed.reused, resumed::toString);
            resumed.session.close();
        }
        return server;
    }

    /**
     * A borrowed handle used by the callbacks it installed: when the owner (here a native library,
     * native/handoff.c) frees the context, the callbacks and the handle go too. A borrowed handle used
     * to hold its own reference, which its callbacks kept forever.
     */
    static void callbacksHoldingTheirBorrowedContextDoNotKeepIt() {
        int withCallbacks = ContextCallbacks.liveContexts();
        for (int i = 0; i < 20; i++) {
            AtomicInteger decrypted = new AtomicInteger();
            WeakReference<SslContext> handle = borrowedByANativeOwner(decrypted);
            assertEquals(2, Handoff.handoff_run(TlsVersion.TLS1_3.code(), 2), "2 resumptions in C");
            assertEquals(2, decrypted.get(), "through the borrowed handle's callbacks");
            Handoff.handoff_release(); // the owner lets go: OpenSSL frees the context
            assertEquals(withCallbacks, ContextCallbacks.liveContexts(), "released when the owner freed it");
            collectGarbage(() -> handle.get() == null);
            assertNull(handle.get(), "and the borrowed handle is collectable");
        }
    }

    private static WeakReference<SslContext> borrowedByANativeOwner(AtomicInteger decrypted) {
        try (SslContext made = Tls.server(TlsVersion.TLS1_3)) {
            assertEquals(1, Handoff.handoff_keep(made.address())); // now the native library owns it
        } // our own reference is gone: only the native owner keeps the context
        long address = Handoff.handoff_context();
        SslContext borrowed = SslContext.borrow(address);
        borrowed.setTicketCallbacks((ssl, session) -> borrowed.ticketStats() != null,
                (ssl, session, name, status) -> {
                    decrypted.addAndGet(borrowed.ticketStats().decrypts() > 0 ? 1 : 0);
                    return TicketReturn.defaultFor(status);
                });
        return new WeakReference<>(borrowed);
    }

    /** Replacing or clearing callbacks, and closing the context, from inside a callback of that context. */
    static void changingTheContextFromItsOwnCallbacks() {
        for (TlsVersion version : TlsVersion.values()) {
            AtomicInteger replaced = new AtomicInteger();
            SslContext server = Tls.server(version);
            try (SslContext client = Tls.client(version); SslSession ticket = Tls.firstSession(server, client)) {
                server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> {
                    server.setTicketCallbacks((s, ss) -> replaced.incrementAndGet() > 0, DEFAULT);
                    server.clearTicketKeyCallback();
                    server.close(); // drops the handle's reference; the handshake's SSL keeps the context
                    return TicketReturn.USE_RENEW;
                });
                Tls.Outcome resumed = Tls.connect(server, client, ticket);
                assertTrue(resumed.ok() && resumed.reused, resumed::toString);
                assertEquals(1, replaced.get(), "the renewal ran the generator installed a moment before");
                resumed.session.close();
            }
            assertThrows(IllegalStateException.class, server::newSsl);
        }
    }

    /** A session closed while another thread copies its app data is freed after the copy, never during it. */
    static void closingASessionWhileAnotherThreadReadsIt() throws Exception {
        byte[] expected = new byte[256 * 1024];
        Arrays.fill(expected, (byte) 7);
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2);
             SslSession base = Tls.firstSession(server, client)) {
            base.setTicketAppData(expected);
            for (int round = 0; round < 200; round++) {
                SslSession session = base.copy();
                AtomicInteger wrong = new AtomicInteger();
                Thread reader = new Thread(() -> {
                    try {
                        while (true) {
                            if (!Arrays.equals(expected, session.ticketAppData())) {
                                wrong.incrementAndGet();
                            }
                        }
                    } catch (IllegalStateException closed) {
                        // the end of this round
                    }
                });
                reader.start();
                Thread.sleep(0, round * 5000);
                session.close();
                reader.join(10_000);
                assertFalse(reader.isAlive());
                assertEquals(0, wrong.get(), "round " + round);
            }
        }
    }

    /** A lent session handed to another thread: the callback's return waits for its read, then it throws. */
    static void aLentSessionReadOnAnotherThread() throws Exception {
        byte[] expected = new byte[60_000]; // under the ticket size limit
        Arrays.fill(expected, (byte) 3);
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(expected);
                return true;
            }, (ssl, session, name, status) -> {
                SslSession lent = session.orElseThrow();
                Thread reader = new Thread(() -> {
                    try {
                        while (true) {
                            if (!Arrays.equals(expected, lent.ticketAppData())) {
                                wrong.incrementAndGet();
                            }
                            reads.incrementAndGet();
                        }
                    } catch (IllegalStateException loanEnded) {
                        // the callback returned
                    }
                });
                readers.add(reader);
                reader.start();
                return TicketReturn.IGNORE_RENEW; // OpenSSL frees the decrypted session right after
            });
            SslSession ticket = Tls.firstSession(server, client);
            for (int i = 0; i < 20; i++) {
                Tls.Outcome outcome = Tls.connect(server, client, ticket);
                assertTrue(outcome.ok() && !outcome.reused, outcome::toString);
                outcome.session.close();
            }
            ticket.close();
        }
        for (Thread reader : readers) {
            reader.join(10_000);
            assertFalse(reader.isAlive());
        }
        assertEquals(0, wrong.get(), "wrong reads out of " + reads.get());
    }

    /** handshake, read and write on a connection with no BIO never reach OpenSSL (3.0 crashes in SSL_get_error). */
    static void aConnectionWithoutABioIsRefusedBeforeOpenSsl() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            for (SslContext context : List.of(server, client)) {
                try (Ssl ssl = context.newSsl()) {
                    for (int attempt = 0; attempt < 3; attempt++) {
                        IllegalStateException e = assertThrows(IllegalStateException.class, ssl::handshake);
                        assertTrue(e.getMessage().contains("no BIO"), e.getMessage());
                        assertThrows(IllegalStateException.class, () -> ssl.read(new byte[16]));
                        assertThrows(IllegalStateException.class, () -> ssl.write(new byte[16]));
                    }
                    assertEquals(0, ssl.bytesRead());
                }
            }
        }
    }

    /**
     * Owned sessions that nothing else references, read while the GC runs hard (-Xmn6m, serial GC):
     * every 1 MB read must be exact. Without reachability fences the Cleaner frees the session mid-copy.
     */
    static void readingAppDataWhileTheGcRuns() throws InterruptedException {
        byte[] expected = new byte[1 << 20];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (i * 31 + (i >> 8));
        }
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2);
             SslSession base = Tls.firstSession(server, client)) {
            base.setTicketAppData(expected);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            Runnable reader = () -> {
                while (System.nanoTime() < end) {
                    if (!Arrays.equals(expected, base.copy().ticketAppData())) { // the copy: owned, unreferenced
                        wrong.incrementAndGet();
                    }
                    reads.incrementAndGet();
                }
            };
            Thread second = new Thread(reader); // two readers: one's allocations collect during the other's copy
            second.start();
            reader.run();
            second.join();
        }
        assertEquals(0, wrong.get(), "wrong reads out of " + reads.get());
        assertTrue(reads.get() > 100, "reads: " + reads.get());
    }

    /**
     * 500,000 replacements of the ticket callbacks, 100,000 of the key callback and 100,000 borrow,
     * install and close cycles, under -Xmx64m: nothing accumulates, and the newest callbacks run.
     */
    static void replacingCallbacksAccumulatesNothing() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            replace(server, 1_000);
            long heapBefore = usedHeapAfterGc();
            int contexts = ContextCallbacks.liveContexts();
            replace(server, 500_000);
            for (int i = 0; i < 100_000; i++) {
                try (SslContext borrowed = SslContext.borrow(server.address())) {
                    borrowed.setTicketCallbacks(KEEP, DEFAULT);
                }
            }
            long growth = usedHeapAfterGc() - heapBefore;
            assertTrue(growth < 8 << 20, "heap grew by " + growth + " bytes");
            assertEquals(contexts, ContextCallbacks.liveContexts());

            AtomicInteger newest = new AtomicInteger();
            server.setTicketCallbacks((ssl, session) -> newest.incrementAndGet() > 0, DEFAULT);
            assertTrue(Tls.connect(server, client, null).ok());
            assertEquals(2, newest.get(), "the newest generator made both TLS 1.3 tickets");
        }
    }

    private static void replace(SslContext server, int times) {
        for (int i = 0; i < times; i++) {
            byte[] ballast = new byte[512]; // captured: a kept callback would keep it too
            server.setTicketCallbacks((ssl, session) -> ballast.length > 0, DEFAULT);
            if (i % 5 == 0) {
                server.setTicketKeyCallback(new FixedKey(ssl -> assertNotNull(ballast)));
            }
        }
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void collectGarbage(Supplier<Boolean> done) {
        for (int i = 0; i < 50 && !done.get(); i++) {
            System.gc();
            sleep(20);
        }
        System.gc();
        sleep(50); // the Cleaner thread runs after the collection
    }

    /** The message of the IllegalStateException {@code call} throws. */
    private static String refusal(Runnable call) {
        try {
            call.run();
            return "NOT REFUSED";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** One fixed key; runs {@code onSeal} each time it seals a ticket. */
    private static final class FixedKey implements TicketKeyCallback {
        private static final TicketKey KEY = TicketKey.random();
        private final Consumer<Ssl> onSeal;

        FixedKey(Consumer<Ssl> onSeal) {
            this.onSeal = onSeal;
        }

        @Override
        public Optional<TicketKey> keyForNewTicket(Ssl connection) {
            onSeal.accept(connection);
            return Optional.of(KEY);
        }

        @Override
        public Lookup findKey(Ssl connection, byte[] keyName) {
            return KEY.hasName(keyName) ? Lookup.use(KEY) : Lookup.notFound();
        }
    }
}
