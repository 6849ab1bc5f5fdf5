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
    public static final int CRYPTO_EX_INDEX_SSL = 0;
    public static final int MBSTRING_UTF8 = 0x1000;
    public static final int BIO_C_SHUTDOWN_WR = 142;

    // Extra data on OpenSSL objects
    /**
     * {@code int CRYPTO_get_ex_new_index(int class_index, long argl, void *argp, CRYPTO_EX_new *new_func, CRYPTO_EX_dup *dup_func, CRYPTO_EX_free *free_func)}:
     * a new ex_data index for every object of the class; OpenSSL keeps free_func for the life of the process.
     */
    public static native int CRYPTO_get_ex_new_index(int class_index, long argl, Pointer argp, Pointer new_func,
            Pointer dup_func, CRYPTO_EX_free free_func);

    /**
     * {@code void CRYPTO_free(void *ptr, const char *file, int line)}: what the OPENSSL_free macro calls;
     * frees memory OpenSSL allocated and handed over (get1).
     */
    public static native void CRYPTO_free(long ptr, Pointer file, int line);

    // Version
    /** {@code unsigned long OpenSSL_version_num(void)}: such as 0x30000130 for 3.0.19. */
    public static native long OpenSSL_version_num();
    /** {@code const char *OpenSSL_version(int type)}: a static string: never freed. */
    public static native Pointer OpenSSL_version(int type);

    // Error queue (per thread)
    /**
     * {@code unsigned long ERR_get_error(void)}:
     * removes and returns the oldest error of this thread's queue; 0 when empty.
     */
    public static native long ERR_get_error();
    /**
     * {@code void ERR_error_string_n(unsigned long e, char *buf, size_t len)}:
     * writes at most len bytes, NUL included.
     */
    public static native void ERR_error_string_n(long e, byte[] buf, long len);
    /** {@code void ERR_clear_error(void)}: empties this thread's error queue. */
    public static native void ERR_clear_error();
    /** {@code unsigned long ERR_peek_last_error(void)}: the newest error of this thread's queue, left in it; 0 when empty. */
    public static native long ERR_peek_last_error();
    /** {@code ERR_LIB_PEM} (err.h), the library of PEM errors. */
    public static final int ERR_LIB_PEM = 9;
    /** {@code PEM_R_NO_START_LINE} (pemerr.h): no further PEM block of the kind asked for; the end of a chain. */
    public static final int PEM_R_NO_START_LINE = 108;

    /** {@code ERR_GET_LIB(e)}, an inline function in err.h: the library field, or {@code ERR_LIB_SYS} (2) for a system error. */
    public static int ERR_GET_LIB(long e) {
        return (e & ERR_SYSTEM_FLAG) != 0 ? 2 : (int) ((e >>> 23) & 0xFF);
    }

    /** {@code ERR_GET_REASON(e)}, an inline function in err.h: the reason field. */
    public static int ERR_GET_REASON(long e) {
        return (e & ERR_SYSTEM_FLAG) != 0 ? (int) (e & 0x7FFFFFFF) : (int) (e & 0x7FFFFF);
    }

    /** {@code ERR_SYSTEM_FLAG} (err.h): set in the codes of system errors. */
    private static final long ERR_SYSTEM_FLAG = 1L << 31;

    // BIOs
    /** {@code const BIO_METHOD *BIO_s_mem(void)}: static: never freed. */
    public static native long BIO_s_mem();
    /** {@code BIO *BIO_new(const BIO_METHOD *type)}: owned: BIO_free. */
    public static native long BIO_new(long type);
    /** {@code int BIO_free(BIO *a)}. */
    public static native int BIO_free(long bio);
    /** {@code int BIO_write(BIO *b, const void *data, int dlen)}: copies data. */
    public static native int BIO_write(long bio, byte[] data, int dlen);
    /** {@code int BIO_read(BIO *b, void *data, int dlen)}. */
    public static native int BIO_read(long bio, byte[] data, int dlen);
    /**
     * {@code int BIO_write(BIO *b, const void *data, int dlen)} from native memory (a direct buffer's
     * address): JNA copies a Java array whole on every call, this copies nothing.
     */
    public static native int BIO_write(long bio, long data, int dlen);
    /** {@code int BIO_read(BIO *b, void *data, int dlen)} into native memory (a direct buffer's address). */
    public static native int BIO_read(long bio, long data, int dlen);
    /** {@code long BIO_ctrl(BIO *bp, int cmd, long larg, void *parg)}: behind the BIO_ macros (SslMacros). */
    public static native long BIO_ctrl(long bio, int cmd, long larg, Pointer parg);
    /** {@code size_t BIO_ctrl_get_write_guarantee(BIO *b)}: how many bytes a BIO_write now takes in full. */
    public static native long BIO_ctrl_get_write_guarantee(long bio);
    /** {@code size_t BIO_ctrl_pending(BIO *b)}: bytes waiting to be read. */
    public static native long BIO_ctrl_pending(long bio);
    /** {@code uint64_t BIO_number_read(BIO *bio)}: bytes read through this BIO so far. */
    public static native long BIO_number_read(long bio);
    /** {@code uint64_t BIO_number_written(BIO *bio)}: bytes written through this BIO so far. */
    public static native long BIO_number_written(long bio);
    /**
     * {@code int BIO_new_bio_pair(BIO **bio1, size_t writebuf1, BIO **bio2, size_t writebuf2)}:
     * two owned BIOs joined to each other; 0 = default buffer size.
     */
    public static native int BIO_new_bio_pair(long[] bio1, long writebuf1, long[] bio2, long writebuf2);

    // PEM
    /** {@code X509 *PEM_read_bio_X509(BIO *bp, X509 **x, pem_password_cb *cb, void *u)}: owned: X509_free. */
    public static native long PEM_read_bio_X509(long bio, Pointer x, Pointer cb, Pointer u);
    /**
     * {@code EVP_PKEY *PEM_read_bio_PrivateKey(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u)}:
     * owned: EVP_PKEY_free. With cb NULL and u a NUL-terminated string, u is the password; with both NULL OpenSSL prompts on the terminal, so never pass both NULL.
     */
    public static native long PEM_read_bio_PrivateKey(long bio, Pointer x, pem_password_cb cb, byte[] u);
    /** {@code int PEM_write_bio_X509(BIO *bp, const X509 *x)}. */
    public static native int PEM_write_bio_X509(long bio, long x509);
    /**
     * {@code int PEM_write_bio_PrivateKey(BIO *bp, const EVP_PKEY *x, const EVP_CIPHER *enc, const unsigned char *kstr, int klen, pem_password_cb *cb, void *u)}:
     * enc NULL writes it unencrypted.
     */
    public static native int PEM_write_bio_PrivateKey(long bio, long pkey, Pointer enc, Pointer kstr,
            int klen, Pointer cb, Pointer u);

    // Keys and certificates (for the self-signed demo certificate)
    /**
     * {@code EVP_PKEY_CTX *EVP_PKEY_CTX_new_from_name(OSSL_LIB_CTX *libctx, const char *name, const char *propquery)}:
     * owned: EVP_PKEY_CTX_free.
     */
    public static native long EVP_PKEY_CTX_new_from_name(Pointer libctx, byte[] name, Pointer propquery);
    /** {@code int EVP_PKEY_keygen_init(EVP_PKEY_CTX *ctx)}. */
    public static native int EVP_PKEY_keygen_init(long ctx);
    /** {@code int EVP_PKEY_CTX_set_group_name(EVP_PKEY_CTX *ctx, const char *name)}. */
    public static native int EVP_PKEY_CTX_set_group_name(long ctx, byte[] name);
    /** {@code int EVP_PKEY_generate(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey)}: *ppkey is owned: EVP_PKEY_free. */
    public static native int EVP_PKEY_generate(long ctx, long[] ppkey);
    /** {@code void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx)}. */
    public static native void EVP_PKEY_CTX_free(long ctx);
    /** {@code void EVP_PKEY_free(EVP_PKEY *pkey)}: drops one reference; NULL is a no-op. */
    public static native void EVP_PKEY_free(long pkey);
    /** {@code X509 *X509_new(void)}: owned: X509_free. */
    public static native long X509_new();
    /**
     * {@code int i2d_X509(const X509 *a, unsigned char **out)}: the DER encoding; with out NULL the length
     * only; otherwise writes at *out and advances it.
     */
    public static native int i2d_X509(long x509, long[] out);
    /** {@code void X509_free(X509 *a)}: drops one reference; NULL is a no-op. */
    public static native void X509_free(long x509);
    /** {@code int X509_set_version(X509 *x, long version)}: 2 means v3. */
    public static native int X509_set_version(long x509, long version);
    /** {@code ASN1_INTEGER *X509_get_serialNumber(X509 *x)}: borrowed: the certificate's own field. */
    public static native long X509_get_serialNumber(long x509);
    /** {@code int ASN1_INTEGER_set(ASN1_INTEGER *a, long v)}. */
    public static native int ASN1_INTEGER_set(long a, long v);
    /** {@code ASN1_TIME *X509_getm_notBefore(const X509 *x)}: borrowed, mutable: the certificate's own field. */
    public static native long X509_getm_notBefore(long x509);
    /** {@code ASN1_TIME *X509_getm_notAfter(const X509 *x)}: borrowed, mutable: the certificate's own field. */
    public static native long X509_getm_notAfter(long x509);
    /**
     * {@code ASN1_TIME *X509_gmtime_adj(ASN1_TIME *s, long adj)}:
     * sets s to now + adj seconds and returns it; NULL on failure.
     */
    public static native long X509_gmtime_adj(long asn1Time, long adjSeconds);
    /** {@code int X509_set_pubkey(X509 *x, EVP_PKEY *pkey)}: takes its own reference to pkey. */
    public static native int X509_set_pubkey(long x509, long pkey);
    /** {@code X509_NAME *X509_get_subject_name(const X509 *a)}: borrowed: the certificate's own field. */
    public static native long X509_get_subject_name(long x509);
    /**
     * {@code int X509_NAME_add_entry_by_txt(X509_NAME *name, const char *field, int type, const unsigned char *bytes, int len, int loc, int set)}:
     * copies bytes; len -1 means NUL-terminated.
     */
    public static native int X509_NAME_add_entry_by_txt(long name, byte[] field, int type, byte[] bytes,
            int len, int loc, int set);
    /** {@code int X509_set_issuer_name(X509 *x, const X509_NAME *name)}: copies name. */
    public static native int X509_set_issuer_name(long x509, long name);
    /** {@code int X509_sign(X509 *x, EVP_PKEY *pkey, const EVP_MD *md)}: the signature size, 0 on failure. */
    public static native int X509_sign(long x509, long pkey, long md);
    /** {@code const EVP_MD *EVP_sha256(void)}: static: never freed. */
    public static native long EVP_sha256();

    // Ticket key callback material
    /** {@code const EVP_CIPHER *EVP_aes_128_cbc(void)}: static: never freed. */
    public static native long EVP_aes_128_cbc();
    /** {@code const EVP_CIPHER *EVP_aes_256_cbc(void)}: static: never freed. */
    public static native long EVP_aes_256_cbc();
    /**
     * {@code int EVP_CipherInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl, const unsigned char *key, const unsigned char *iv, int enc)}:
     * copies key and iv.
     */
    public static native int EVP_CipherInit_ex(long ctx, long cipher, Pointer impl, byte[] key, Pointer iv, int enc);
    /**
     * {@code int EVP_MAC_init(EVP_MAC_CTX *ctx, const unsigned char *key, size_t keylen, const OSSL_PARAM params[])}:
     * copies key.
     */
    public static native int EVP_MAC_init(long ctx, byte[] key, long keylen, long params);
    /** {@code int RAND_bytes(unsigned char *buf, int num)}: 1 on success. */
    public static native int RAND_bytes(byte[] buf, int num);
    /** {@code OSSL_PARAM_BLD *OSSL_PARAM_BLD_new(void)}: owned: OSSL_PARAM_BLD_free. */
    public static native long OSSL_PARAM_BLD_new();
    /**
     * {@code int OSSL_PARAM_BLD_push_utf8_string(OSSL_PARAM_BLD *bld, const char *key, const char *buf, size_t bsize)}:
     * keeps the key pointer, not a copy; copies buf.
     */
    public static native int OSSL_PARAM_BLD_push_utf8_string(long bld, Pointer key, Pointer buf, long bsize);
    /** {@code OSSL_PARAM *OSSL_PARAM_BLD_to_param(OSSL_PARAM_BLD *bld)}: owned: OSSL_PARAM_free. */
    public static native long OSSL_PARAM_BLD_to_param(long bld);
    /** {@code void OSSL_PARAM_BLD_free(OSSL_PARAM_BLD *bld)}. */
    public static native void OSSL_PARAM_BLD_free(long bld);
}
