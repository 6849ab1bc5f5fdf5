package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * {@link SslContext#borrow(long)} attaches callbacks to an SSL_CTX another library owns. Here the
 * "other library" is a second handle on our own context, and in one test raw SSL_do_handshake calls
 * drive the handshake, as Netty's or Tomcat's native code would.
 */
class BorrowTest {

    @Test
    void callbacksInstalledThroughABorrowedHandleRunAndAreRemovedOnClose() {
        AtomicInteger decisions = new AtomicInteger();
        try (SslContext owner = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            SslContext borrowed = SslContext.borrow(owner.address());
            assertEquals(owner.address(), borrowed.address());
            assertThrows(IllegalStateException.class, borrowed::newSsl);
            borrowed.setTicketCallbacks((ssl, session) -> {
                session.setTicketAppData(Tls.utf8("via borrow"));
                return true;
            }, (ssl, session, name, status) -> {
                assertEquals("via borrow", Tls.text(session.orElseThrow().ticketAppData()));
                decisions.incrementAndGet();
                return TicketReturn.defaultFor(status);
            });
            SslSession ticket = Tls.firstSession(owner, client);
            Tls.Outcome resumed = Tls.connect(owner, client, ticket);
            assertTrue(resumed.reused);
            assertEquals(1, decisions.get());

            borrowed.close(); // uninstalls the callbacks, drops only the borrowed reference
            Tls.Outcome afterClose = Tls.connect(owner, client, resumed.session);
            assertTrue(afterClose.ok(), "the owner's context still works");
            assertEquals(1, decisions.get(), "the callbacks were uninstalled");
            ticket.close();
            resumed.session.close();
            afterClose.session.close();
        }
    }

    @Test
    void closingABorrowedHandleRemovesOnlyWhatItInstalledAndIsStillInPlace() {
        AtomicInteger ownerDecisions = new AtomicInteger();
        try (SslContext owner = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            SslContext borrowed = SslContext.borrow(owner.address());
            borrowed.setTicketCallbacks((ssl, session) -> true, (ssl, session, name, status) -> TicketReturn.ABORT);
            owner.setTicketCallbacks((ssl, session) -> true, (ssl, session, name, status) -> {
                ownerDecisions.incrementAndGet();
                return TicketReturn.defaultFor(status);
            });
            borrowed.close(); // the owner's callbacks replaced the borrowed handle's: they stay
            SslSession ticket = Tls.firstSession(owner, client);
            Tls.Outcome resumed = Tls.connect(owner, client, ticket);
            assertTrue(resumed.reused, () -> "the owner's decryptor still decides: " + resumed);
            assertEquals(1, ownerDecisions.get());
            ticket.close();
            resumed.session.close();
        }
    }

    @Test
    void aBorrowedHandleThatIsCollectedWithoutCloseLeavesItsCallbacksInstalled() throws InterruptedException {
        AtomicInteger decisions = new AtomicInteger();
        try (SslContext owner = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            WeakReference<SslContext> dropped = installThroughABorrowedHandle(owner, decisions);
            for (int i = 0; i < 50 && dropped.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(dropped.get(), "the borrowed handle was collected");
            System.gc();
            Thread.sleep(50); // the Cleaner runs after the collection
            SslSession ticket = Tls.firstSession(owner, client);
            Tls.Outcome resumed = Tls.connect(owner, client, ticket);
            assertTrue(resumed.reused);
            assertEquals(2, decisions.get(), "the GC did not uninstall them: EMPTY, then SUCCESS");
            ticket.close();
            resumed.session.close();
        }
    }

    private static WeakReference<SslContext> installThroughABorrowedHandle(SslContext owner, AtomicInteger decisions) {
        SslContext borrowed = SslContext.borrow(owner.address());
        borrowed.setTicketCallbacks((ssl, session) -> true, (ssl, session, name, status) -> {
            decisions.incrementAndGet();
            return TicketReturn.defaultFor(status);
        });
        return new WeakReference<>(borrowed);
    }

    @Test
    void aLentConnectionRefusesReEntryAndEndsWithItsCallback() {
        AtomicReference<String> refusal = new AtomicReference<>();
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> {
                try {
                    ssl.handshake();
                } catch (IllegalStateException e) {
                    refusal.set(e.getMessage());
                }
                return true;
            }, (ssl, session, name, status) -> TicketReturn.defaultFor(status));
            try (Ssl serverSide = server.newSsl(); Ssl clientSide = client.newSsl()) {
                assertEquals(1, handshakeDrivenByAnotherLibrary(serverSide, clientSide));
            }
        }
        assertTrue(refusal.get().contains("from inside a callback of the handshake another library drives"),
                refusal.get());
    }

    @Test
    void aForeignDriverGetsABorrowedConnectionAndFailuresGoToTheListener() {
        AtomicReference<Ssl> lent = new AtomicReference<>();
        List<Throwable> reported = new ArrayList<>();
        RuntimeException boom = new RuntimeException("foreign boom");
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setCallbackFailureListener(reported::add);
            server.setTicketCallbacks((ssl, session) -> {
                lent.set(ssl);
                throw boom;
            }, (ssl, session, name, status) -> TicketReturn.defaultFor(status));
            try (Ssl serverSide = server.newSsl(); Ssl clientSide = client.newSsl()) {
                assertEquals(LibSsl.SSL_ERROR_SSL, handshakeDrivenByAnotherLibrary(serverSide, clientSide),
                        "the generator's failure still fails the handshake");
                assertEquals(List.of(boom), reported, "with no Java call to rethrow it, the listener gets it");
                assertNotSame(serverSide, lent.get(), "a foreign SSL is lent as a borrowed wrapper");
                assertThrows(IllegalStateException.class, () -> lent.get().address(),
                        "the lent connection is invalid after the callback");
                OPENSSL.ERR_clear_error();
            }
        }
    }

    /**
     * Joins the two, then runs the server's handshake with raw SSL_do_handshake calls, as another
     * library's native code would: no Java call of ours drives it. Returns 1 when it finished, else the
     * server's SSL_get_error code.
     */
    private static int handshakeDrivenByAnotherLibrary(Ssl serverSide, Ssl clientSide) {
        clientSide.joinWithBioPair(serverSide);
        long rawServer = serverSide.address();
        for (int round = 0; round < 10; round++) {
            clientSide.handshake();
            int result = OPENSSL.SSL_do_handshake(rawServer);
            if (result == 1) {
                return 1;
            }
            int error = OPENSSL.SSL_get_error(rawServer, result);
            if (error != LibSsl.SSL_ERROR_WANT_READ) {
                return error;
            }
        }
        throw new AssertionError("the handshake did not finish in 10 rounds");
    }

    @Test
    void borrowRefusesAPointerThatIsNotAnSslCtxOfThisLibssl() {
        com.sun.jna.Memory notAContext = new com.sun.jna.Memory(4096);
        notAContext.clear();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SslContext.borrow(com.sun.jna.Pointer.nativeValue(notAContext)));
        assertTrue(e.getMessage().contains("is not an SSL_CTX* of this libssl"), e.getMessage());
        long anyRole = OPENSSL.SSL_CTX_new(OPENSSL.TLS_method()); // as some servers make them
        try (SslContext borrowed = SslContext.borrow(anyRole)) {
            assertEquals(2, borrowed.numTickets());
        } finally {
            OPENSSL.SSL_CTX_free(anyRole);
        }
    }

    @Test
    void ticketsAreNotEffectiveWithNoTicketAndTheDecryptorThenNeverRuns() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            server.setTicketCallbacks((ssl, session) -> true, (ssl, session, name, status) ->
                    TicketReturn.defaultFor(status));
            assertTrue(server.ticketsEffective());
            assertEquals(LibSsl.SSL_SESS_CACHE_OFF, server.sessionCacheMode());
            server.setOptions(LibSsl.SSL_OP_NO_TICKET);
            assertFalse(server.ticketsEffective());
            SslSession session = Tls.firstSession(server, client);
            Tls.Outcome again = Tls.connect(server, client, session);
            assertEquals(0, server.ticketStats().decrypts(), "no ticket reached the decryptor");
            assertFalse(again.reused, "and with the cache off, nothing resumes");
            server.clearOptions(LibSsl.SSL_OP_NO_TICKET);
            assertTrue(server.ticketsEffective());
            session.close();
            again.session.close();
        }
    }
}
