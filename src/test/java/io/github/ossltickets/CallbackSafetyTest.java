package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exceptions, nulls, broken rules, closed handles and the GC: each fails closed, nothing crashes. */
class CallbackSafetyTest {

    private static final TicketGenerator KEEP = (ssl, session) -> true;
    private static final TicketDecryptor DEFAULT = (ssl, session, name, status) -> TicketReturn.defaultFor(status);

    /** Runs one connection that must fail with {@code cause}, then checks the next one works. */
    private static Tls.Outcome failsThenRecovers(SslContext server, SslContext client, SslSession offered,
            AtomicInteger failuresLeft) {
        Tls.Outcome failed = Tls.connect(server, client, offered);
        assertFalse(failed.ok(), "the handshake fails closed");
        assertEquals(Optional.of("internal_error"), failed.alertSent);
        assertEquals(0, failuresLeft.get(), "the failing callback ran");
        Tls.Outcome next = Tls.connect(server, client, offered);
        assertTrue(next.ok(), () -> "the next handshake on the same context: " + next);
        if (next.session != null) {
            next.session.close();
        }
        return failed;
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void generatorThatThrowsFailsTheHandshakeWithItsExceptionAsCause(TlsVersion version) {
        IllegalStateException boom = new IllegalStateException("generator boom");
        AtomicInteger failuresLeft = new AtomicInteger(1);
        try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
            server.setTicketCallbacks((ssl, session) -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw boom;
                }
                return true;
            }, DEFAULT);
            Tls.Outcome failed = failsThenRecovers(server, client, null, failuresLeft);
            assertSame(boom, failed.failure.getCause());
            assertTrue(failed.failure.getMessage().contains("because a ticket callback failed"),
                    failed.failure.getMessage());
            assertFalse(failed.failure.errorQueue().isEmpty(), "OpenSSL's error queue is reported");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void generatorReturningFalseFailsTheHandshakeWithoutAJavaCause(TlsVersion version) {
        AtomicInteger failuresLeft = new AtomicInteger(1);
        try (SslContext server = Tls.server(version); SslContext client = Tls.client(version)) {
            server.setTicketCallbacks((ssl, session) -> failuresLeft.getAndDecrement() <= 0, DEFAULT);
            Tls.Outcome failed = failsThenRecovers(server, client, null, failuresLeft);
            assertNull(failed.failure.getCause());
        }
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void decryptorThatThrowsFailsClosedWithAbortByDefault(TlsVersion version) {
        OutOfMemoryError error = new OutOfMemoryError("even an Error is caught");
        AtomicInteger failuresLeft = new AtomicInteger(1);
        try (SslContext server = Tls.server(version); SslContext client = Tls.client(version);
             SslSession ticket = Tls.firstSession(server, client)) {
            server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw error;
                }
                return TicketReturn.defaultFor(status);
            });
            Tls.Outcome failed = failsThenRecovers(server, client, ticket, failuresLeft);
            assertSame(error, failed.failure.getCause());
            assertFalse(failed.reused);
        }
    }

    @Test
    void decryptorReturningNullFailsWithTheRuleItBroke() {
        AtomicInteger failuresLeft = new AtomicInteger(1);
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             SslSession ticket = Tls.firstSession(server, client)) {
            server.setTicketCallbacks(KEEP, (ssl, session, name, status) ->
                    failuresLeft.getAndDecrement() > 0 ? null : TicketReturn.defaultFor(status));
            Tls.Outcome failed = failsThenRecovers(server, client, ticket, failuresLeft);
            assertInstanceOf(TicketCallbackException.class, failed.failure.getCause());
            assertTrue(failed.failure.getMessage().contains("returned null for status SUCCESS_RENEW"),
                    failed.failure.getMessage());
        }
    }

    @Test
    void decryptorReturningUseForAnUndecryptableTicketFailsWithTheRuleItBroke() {
        AtomicInteger failuresLeft = new AtomicInteger(1);
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2);
             SslContext otherServer = Tls.server(TlsVersion.TLS1_2);
             SslSession foreignTicket = Tls.firstSession(otherServer, client)) {
            List<TicketStatus> seen = new ArrayList<>();
            server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> {
                seen.add(status);
                return failuresLeft.getAndDecrement() > 0 ? TicketReturn.USE : TicketReturn.defaultFor(status);
            });
            Tls.Outcome failed = failsThenRecovers(server, client, foreignTicket, failuresLeft);
            // OpenSSL marks a session not resumable when a handshake offering it fails, so the retry
            // offers only an empty TLS 1.2 ticket (docs/openssl-behaviour.md#a-failed-handshake-spoils-the-session-it-offered).
            assertEquals(List.of(TicketStatus.NO_DECRYPT, TicketStatus.EMPTY), seen);
            assertFalse(foreignTicket.isResumable());
            assertInstanceOf(TicketCallbackException.class, failed.failure.getCause());
            assertTrue(failed.failure.getMessage().contains("returned USE for status NO_DECRYPT"),
                    failed.failure.getMessage());
        }
    }

    @Test
    void fallbackIgnoreRenewGoesOnWithAFullHandshakeAndTellsTheListener() {
        RuntimeException boom = new RuntimeException("decryptor boom");
        List<Throwable> reported = new ArrayList<>();
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2);
             SslSession ticket = Tls.firstSession(server, client)) {
            server.setCallbackFailureListener(reported::add);
            server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> {
                throw boom;
            }, TicketReturn.IGNORE_RENEW);
            Tls.Outcome outcome = Tls.connect(server, client, ticket);
            assertTrue(outcome.ok(), () -> "IGNORE_RENEW lets the handshake go on: " + outcome);
            assertFalse(outcome.reused);
            assertEquals(1, outcome.ticketsReceived, "a fresh ticket");
            assertEquals(List.of(boom), reported);
            outcome.session.close();
        }
    }

    @Test
    void aThrowingFailureListenerIsContained() {
        AtomicInteger listenerCalls = new AtomicInteger();
        try (SslContext server = Tls.server(TlsVersion.TLS1_2); SslContext client = Tls.client(TlsVersion.TLS1_2);
             SslSession ticket = Tls.firstSession(server, client)) {
            server.setCallbackFailureListener(failure -> {
                listenerCalls.incrementAndGet();
                throw new IllegalStateException("listener boom");
            });
            server.setTicketCallbacks(KEEP, (ssl, session, name, status) -> {
                throw new RuntimeException("decryptor boom");
            }, TicketReturn.IGNORE);
            Tls.Outcome outcome = Tls.connect(server, client, ticket);
            assertTrue(outcome.ok());
            assertEquals(1, listenerCalls.get(), "the listener ran, and its exception went no further");
            assertEquals(0, outcome.ticketsReceived, "IGNORE: no new ticket");
            outcome.session.close();
        }
    }

    @Test
    void keyCallbackThatThrowsFailsTheHandshake() {
        RuntimeException boom = new RuntimeException("key boom");
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketKeyCallback(new TicketKeyCallback() {
                @Override
                public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                    throw boom;
                }

                @Override
                public Lookup findKey(Ssl connection, byte[] keyName) {
                    return Lookup.notFound();
                }
            });
            Tls.Outcome failed = Tls.connect(server, client, null);
            assertFalse(failed.ok());
            assertSame(boom, failed.failure.getCause());
        }
    }

    @Test
    void everyHandleThrowsAfterClose() {
        SslContext server = Tls.server(TlsVersion.TLS1_3);
        SslContext client = Tls.client(TlsVersion.TLS1_3);
        SslSession session = Tls.firstSession(server, client);
        Ssl ssl = server.newSsl();
        ssl.close();
        ssl.close(); // idempotent
        assertThrows(IllegalStateException.class, ssl::handshake);
        assertThrows(IllegalStateException.class, ssl::isSessionReused);
        session.close();
        session.close();
        assertThrows(IllegalStateException.class, session::ticketAppData);
        assertThrows(IllegalStateException.class, () -> session.setTicketAppData(new byte[1]));
        server.close();
        server.close();
        assertThrows(IllegalStateException.class, server::newSsl);
        assertThrows(IllegalStateException.class, () -> server.setTicketCallbacks(KEEP, DEFAULT));
        assertThrows(IllegalStateException.class, () -> server.setNumTickets(1));
        client.close();
    }

    @Test
    void nullAndInvalidArgumentsAreRejectedBeforeAnyNativeCall() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3)) {
            assertThrows(NullPointerException.class, () -> server.setTicketCallbacks(null, DEFAULT));
            assertThrows(NullPointerException.class, () -> server.setTicketCallbacks(KEEP, null));
            assertThrows(NullPointerException.class, () -> server.setTicketCallbacks(KEEP, DEFAULT, null));
            assertThrows(IllegalArgumentException.class,
                    () -> server.setTicketCallbacks(KEEP, DEFAULT, TicketReturn.USE));
            assertThrows(NullPointerException.class, () -> server.setTicketKeyCallback(null));
            assertThrows(IllegalArgumentException.class, () -> server.setTicketKeys(new byte[79]));
            assertThrows(NullPointerException.class, () -> server.setTicketKeys(null));
            assertThrows(IllegalArgumentException.class, () -> server.setNumTickets(-1));
            assertThrows(NullPointerException.class, () -> server.setCallbackFailureListener(null));
            try (Ssl ssl = server.newSsl()) {
                assertThrows(NullPointerException.class, () -> ssl.setSession(null));
                assertThrows(NullPointerException.class, () -> ssl.read(null));
                assertThrows(IllegalArgumentException.class, () -> ssl.read(new byte[0]));
                assertThrows(IllegalArgumentException.class, () -> ssl.write(new byte[0]));
                assertThrows(IllegalArgumentException.class, () -> ssl.joinWithBioPair(ssl));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SslContext.borrow(0));
        assertThrows(IllegalArgumentException.class, () -> new TicketKey(new byte[15], new byte[32], new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> new TicketKey(new byte[16], new byte[32], new byte[24]));
        assertThrows(IllegalArgumentException.class, () -> SslContext.forServer().protocols(TlsVersion.TLS1_3,
                TlsVersion.TLS1_2));
        assertThrows(IllegalStateException.class, () -> SslContext.forServer().build(), "a server needs a certificate");
        assertThrows(IllegalArgumentException.class, () -> TicketStatus.fromCode(2), "SSL_TICKET_NONE is never passed");
        assertThrows(IllegalArgumentException.class, () -> TicketReturn.fromCode(5));
    }

    @Test
    void aBadCertificateGivesOpenSslsErrorText() {
        OpenSslException e = assertThrows(OpenSslException.class,
                () -> SslContext.forServer().certificate("not a certificate", "nor a key").build());
        assertTrue(e.getMessage().startsWith("PEM_read_bio_X509 failed"), e.getMessage());
        assertFalse(e.errorQueue().isEmpty(), "error queue text: " + e.getMessage());
        SelfSignedCertificate other = SelfSignedCertificate.generate("other");
        OpenSslException mismatch = assertThrows(OpenSslException.class, () -> SslContext.forServer()
                .certificate(Tls.CERTIFICATE.certificatePem(), other.privateKeyPem()).build());
        assertTrue(mismatch.getMessage().contains("key values mismatch"), mismatch.getMessage());
    }

    @Test
    void droppedContextsAreCollectedAndFreed() {
        List<WeakReference<SslContext>> dropped = new ArrayList<>();
        long liveContexts = NativeRef.Kind.CONTEXT.live();
        try (SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            for (int round = 0; round < 20; round++) {
                SslContext server = Tls.server(TlsVersion.TLS1_2);
                byte[] ballast = new byte[64 * 1024]; // captured, so collection has something to find
                server.setTicketCallbacks((ssl, session) -> ballast.length > 0, DEFAULT);
                Tls.Outcome outcome = Tls.connect(server, client, null);
                assertTrue(outcome.ok());
                outcome.session.close();
                dropped.add(new WeakReference<>(server)); // dropped without close(): the Cleaner frees it
            }
        }
        for (int gc = 0; gc < 20 && (dropped.stream().anyMatch(ref -> ref.get() != null)
                || NativeRef.Kind.CONTEXT.live() > liveContexts); gc++) {
            System.gc();
            sleep(20);
        }
        long alive = dropped.stream().filter(ref -> ref.get() != null).count();
        assertEquals(0, alive, "dropped contexts are collectable: the callbacks do not pin their context");
        assertEquals(liveContexts, NativeRef.Kind.CONTEXT.live(), "and their SSL_CTX references were dropped");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
