package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static io.github.ossltickets.ffi.Raw.OPENSSL;



/**
 * A self-signed P-256 certificate made by OpenSSL itself ({@code EVP_PKEY_generate}, {@code X509_sign}
 * with SHA-256), valid from an hour ago for 30 days. For demos and tests; no files are needed.
 */
public final class SelfSignedCertificate {
    private final String certificatePem;
    private final String privateKeyPem;

    private SelfSignedCertificate(String certificatePem, String privateKeyPem) {
        this.certificatePem = certificatePem;
        this.privateKeyPem = privateKeyPem;
    }

    /**
     * Generates a key pair and a certificate whose subject and issuer are {@code CN=commonName}, written
     * as UTF-8 ({@code MBSTRING_UTF8}). The name has 1 to 64 characters and no NUL.
     */
    public static SelfSignedCertificate generate(String commonName) {
        Objects.requireNonNull(commonName, "commonName");
        int characters = commonName.codePointCount(0, commonName.length());
        if (characters < 1 || characters > 64) {
            throw new IllegalArgumentException("a common name has 1 to 64 characters, not " + characters);
        }
        if (commonName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a common name cannot contain a NUL character");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(commonName)) {
            throw new IllegalArgumentException("the common name is not valid Unicode (an unpaired surrogate)");
        }
        OpenSsl.ensureLoaded();
        long key = generateP256Key();
        long x509 = 0;
        try {
            x509 = OPENSSL.X509_new();
            if (x509 == 0) {
                throw OpenSslException.fromErrorQueue("X509_new failed");
            }
            long name = OPENSSL.X509_get_subject_name(x509);
            boolean ok = OPENSSL.X509_set_version(x509, 2) == 1 // v3
                    && OPENSSL.ASN1_INTEGER_set(OPENSSL.X509_get_serialNumber(x509), System.nanoTime() & 0x7fffffffL) == 1
                    && OPENSSL.X509_gmtime_adj(OPENSSL.X509_getm_notBefore(x509), -3600) != 0
                    && OPENSSL.X509_gmtime_adj(OPENSSL.X509_getm_notAfter(x509), 30L * 24 * 3600) != 0
                    && OPENSSL.X509_set_pubkey(x509, key) == 1
                    && OPENSSL.X509_NAME_add_entry_by_txt(name, toC("CN"), LibCrypto.MBSTRING_UTF8, toC(commonName),
                            -1, -1, 0) == 1
                    && OPENSSL.X509_set_issuer_name(x509, name) == 1
                    && OPENSSL.X509_sign(x509, key, OPENSSL.EVP_sha256()) > 0;
            if (!ok) {
                throw OpenSslException.fromErrorQueue("building the self-signed certificate failed");
            }
            return new SelfSignedCertificate(Pem.write(x509, true), Pem.write(key, false));
        } finally {
            OPENSSL.X509_free(x509);
            OPENSSL.EVP_PKEY_free(key);
        }
    }

    private static long generateP256Key() {
        long ctx = OPENSSL.EVP_PKEY_CTX_new_from_name(0, toC("EC"), 0);
        if (ctx == 0) {
            throw OpenSslException.fromErrorQueue("EVP_PKEY_CTX_new_from_name(EC) failed");
        }
        try {
            long[] key = new long[1];
            if (OPENSSL.EVP_PKEY_keygen_init(ctx) != 1
                    || OPENSSL.EVP_PKEY_CTX_set_group_name(ctx, toC("P-256")) != 1
                    || OPENSSL.EVP_PKEY_generate(ctx, key) != 1) {
                throw OpenSslException.fromErrorQueue("generating a P-256 key failed");
            }
            return key[0];
        } finally {
            OPENSSL.EVP_PKEY_CTX_free(ctx);
        }
    }

    /** The certificate, PEM. */
    public String certificatePem() {
        return certificatePem;
    }

    /** The unencrypted PKCS#8 private key, PEM. */
    public String privateKeyPem() {
        return privateKeyPem;
    }

    /** A Java string as a NUL-terminated UTF-8 C string. */
    private static byte[] toC(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_8);
    }
}
