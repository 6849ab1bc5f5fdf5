package io.github.ossltickets;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Certificates and keys in: encrypted keys never prompt, and names are written as UTF-8. */
class CertificateTest {
    private static final char[] PASSWORD = "correct horse".toCharArray();

    /** The test certificate's key, encrypted by the openssl command line tool in a given format. */
    private static String encryptedKey(String... opensslArguments) throws Exception {
        Process process = new ProcessBuilder(opensslArguments).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().write(Tls.CERTIFICATE.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().close();
        String pem = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), pem);
        assertTrue(pem.contains("ENCRYPTED"), pem);
        return pem;
    }

    private static List<String> encryptedKeys() throws Exception {
        return List.of(
                encryptedKey("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:correct horse"),
                encryptedKey("openssl", "ec", "-aes256", "-passout", "pass:correct horse")); // Proc-Type: 4,ENCRYPTED
    }

    @Test
    void anEncryptedKeyWithoutAPasswordFailsAtOnceWithoutPrompting() throws Exception {
        for (String key : encryptedKeys()) {
            OpenSslException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                    OpenSslException.class, () -> SslContext.forServer()
                            .certificate(Tls.CERTIFICATE.certificatePem(), key).build()));
            assertTrue(e.getMessage().contains("the private key is encrypted and no password was given"),
                    e.getMessage());
        }
    }

    @Test
    void anEncryptedKeyWithItsPasswordServesHandshakes() throws Exception {
        for (String key : encryptedKeys()) {
            try (SslContext server = SslContext.forServer().certificate(Tls.CERTIFICATE.certificatePem(), key, PASSWORD)
                    .build(); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
                Tls.Outcome outcome = Tls.connect(server, client, null);
                assertTrue(outcome.ok(), outcome::toString);
                outcome.session.close();
            }
        }
    }

    @Test
    void aWrongPasswordSaysSo() throws Exception {
        for (String key : encryptedKeys()) {
            OpenSslException e = assertThrows(OpenSslException.class, () -> SslContext.forServer()
                    .certificate(Tls.CERTIFICATE.certificatePem(), key, "wrong".toCharArray()).build());
            assertTrue(e.getMessage().contains("the private key is encrypted and the password is wrong"),
                    e.getMessage());
            assertTrue(!e.errorQueue().isEmpty(), "with OpenSSL's own words: " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SslContext.forServer()
                .certificate(Tls.CERTIFICATE.certificatePem(), Tls.CERTIFICATE.privateKeyPem(), "a\0b".toCharArray())
                .build());
    }

    @Test
    void aNonAsciiCommonNameIsWrittenAsUtf8() throws Exception {
        String name = "bücher-Ω.例え.test";
        SelfSignedCertificate generated = SelfSignedCertificate.generate(name);
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(generated.certificatePem().getBytes(StandardCharsets.US_ASCII)));
        assertEquals("CN=" + name, parsed.getSubjectX500Principal().getName(), "read back by the JDK's parser");
    }

    @Test
    void namesThatCannotBeEncodedAreRefusedBeforeOpenSsl() {
        for (String bad : List.of("", "local\0host", "bad\uD800surrogate", "x".repeat(65))) {
            assertThrows(IllegalArgumentException.class, () -> SelfSignedCertificate.generate(bad), bad);
        }
        SelfSignedCertificate.generate("x".repeat(64));
    }
}
