package io.github.ossltickets;

import io.github.ossltickets.ffi.LibSsl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The builder's session-cache option ({@code SSL_CTX_set_session_cache_mode}): on by default, as
 * OpenSSL has it, so a TLS 1.2 client that sends no ticket extension resumes by session ID; off, it
 * cannot, and tickets are the only way to resume.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionCacheTest {
    private static SslContext.Builder server() {
        return SslContext.forServer().certificate(Tls.CERTIFICATE.certificatePem(), Tls.CERTIFICATE.privateKeyPem())
                .protocol(TlsVersion.TLS1_2);
    }

    /** Resumes with a client that offers no ticket (SSL_OP_NO_TICKET on its side, as curl 7.88 on TLS 1.2). */
    private static Tls.Outcome resumeWithoutTicket(SslContext server) {
        try (SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            client.setOptions(SslContext.OP_NO_TICKET);
            try (SslSession first = Tls.firstSession(server, client)) {
                return Tls.connect(server, client, first);
            }
        }
    }

    @Test
    void theCacheIsOnByDefaultAndResumesAClientThatSendsNoTicket() {
        AtomicInteger decrypts = new AtomicInteger();
        try (SslContext server = server().build()) {
            assertEquals(LibSsl.SSL_SESS_CACHE_SERVER, server.sessionCacheMode());
            server.setTicketCallbacks((connection, session) -> true, (connection, session, keyName, status) -> {
                decrypts.incrementAndGet();
                return TicketReturn.defaultFor(status);
            });
            Tls.Outcome resumed = resumeWithoutTicket(server);
            assertTrue(resumed.ok() && resumed.reused, resumed.toString());
            assertEquals(0, decrypts.get(), "no ticket was offered: the session came from the cache");
        }
    }

    @Test
    void turnedOffNothingResumesWithoutATicket() {
        try (SslContext server = server().serverSessionCache(false).build()) {
            assertEquals(LibSsl.SSL_SESS_CACHE_OFF, server.sessionCacheMode());
            Tls.Outcome full = resumeWithoutTicket(server);
            assertTrue(full.ok(), full.toString());
            assertFalse(full.reused, "without the cache a session ID alone resumes nothing: " + full);
        }
    }
}
