package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.SslMacros;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/** PEM text in and out of OpenSSL through memory BIOs. Every native object is freed before return. */
final class Pem {
    private Pem() {}

    /**
     * Loads a certificate chain and its key into a context, as {@code SSL_CTX_use_certificate_chain_file}
     * does but from memory: the first certificate in {@code certificatePem} is the server's own (the
     * leaf, {@code SSL_CTX_use_certificate}); each one after it, in order, joins the chain sent with it
     * ({@code SSL_CTX_add1_chain_cert}). Both calls take their own reference to each {@code X509}, so
     * ours is freed at once, whatever happens. Other PEM blocks (a private key in the same file) are
     * skipped. {@code password} decrypts an encrypted key; null for none.
     *
     * @return the leaf certificate's DER encoding
     */
    static byte[] useCertificateAndKey(long ctx, String certificatePem, String privateKeyPem, char[] password) {
        byte[] der = useCertificateChain(ctx, certificatePem);
        long key = readKey(privateKeyPem, password);
        try {
            if (OPENSSL.SSL_CTX_use_PrivateKey(ctx, key) != 1) {
                throw OpenSslException.fromErrorQueue("SSL_CTX_use_PrivateKey failed: the private key does not match"
                        + " the certificate" + FIRST_IS_THE_LEAF + ", or OpenSSL cannot use it");
            }
        } finally {
            OPENSSL.EVP_PKEY_free(key);
        }
        if (OPENSSL.SSL_CTX_check_private_key(ctx) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_check_private_key failed: the private key does not"
                    + " match the certificate" + FIRST_IS_THE_LEAF);
        }
        return der;
    }

    /**
     * {@code i2d_X509}: the DER encoding of a certificate the caller holds. With {@code *out} NULL,
     * OpenSSL allocates the encoding, which is ours to free ({@code OPENSSL_free}).
     */
    static byte[] der(long x509) {
        long[] out = {0};
        int length = OPENSSL.i2d_X509(x509, out);
        if (length <= 0 || out[0] == 0) {
            throw OpenSslException.fromErrorQueue("i2d_X509 failed");
        }
        try {
            return OPENSSL.bytes(out[0], length);
        } finally {
            OPENSSL.CRYPTO_free(out[0], 0, 0);
        }
    }

    /** SHA-256 of {@code bytes}: certificate fingerprints and session-ID contexts. */
    static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static final String FIRST_IS_THE_LEAF = " (the first one in the certificate PEM, which must be the"
            + " server's own, before its intermediates)";

    /**
     * The leaf, then its intermediates, read one after another from a single memory BIO.
     *
     * @return the leaf's DER encoding
     */
    private static byte[] useCertificateChain(long ctx, String pem) {
        long bio = memoryBio(pem, "certificate");
        try {
            long leaf = readCertificate(bio, pem);
            byte[] der;
            try {
                if (OPENSSL.SSL_CTX_use_certificate(ctx, leaf) != 1) {
                    throw OpenSslException.fromErrorQueue("SSL_CTX_use_certificate failed");
                }
                der = der(leaf);
            } finally {
                OPENSSL.X509_free(leaf);
            }
            for (int position = 2; ; position++) {
                long next = OPENSSL.PEM_read_bio_X509(bio, 0, 0, 0);
                if (next == 0) {
                    endOfChain(position);
                    return der;
                }
                try {
                    if (SslMacros.SSL_CTX_add1_chain_cert(ctx, next) != 1) {
                        throw OpenSslException.fromErrorQueue("SSL_CTX_add1_chain_cert failed for certificate "
                                + position + " of the chain");
                    }
                } finally {
                    OPENSSL.X509_free(next);
                }
            }
        } finally {
            OPENSSL.BIO_free(bio);
        }
    }

    /**
     * After the last certificate PEM_read_bio_X509 fails with PEM_R_NO_START_LINE, which is the end of
     * the chain; any other error is a damaged block, which SSL_CTX_use_certificate_chain_file refuses too.
     */
    private static void endOfChain(int position) {
        long error = OPENSSL.ERR_peek_last_error();
        if (LibCrypto.ERR_GET_LIB(error) == LibCrypto.ERR_LIB_PEM
                && LibCrypto.ERR_GET_REASON(error) == LibCrypto.PEM_R_NO_START_LINE) {
            OPENSSL.ERR_clear_error();
            return;
        }
        throw OpenSslException.fromErrorQueue("PEM_read_bio_X509 failed: certificate " + position
                + " of the chain is damaged");
    }

    private static long readCertificate(long bio, String pem) {
        long x509 = OPENSSL.PEM_read_bio_X509(bio, 0, 0, 0);
        if (x509 == 0) {
            throw OpenSslException.fromErrorQueue("PEM_read_bio_X509 failed: " + whyNoCertificate(pem));
        }
        return x509;
    }

    /** {@code PEM_read_bio_PrivateKey}; the caller frees the result. */
    private static long readKey(String pem, char[] password) {
        if (password == null) {
            // An encrypted key makes OpenSSL ask NO_PASSWORD, an upcall: prove the stack before anything is made.
            StackHeadroom.ensureForACallbackIntoJava();
        }
        long bio = memoryBio(pem, "private key");
        byte[] passwordC = null;
        try {
            passwordC = password == null ? null : cPassword(password); // inside: a refused password frees the BIO
            long result = OPENSSL.PEM_read_bio_PrivateKey(bio, 0, passwordC == null ? NativeCallbacks.NO_PASSWORD : null, passwordC);
            if (result == 0) {
                throw OpenSslException.fromErrorQueue("PEM_read_bio_PrivateKey failed: " + whyNoKey(pem, password != null));
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
            if (pem.contains(PKCS7_BEGIN)) {
                return pkcs7("the certificate PEM", "FILE");
            }
            return pem.contains("PRIVATE KEY-----") ? "the certificate PEM holds a private key, not a certificate"
                    : "the certificate PEM holds no -----BEGIN CERTIFICATE----- block";
        }
        return "the certificate's PEM block is damaged";
    }

    /** A PKCS#7 bundle (a .p7b, as some CAs send a chain): certificates inside, but not as PEM certificates. */
    static final String PKCS7_BEGIN = "-----BEGIN PKCS7-----";

    /** Why {@code what} (holding {@link #PKCS7_BEGIN}) is refused, and the command that converts {@code file}. */
    static String pkcs7(String what, String file) {
        return what + " is PKCS#7 (-----BEGIN PKCS7-----), not PEM certificates; convert it with"
                + " openssl pkcs7 -print_certs -in " + file + " -out chain.pem";
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

    /** A memory BIO holding {@code pem}; refuses empty text, naming {@code what} it should hold. */
    private static long memoryBio(String pem, String what) {
        long bio = memoryBio();
        byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || OPENSSL.BIO_write(bio, bytes, bytes.length) != bytes.length) {
            OPENSSL.BIO_free(bio);
            throw OpenSslException.fromErrorQueue("cannot read an empty PEM " + what);
        }
        return bio;
    }
}
