package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two servers with the same ticket key resume each other's tickets only with equal session-ID
 * contexts ({@link SslContext#setSessionIdContext}): with different ones the ticket decrypts (the
 * decrypt callback sees SUCCESS) and OpenSSL then does a full handshake. This is why a fleet mixing
 * serve, Tomcat ("default") and Netty ("netty") must agree on the context as well as the keys.
 */
@Timeout(30)
class SessionIdContextTest {
    private static final byte[] TOMCAT = "default".getBytes(StandardCharsets.US_ASCII);

    private static SslContext server(TlsVersion version, TicketKey key, byte[] sessionIdContext) {
        SslContext server = Tls.server(version);
        server.setTicketKeyCallback(TicketReturnTest.oneKey(key, false));
        server.setTicketCallbacks((connection, session) -> true,
                (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
        if (sessionIdContext != null) {
            server.setSessionIdContext(sessionIdContext);
        }
        return server;
    }

    /** A ticket from {@code issuing} offered to {@code resuming}: whether it resumed, and what the decryptor saw. */
    private static boolean resumes(TlsVersion version, SslContext issuing, SslContext resuming) {
        try (SslContext client = Tls.client(version); SslSession session = Tls.firstSession(issuing, client)) {
            Tls.Outcome outcome = Tls.connect(resuming, client, session);
            assertTrue(outcome.ok(), outcome.toString());
            assertEquals(1L, resuming.ticketStats().decryptsByStatus().getOrDefault(TicketStatus.SUCCESS, 0L),
                    "the ticket decrypted at the other server, whatever happened next");
            if (outcome.session != null) {
                outcome.session.close();
            }
            return outcome.reused;
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void differentContextsDecryptTheTicketButDoAFullHandshake(TlsVersion version) {
        TicketKey key = TicketKey.random();
        try (SslContext ours = server(version, key, null); SslContext tomcatLike = server(version, key, TOMCAT)) {
            assertFalse(resumes(version, tomcatLike, ours), "Tomcat's context against OpenSSL's default (empty)");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void equalContextsResume(TlsVersion version) {
        TicketKey key = TicketKey.random();
        try (SslContext tomcatLike = server(version, key, TOMCAT); SslContext aligned = server(version, key, TOMCAT)) {
            assertTrue(resumes(version, tomcatLike, aligned));
        }
        try (SslContext tomcatLike = server(version, key, TOMCAT);
             SslContext emptyAgain = server(version, key, new byte[0]); SslContext ours = server(version, key, null)) {
            tomcatLike.setSessionIdContext(new byte[0]); // back to OpenSSL's default
            assertTrue(resumes(version, tomcatLike, ours));
            assertTrue(resumes(version, ours, emptyAgain));
        }
    }

    /**
     * {@link SslContext.Builder#sessionIdContextFromCertificate()}, as h2o and HAProxy do: with shared
     * keys, a ticket resumes only at a context with the same certificate (the h2o scenario's defence
     * in OpenSSL itself); without the option, at any (the negative control).
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void aContextPerCertificateResumesOnlyTicketsOfTheSameCertificate(TlsVersion version) {
        TicketKey key = TicketKey.random();
        SelfSignedCertificate other = SelfSignedCertificate.generate("other.example");
        try (SslContext x = perCertificate(version, key, Tls.CERTIFICATE, true);
             SslContext sameCertificate = perCertificate(version, key, Tls.CERTIFICATE, true);
             SslContext y = perCertificate(version, key, other, true)) {
            assertFalse(resumes(version, x, y), "X's ticket at Y, another certificate");
            assertTrue(resumes(version, x, sameCertificate), "X's ticket at another context with X's certificate");
        }
        try (SslContext x = perCertificate(version, key, Tls.CERTIFICATE, false);
             SslContext y = perCertificate(version, key, other, false)) {
            assertTrue(resumes(version, x, y), "without the option, X's ticket resumes at Y");
        }
    }

    private static SslContext perCertificate(TlsVersion version, TicketKey key, SelfSignedCertificate certificate,
            boolean perCertificate) {
        SslContext.Builder builder = SslContext.forServer()
                .certificate(certificate.certificatePem(), certificate.privateKeyPem())
                .protocol(version).serverSessionCache(false);
        SslContext server = (perCertificate ? builder.sessionIdContextFromCertificate() : builder).build();
        server.setTicketKeyCallback(TicketReturnTest.oneKey(key, false));
        server.setTicketCallbacks((connection, session) -> true,
                (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
        return server;
    }

    @Test
    void longerThan32BytesIsRefused() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3)) {
            server.setSessionIdContext(new byte[SslContext.MAX_SESSION_ID_CONTEXT_LENGTH]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> server.setSessionIdContext(new byte[33]));
            assertEquals("a session-ID context has at most 32 bytes, not 33", e.getMessage());
        }
    }
}
