package io.github.ossltickets;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Errors thrown inside callbacks, from inside the library's own calls: a StackOverflowError reached by
 * recursing through the handles a callback was lent, and an OutOfMemoryError raised while the library
 * copies app data. Each handshake must fail closed (or go on, as the fallback says), the thread must
 * return, and every native object must be freed once closed. {@link CallbackErrorTest} runs each case
 * in a child JVM with several stack sizes, so that the overflow lands at different points.
 */
final class CallbackErrorCases {
    private CallbackErrorCases() {}

    private static final int HANDSHAKES = 5;
    private static final byte[] DATA = Tls.utf8("app data");

    /** Recurses through every kind of call a callback makes on what it was lent, until the stack ends. */
    private static int overflow(Ssl connection, SslSession session, int depth) {
        if (session != null) {
            session.ticketAppData();
            session.setTicketAppData(DATA);
        }
        connection.isSessionReused();
        connection.serverName();
        return overflow(connection, session, depth + 1) + 1;
    }

    /** Some frames of padding first, so that each handshake's overflow strikes a different point. */
    private static int padded(int frames, Ssl connection, SslSession session) {
        return frames == 0 ? overflow(connection, session, 0) : padded(frames - 1, connection, session) + 1;
    }

    static void generatorOverflowsTheStack() throws Exception {
        onBigAndSmallStacks(() -> {
            for (TlsVersion version : TlsVersion.values()) {
                try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
                    int[] handshake = {0};
                    server.setTicketCallbacks((ssl, session) -> padded(handshake[0] * 7, ssl, session) > 0,
                            (ssl, session, name, status) -> TicketReturn.defaultFor(status));
                    for (handshake[0] = 0; handshake[0] < HANDSHAKES; handshake[0]++) {
                        assertFailedBy(StackOverflowError.class, Tls.connect(server, client, null));
                    }
                    server.setTicketCallbacks((ssl, session) -> true,
                            (ssl, session, name, status) -> TicketReturn.defaultFor(status));
                    Tls.Outcome works = Tls.connect(server, client, null);
                    assertTrue(works.ok(), "the context still works");
                    close(works.session);
                }
            }
        });
    }

    static void decryptorOverflowsTheStack() throws Exception {
        onBigAndSmallStacks(() -> {
            for (TlsVersion version : TlsVersion.values()) {
                for (TicketReturn fallback : List.of(TicketReturn.ABORT, TicketReturn.IGNORE_RENEW)) {
                    try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
                        boolean[] overflowing = {false};
                        int[] handshake = {0};
                        server.setTicketCallbacks((ssl, session) -> {
                            session.setTicketAppData(DATA);
                            return true;
                        }, (ssl, session, name, status) -> {
                            if (overflowing[0]) {
                                padded(handshake[0] * 7, ssl, session.orElse(null));
                            }
                            return TicketReturn.defaultFor(status);
                        }, fallback);
                        for (handshake[0] = 0; handshake[0] < HANDSHAKES; handshake[0]++) {
                            // A fresh ticket each time: a TLS 1.3 client offers no session whose handshake failed.
                            overflowing[0] = false;
                            SslSession ticket = Tls.firstSession(server, client);
                            overflowing[0] = true;
                            Tls.Outcome outcome = Tls.connect(server, client, ticket);
                            if (fallback == TicketReturn.ABORT) {
                                assertFailedBy(StackOverflowError.class, outcome);
                            } else {
                                assertTrue(outcome.ok(), "IGNORE_RENEW goes on: " + outcome);
                                assertFalse(outcome.reused, "with a full handshake");
                                close(outcome.session);
                            }
                            ticket.close();
                        }
                    }
                }
            }
        });
    }

    /**
     * Each frame opens a connection and a session copy and closes them in a finally, until the stack
     * ends: the closes that the overflow interrupts throw too, and the Cleaner must free those once the
     * handles are unreachable. Before, close() unregistered the handle from the Cleaner first, and each
     * interrupted close leaked its connection for good (130 to 330 a run).
     */
    static void closesThatTheStacksEndInterruptsAreFinishedByTheCleaner() throws Exception {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             SslSession session = Tls.firstSession(server, client)) {
            onBigAndSmallStacks(true, () -> {
                try {
                    openAndCloseUntilTheStackEnds(server, session);
                } catch (StackOverflowError expected) {
                    // the point: the closes on the way out met the end of the stack too
                }
            });
        }
    }

    private static int openAndCloseUntilTheStackEnds(SslContext context, SslSession session) {
        Ssl connection = context.newSsl();
        try {
            SslSession copy = session.copy();
            try {
                return openAndCloseUntilTheStackEnds(context, session) + 1;
            } finally {
                copy.close();
            }
        } finally {
            connection.close();
        }
    }

    static void keyCallbackOverflowsTheStack() throws Exception {
        onBigAndSmallStacks(() -> {
            for (TlsVersion version : TlsVersion.values()) {
                try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
                    int[] handshake = {0};
                    server.setTicketKeyCallback(new TicketKeyCallback() {
                        @Override
                        public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                            padded(handshake[0] * 7, connection, null);
                            return Optional.empty();
                        }

                        @Override
                        public Lookup findKey(Ssl connection, byte[] keyName) {
                            return Lookup.notFound();
                        }
                    });
                    for (handshake[0] = 0; handshake[0] < HANDSHAKES; handshake[0]++) {
                        assertFailedBy(StackOverflowError.class, Tls.connect(server, client, null));
                    }
                }
            }
        });
    }

    /**
     * An OutOfMemoryError raised inside the library's copy of the app data (a small heap, run with
     * -Xmx32m): the generator keeps every copy until the heap is gone.
     */
    static void outOfMemoryInsideTheLibrary() throws Exception {
        onBigAndSmallStacks(() -> {
            byte[] large = new byte[60_000];
            for (TlsVersion version : TlsVersion.values()) {
                try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
                    server.setTicketCallbacks((ssl, session) -> {
                        session.setTicketAppData(large);
                        List<byte[]> copies = new ArrayList<>();
                        while (true) {
                            copies.add(session.ticketAppData());
                        }
                    }, (ssl, session, name, status) -> TicketReturn.defaultFor(status));
                    for (int i = 0; i < HANDSHAKES; i++) {
                        assertFailedBy(OutOfMemoryError.class, Tls.connect(server, client, null));
                    }
                }
            }
        });
    }

    private static void assertFailedBy(Class<? extends Error> expected, Tls.Outcome outcome) {
        assertFalse(outcome.ok(), "the handshake failed closed: " + outcome);
        assertEquals(Optional.of("internal_error"), outcome.alertSent, "and sent internal_error");
        assertInstanceOf(expected, outcome.failure.getCause(), "with the Error as the cause");
        close(outcome.session);
    }

    private static void close(SslSession session) {
        if (session != null) {
            session.close();
        }
    }

    /** Runs {@code test} on threads with stacks of several sizes, then checks nothing is left live. */
    private static void onBigAndSmallStacks(ThrowingRunnable test) throws Exception {
        onBigAndSmallStacks(false, test);
    }

    /**
     * {@code byTheCleaner}: the handles that {@code test} left unreachable may be freed by the Cleaner,
     * so collect garbage (for up to 10 s) before counting.
     */
    private static void onBigAndSmallStacks(boolean byTheCleaner, ThrowingRunnable test) throws Exception {
        long connections = NativeRef.Kind.CONNECTION.live();
        long sessions = NativeRef.Kind.SESSION.live();
        long contexts = NativeRef.Kind.CONTEXT.live();
        for (long stackSize : new long[] {256 * 1024, 1024 * 1024, 0 /* the JVM's default */}) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread thread = new Thread(null, () -> {
                try {
                    test.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "stack-" + stackSize, stackSize);
            thread.start();
            thread.join(60_000);
            assertFalse(thread.isAlive(), "the thread with a stack of " + stackSize + " bytes returned");
            if (failure.get() != null) {
                throw new AssertionError("on a stack of " + stackSize + " bytes", failure.get());
            }
        }
        for (int i = 0; byTheCleaner && i < 100 && (NativeRef.Kind.CONNECTION.live() != connections
                || NativeRef.Kind.SESSION.live() != sessions || NativeRef.Kind.CONTEXT.live() != contexts); i++) {
            System.gc();
            Thread.sleep(100);
        }
        assertEquals(connections, NativeRef.Kind.CONNECTION.live(), "every connection freed");
        assertEquals(sessions, NativeRef.Kind.SESSION.live(), "every session freed");
        assertEquals(contexts, NativeRef.Kind.CONTEXT.live(), "every context freed");
        assertNotNull(Tls.CERTIFICATE);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
