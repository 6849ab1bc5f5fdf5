package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;

import java.nio.charset.StandardCharsets;

/** PEM text in and out of OpenSSL through memory BIOs. Every native object is freed before return. */
final class Pem {
    private Pem() {}

    /** Loads a certificate and its key into a context ({@code SSL_CTX_use_certificate}/{@code _PrivateKey}, which take their own references). */
    static void useCertificateAndKey(long ctx, String certificatePem, String privateKeyPem) {
        long x509 = read(certificatePem, true);
        try {
            if (LibSsl.SSL_CTX_use_certificate(ctx, x509) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_use_certificate failed");
            }
        } finally {
            LibCrypto.X509_free(x509);
        }
        long key = read(privateKeyPem, false);
        try {
            if (LibSsl.SSL_CTX_use_PrivateKey(ctx, key) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_use_PrivateKey failed");
            }
        } finally {
            LibCrypto.EVP_PKEY_free(key);
        }
        if (LibSsl.SSL_CTX_check_private_key(ctx) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_check_private_key failed: the private key does not"
                    + " match the certificate");
        }
    }

    /** {@code PEM_read_bio_X509} or {@code PEM_read_bio_PrivateKey}; the caller frees the result. */
    private static long read(String pem, boolean certificate) {
        long bio = memoryBio();
        try {
            byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0 || LibCrypto.BIO_write(bio, bytes, bytes.length) != bytes.length) {
                throw OpenSslException.fromErrorQueue("cannot read an empty PEM "
                        + (certificate ? "certificate" : "private key"));
            }
            long result = certificate ? LibCrypto.PEM_read_bio_X509(bio, null, null, null)
                    : LibCrypto.PEM_read_bio_PrivateKey(bio, null, null, null);
            if (result == 0) {
                throw OpenSslException.fromErrorQueue(certificate
                        ? "PEM_read_bio_X509 failed: not a PEM certificate"
                        : "PEM_read_bio_PrivateKey failed: not an unencrypted PEM private key");
            }
            return result;
        } finally {
            LibCrypto.BIO_free(bio);
        }
    }

    /** {@code PEM_write_bio_X509} or {@code PEM_write_bio_PrivateKey} (unencrypted). */
    static String write(long object, boolean certificate) {
        long bio = memoryBio();
        try {
            int ok = certificate ? LibCrypto.PEM_write_bio_X509(bio, object)
                    : LibCrypto.PEM_write_bio_PrivateKey(bio, object, null, null, 0, null, null);
            if (ok != 1) {
                throw OpenSslException.fromErrorQueue(certificate ? "PEM_write_bio_X509 failed"
                        : "PEM_write_bio_PrivateKey failed");
            }
            byte[] bytes = new byte[Math.toIntExact(LibCrypto.BIO_ctrl_pending(bio))];
            if (LibCrypto.BIO_read(bio, bytes, bytes.length) != bytes.length) {
                throw OpenSslException.fromErrorQueue("BIO_read of PEM output failed");
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        } finally {
            LibCrypto.BIO_free(bio);
        }
    }

    private static long memoryBio() {
        long bio = LibCrypto.BIO_new(LibCrypto.BIO_s_mem());
        if (bio == 0) {
            throw OpenSslException.fromErrorQueue("BIO_new(BIO_s_mem()) failed");
        }
        return bio;
    }
}
