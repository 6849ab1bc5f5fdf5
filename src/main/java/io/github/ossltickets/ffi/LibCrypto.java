package io.github.ossltickets.ffi;

import com.sun.jna.Pointer;

/**
 * Direct mapping of the {@code libcrypto.so.3} functions the library uses, with their C names.
 * Registered by {@code io.github.ossltickets.OpenSsl}; see the package documentation.
 */
public final class LibCrypto {
    private LibCrypto() {}

    /** The versioned file name bound unless the {@code ossltickets.libcrypto} property names another. */
    public static final String DEFAULT_NAME = "libcrypto.so.3";

    // Constants (crypto.h, asn1.h)
    public static final int CRYPTO_EX_INDEX_SSL_CTX = 1;
    public static final int MBSTRING_UTF8 = 0x1000;

    // Extra data on OpenSSL objects
    /**
     * {@code int CRYPTO_get_ex_new_index(int class_index, long argl, void *argp, CRYPTO_EX_new *new_func,
     * CRYPTO_EX_dup *dup_func, CRYPTO_EX_free *free_func)}: a new index for every object of the class.
     * OpenSSL keeps {@code free_func} for the life of the process.
     */
    public static native int CRYPTO_get_ex_new_index(int class_index, long argl, Pointer argp, Pointer new_func,
            Pointer dup_func, CRYPTO_EX_free free_func);

    // Version
    public static native long OpenSSL_version_num();
    public static native Pointer OpenSSL_version(int type);

    // Error queue (per thread)
    public static native long ERR_get_error();
    public static native void ERR_error_string_n(long e, byte[] buf, long len);
    public static native void ERR_clear_error();

    // BIOs
    public static native long BIO_s_mem();
    public static native long BIO_new(long type);
    public static native int BIO_free(long bio);
    public static native int BIO_write(long bio, byte[] data, int dlen);
    public static native int BIO_read(long bio, byte[] data, int dlen);
    public static native long BIO_ctrl_pending(long bio);
    /** {@code uint64_t BIO_number_read(BIO *bio)}: bytes read through this BIO so far. */
    public static native long BIO_number_read(long bio);
    /** {@code uint64_t BIO_number_written(BIO *bio)}: bytes written through this BIO so far. */
    public static native long BIO_number_written(long bio);
    /** {@code int BIO_new_bio_pair(BIO **bio1, size_t writebuf1, BIO **bio2, size_t writebuf2)} */
    public static native int BIO_new_bio_pair(long[] bio1, long writebuf1, long[] bio2, long writebuf2);

    // PEM
    public static native long PEM_read_bio_X509(long bio, Pointer x, Pointer cb, Pointer u);
    /**
     * {@code EVP_PKEY *PEM_read_bio_PrivateKey(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u)}: with
     * {@code cb} NULL and {@code u} a NUL-terminated string, {@code u} is the password; with both NULL,
     * OpenSSL prompts on the terminal, so never pass both NULL.
     */
    public static native long PEM_read_bio_PrivateKey(long bio, Pointer x, pem_password_cb cb, byte[] u);
    public static native int PEM_write_bio_X509(long bio, long x509);
    public static native int PEM_write_bio_PrivateKey(long bio, long pkey, Pointer enc, Pointer kstr,
            int klen, Pointer cb, Pointer u);

    // Keys and certificates (for the self-signed demo certificate)
    public static native long EVP_PKEY_CTX_new_from_name(Pointer libctx, byte[] name, Pointer propquery);
    public static native int EVP_PKEY_keygen_init(long ctx);
    public static native int EVP_PKEY_CTX_set_group_name(long ctx, byte[] name);
    public static native int EVP_PKEY_generate(long ctx, long[] ppkey);
    public static native void EVP_PKEY_CTX_free(long ctx);
    public static native void EVP_PKEY_free(long pkey);
    public static native long X509_new();
    public static native void X509_free(long x509);
    public static native int X509_set_version(long x509, long version);
    public static native long X509_get_serialNumber(long x509);
    public static native int ASN1_INTEGER_set(long a, long v);
    public static native long X509_getm_notBefore(long x509);
    public static native long X509_getm_notAfter(long x509);
    public static native long X509_gmtime_adj(long asn1Time, long adjSeconds);
    public static native int X509_set_pubkey(long x509, long pkey);
    public static native long X509_get_subject_name(long x509);
    public static native int X509_NAME_add_entry_by_txt(long name, byte[] field, int type, byte[] bytes,
            int len, int loc, int set);
    public static native int X509_set_issuer_name(long x509, long name);
    public static native int X509_sign(long x509, long pkey, long md);
    public static native long EVP_sha256();

    // Ticket key callback material
    public static native long EVP_aes_128_cbc();
    public static native long EVP_aes_256_cbc();
    public static native int EVP_CipherInit_ex(long ctx, long cipher, Pointer impl, byte[] key, Pointer iv, int enc);
    public static native int EVP_MAC_init(long ctx, byte[] key, long keylen, long params);
    /** Deprecated in 3.0; used only by the port of OpenSSL's test for the legacy ticket key callback. */
    public static native int HMAC_Init_ex(long ctx, byte[] key, int len, long md, Pointer impl);
    public static native int RAND_bytes(byte[] buf, int num);
    public static native long OSSL_PARAM_BLD_new();
    public static native int OSSL_PARAM_BLD_push_utf8_string(long bld, Pointer key, Pointer buf, long bsize);
    public static native long OSSL_PARAM_BLD_to_param(long bld);
    public static native void OSSL_PARAM_BLD_free(long bld);
}
