package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by a hostile review of the stack checks: native calls that called back into Java with no stack
 * check in front of them. Each case runs in a child JVM, since on FFM an upcall that enters Java
 * without stack ends the JVM.
 */
class UncheckedUpcallHostileTest {

    /**
     * {@code PEM_read_bio_PrivateKey} of an encrypted key with no password calls
     * {@link NativeCallbacks#NO_PASSWORD}, an upcall; SslContext.Builder.build() proved no stack before
     * it. Code that caught a StackOverflowError and built a context from a (hostile) configuration whose
     * key was encrypted made that upcall with the stack nearly full, which ended the JVM on FFM.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void anEncryptedKeyReadAtTheStackEndDoesNotEndTheJvm() {
        ChildJvm.run(UncheckedUpcallHostileTest.class, "readEncryptedKeysAtTheStackEnd");
    }

    private static String encryptedKey;
    private static int attempts;
    private static int refusedWithTheRightMessage;

    static void readEncryptedKeysAtTheStackEnd() throws Exception {
        Process process = new ProcessBuilder("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout",
                "pass:correct horse").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().write(Tls.CERTIFICATE.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().close();
        encryptedKey = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertTrue(encryptedKey.contains("ENCRYPTED"), encryptedKey);
        // Once with the stack empty: the password callback's stub is made (and warmed up) here.
        OpenSslException first = assertThrows(OpenSslException.class, UncheckedUpcallHostileTest::buildWithTheEncryptedKey);
        assertTrue(first.getMessage().contains("encrypted and no password"), first.getMessage());
        for (long stack : new long[] {256 * 1024, 1024 * 1024}) {
            attempts = 0;
            Thread thread = new Thread(null, () -> {
                try {
                    recurse();
                } catch (StackOverflowError expected) {
                    // every attempt was made on the way out
                }
            }, "deep", stack);
            thread.start();
            thread.join();
            assertTrue(attempts > 0, "no attempt was made at the stack's end");
        }
        assertTrue(refusedWithTheRightMessage > 0, "some attempts higher up the stack got the ordinary refusal");
    }

    private static void recurse() {
        try {
            recurse();
        } catch (StackOverflowError e) {
            if (attempts++ < 1_000) {
                try {
                    buildWithTheEncryptedKey();
                } catch (OpenSslException refused) {
                    refusedWithTheRightMessage++;
                } catch (StackOverflowError | IllegalStateException refused) {
                    // what may happen this close to the stack's end: anything but the end of the JVM
                }
                throw e;
            }
        }
    }

    private static void buildWithTheEncryptedKey() {
        SslContext.forServer().certificate(Tls.CERTIFICATE.certificatePem(), encryptedKey).build().close();
    }
}
