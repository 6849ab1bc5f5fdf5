package io.github.ossltickets;


import io.github.ossltickets.ffi.pem_password_cb;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/** PEM text in and out of OpenSSL through memory BIOs. Every native object is freed before return. */
final class Pem {
    private Pem() {}

    /**
     * Given as the password callback when no password is: OpenSSL's default would prompt on the
     * terminal and block the JVM (docs/openssl-behaviour.md#lifetimes-openssl-imposes). Static, so the
     * GC never frees it while OpenSSL may call it.
     */
    private static final pem_password_cb NO_PASSWORD = (buf, size, rwflag, userdata) -> -1;

    /**
     * Loads a certificate and its key into a context ({@code SSL_CTX_use_certificate}/{@code _PrivateKey},
     * which take their own references). {@code password} decrypts an encrypted key; null for none.
     */
    static void useCertificateAndKey(long ctx, String certificatePem, String privateKeyPem, char[] password) {
        long x509 = read(certificatePem, true, null);
        try {
            if (OPENSSL.SSL_CTX_use_certificate(ctx, x509) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_use_certificate failed");
            }
        } finally {
            OPENSSL.X509_free(x509);
        }
        long key = read(privateKeyPem, false, password);
        try {
            if (OPENSSL.SSL_CTX_use_PrivateKey(ctx, key) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_use_PrivateKey failed: the private key does not match"
                        + " the certificate, or OpenSSL cannot use it");
            }
        } finally {
            OPENSSL.EVP_PKEY_free(key);
        }
        if (OPENSSL.SSL_CTX_check_private_key(ctx) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_check_private_key failed: the private key does not"
                    + " match the certificate");
        }
    }

    /** {@code PEM_read_bio_X509} or {@code PEM_read_bio_PrivateKey}; the caller frees the result. */
    private static long read(String pem, boolean certificate, char[] password) {
        long bio = memoryBio();
        byte[] passwordC = password == null ? null : cPassword(password);
        try {
            byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0 || OPENSSL.BIO_write(bio, bytes, bytes.length) != bytes.length) {
                throw OpenSslException.fromErrorQueue("cannot read an empty PEM "
                        + (certificate ? "certificate" : "private key"));
            }
            long result = certificate ? OPENSSL.PEM_read_bio_X509(bio, 0, 0, 0)
                    : OPENSSL.PEM_read_bio_PrivateKey(bio, 0, passwordC == null ? NO_PASSWORD : null, passwordC);
            if (result == 0) {
                throw OpenSslException.fromErrorQueue(certificate ? "PEM_read_bio_X509 failed: " + whyNoCertificate(pem)
                        : "PEM_read_bio_PrivateKey failed: " + whyNoKey(pem, password != null));
            }
            return result;
        } finally {
            OPENSSL.BIO_free(bio);
            if (passwordC != null) {
                Arrays.fill(passwordC, (byte) 0);
            }
        }
    }

    private static String whyNoCertificate(String pem) {
        if (!pem.contains("-----BEGIN ")) {
            return "the certificate is not PEM (no -----BEGIN CERTIFICATE----- line)";
        }
        if (!pem.contains("CERTIFICATE-----")) {
            return pem.contains("PRIVATE KEY-----") ? "the certificate PEM holds a private key, not a certificate"
                    : "the certificate PEM holds no -----BEGIN CERTIFICATE----- block";
        }
        return "the certificate's PEM block is damaged";
    }

    private static String whyNoKey(String pem, boolean passwordGiven) {
        if (!pem.contains("-----BEGIN ")) {
            return "the private key is not PEM (no -----BEGIN PRIVATE KEY----- line)";
        }
        if (!pem.contains("PRIVATE KEY-----")) {
            return pem.contains("CERTIFICATE-----") ? "the private key PEM holds a certificate, not a private key"
                    : "the private key PEM holds no -----BEGIN PRIVATE KEY----- block";
        }
        boolean encrypted = pem.contains("ENCRYPTED");
        if (encrypted && !passwordGiven) {
            return "the private key is encrypted and no password was given";
        }
        return encrypted ? "the private key is encrypted and the password is wrong"
                : "the private key's PEM block is damaged or of an unsupported type";
    }

    /** The password as a NUL-terminated UTF-8 string, which OpenSSL takes as {@code u} when {@code cb} is NULL. */
    private static byte[] cPassword(char[] password) {
        for (char c : password) {
            if (c == 0) {
                throw new IllegalArgumentException("a PEM password cannot contain a NUL character");
            }
        }
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] c = new byte[utf8.remaining() + 1];
        utf8.get(c, 0, c.length - 1);
        Arrays.fill(utf8.array(), (byte) 0);
        return c;
    }

    /** {@code PEM_write_bio_X509} or {@code PEM_write_bio_PrivateKey} (unencrypted). */
    static String write(long object, boolean certificate) {
        long bio = memoryBio();
        try {
            int ok = certificate ? OPENSSL.PEM_write_bio_X509(bio, object)
                    : OPENSSL.PEM_write_bio_PrivateKey(bio, object, 0, 0, 0, 0, 0);
            if (ok != 1) {
                throw OpenSslException.fromErrorQueue(certificate ? "PEM_write_bio_X509 failed"
                        : "PEM_write_bio_PrivateKey failed");
            }
            byte[] bytes = new byte[Math.toIntExact(OPENSSL.BIO_ctrl_pending(bio))];
            if (OPENSSL.BIO_read(bio, bytes, bytes.length) != bytes.length) {
                throw OpenSslException.fromErrorQueue("BIO_read of PEM output failed");
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        } finally {
            OPENSSL.BIO_free(bio);
        }
    }

    private static long memoryBio() {
        long bio = OPENSSL.BIO_new(OPENSSL.BIO_s_mem());
        if (bio == 0) {
            throw OpenSslException.fromErrorQueue("BIO_new(BIO_s_mem()) failed");
        }
        return bio;
    }
}
