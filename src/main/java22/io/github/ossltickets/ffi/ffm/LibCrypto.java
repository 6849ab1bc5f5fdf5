package io.github.ossltickets.ffi.ffm;

import io.github.ossltickets.ffi.CRYPTO_EX_free;
import io.github.ossltickets.ffi.pem_password_cb;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.github.ossltickets.ffi.ffm.Downcalls.CALLS_BACK;
import static io.github.ossltickets.ffi.ffm.Downcalls.LEAF;
import static io.github.ossltickets.ffi.ffm.Downcalls.LEAF_WITH_ARRAYS;
import static io.github.ossltickets.ffi.ffm.Downcalls.heap;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The FFM translation of {@link io.github.ossltickets.ffi.LibCrypto}: the same functions, names and
 * comments, each a downcall handle from the {@code Linker}. C pointers are {@code long} addresses;
 * a Java array is passed in place to a critical call ({@code LEAF_WITH_ARRAYS}); a callback object
 * becomes an upcall stub ({@link Upcalls}). Downcalls that may run Java, ours or another library's
 * ({@code CALLS_BACK}), are normal calls; the rest are critical ({@code LEAF}): OpenSSL never calls
 * back from them and they return quickly. Constants stay in the JNA class, which both backends share.
 */
public final class LibCrypto {
    private LibCrypto() {}

    private static final MethodHandle CRYPTO_get_ex_new_index = Downcalls.crypto("CRYPTO_get_ex_new_index", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle OpenSSL_version_num = Downcalls.crypto("OpenSSL_version_num", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle OpenSSL_version = Downcalls.crypto("OpenSSL_version", FunctionDescriptor.of(JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle ERR_get_error = Downcalls.crypto("ERR_get_error", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle ERR_error_string_n = Downcalls.crypto("ERR_error_string_n", FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, JAVA_LONG), LEAF_WITH_ARRAYS);
    private static final MethodHandle ERR_clear_error = Downcalls.crypto("ERR_clear_error", FunctionDescriptor.ofVoid(), LEAF);
    private static final MethodHandle BIO_s_mem = Downcalls.crypto("BIO_s_mem", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle BIO_new = Downcalls.crypto("BIO_new", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle BIO_free = Downcalls.crypto("BIO_free", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle BIO_write = Downcalls.crypto("BIO_write", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT), LEAF_WITH_ARRAYS);
    private static final MethodHandle BIO_read = Downcalls.crypto("BIO_read", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT), LEAF_WITH_ARRAYS);
    private static final MethodHandle BIO_ctrl = Downcalls.crypto("BIO_ctrl", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle BIO_ctrl_get_write_guarantee = Downcalls.crypto("BIO_ctrl_get_write_guarantee", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle BIO_ctrl_pending = Downcalls.crypto("BIO_ctrl_pending", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle BIO_number_read = Downcalls.crypto("BIO_number_read", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle BIO_number_written = Downcalls.crypto("BIO_number_written", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle BIO_new_bio_pair = Downcalls.crypto("BIO_new_bio_pair", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG), LEAF_WITH_ARRAYS);
    private static final MethodHandle PEM_read_bio_X509 = Downcalls.crypto("PEM_read_bio_X509", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle PEM_read_bio_PrivateKey = Downcalls.crypto("PEM_read_bio_PrivateKey", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), CALLS_BACK);
    private static final MethodHandle PEM_write_bio_X509 = Downcalls.crypto("PEM_write_bio_X509", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle PEM_write_bio_PrivateKey = Downcalls.crypto("PEM_write_bio_PrivateKey", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle EVP_PKEY_CTX_new_from_name = Downcalls.crypto("EVP_PKEY_CTX_new_from_name", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), LEAF_WITH_ARRAYS);
    private static final MethodHandle EVP_PKEY_keygen_init = Downcalls.crypto("EVP_PKEY_keygen_init", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), LEAF);
    private static final MethodHandle EVP_PKEY_CTX_set_group_name = Downcalls.crypto("EVP_PKEY_CTX_set_group_name", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle EVP_PKEY_generate = Downcalls.crypto("EVP_PKEY_generate", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), LEAF_WITH_ARRAYS);
    private static final MethodHandle EVP_PKEY_CTX_free = Downcalls.crypto("EVP_PKEY_CTX_free", FunctionDescriptor.ofVoid(JAVA_LONG), LEAF);
    private static final MethodHandle EVP_PKEY_free = Downcalls.crypto("EVP_PKEY_free", FunctionDescriptor.ofVoid(JAVA_LONG), LEAF);
    private static final MethodHandle X509_new = Downcalls.crypto("X509_new", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle X509_free = Downcalls.crypto("X509_free", FunctionDescriptor.ofVoid(JAVA_LONG), LEAF);
    private static final MethodHandle X509_set_version = Downcalls.crypto("X509_set_version", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_get_serialNumber = Downcalls.crypto("X509_get_serialNumber", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle ASN1_INTEGER_set = Downcalls.crypto("ASN1_INTEGER_set", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_getm_notBefore = Downcalls.crypto("X509_getm_notBefore", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_getm_notAfter = Downcalls.crypto("X509_getm_notAfter", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_gmtime_adj = Downcalls.crypto("X509_gmtime_adj", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_set_pubkey = Downcalls.crypto("X509_set_pubkey", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_get_subject_name = Downcalls.crypto("X509_get_subject_name", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_NAME_add_entry_by_txt = Downcalls.crypto("X509_NAME_add_entry_by_txt", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT), LEAF_WITH_ARRAYS);
    private static final MethodHandle X509_set_issuer_name = Downcalls.crypto("X509_set_issuer_name", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle X509_sign = Downcalls.crypto("X509_sign", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), CALLS_BACK);
    private static final MethodHandle EVP_sha256 = Downcalls.crypto("EVP_sha256", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle EVP_aes_128_cbc = Downcalls.crypto("EVP_aes_128_cbc", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle EVP_aes_256_cbc = Downcalls.crypto("EVP_aes_256_cbc", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle EVP_CipherInit_ex = Downcalls.crypto("EVP_CipherInit_ex", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT), LEAF_WITH_ARRAYS);
    private static final MethodHandle EVP_MAC_init = Downcalls.crypto("EVP_MAC_init", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG), LEAF_WITH_ARRAYS);
    private static final MethodHandle RAND_bytes = Downcalls.crypto("RAND_bytes", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), LEAF_WITH_ARRAYS);
    private static final MethodHandle OSSL_PARAM_BLD_new = Downcalls.crypto("OSSL_PARAM_BLD_new", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle OSSL_PARAM_BLD_push_utf8_string = Downcalls.crypto("OSSL_PARAM_BLD_push_utf8_string", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle OSSL_PARAM_BLD_to_param = Downcalls.crypto("OSSL_PARAM_BLD_to_param", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), LEAF);
    private static final MethodHandle OSSL_PARAM_BLD_free = Downcalls.crypto("OSSL_PARAM_BLD_free", FunctionDescriptor.ofVoid(JAVA_LONG), LEAF);
    private static final MethodHandle CRYPTO_free = Downcalls.crypto("CRYPTO_free", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle ERR_peek_last_error = Downcalls.crypto("ERR_peek_last_error", FunctionDescriptor.of(JAVA_LONG), LEAF);
    private static final MethodHandle BIO_write_native = Downcalls.crypto("BIO_write", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle BIO_read_native = Downcalls.crypto("BIO_read", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), LEAF);
    private static final MethodHandle i2d_X509 = Downcalls.crypto("i2d_X509", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), LEAF_WITH_ARRAYS);

    /**
     * {@code int CRYPTO_get_ex_new_index(int class_index, long argl, void *argp, CRYPTO_EX_new *new_func, CRYPTO_EX_dup *dup_func, CRYPTO_EX_free *free_func)}:
     * a new ex_data index for every object of the class; OpenSSL keeps free_func for the life of the process.
     */
    public static int CRYPTO_get_ex_new_index(int class_index, long argl, long argp, long new_func, long dup_func, CRYPTO_EX_free free_func) {
        try {
            return (int) CRYPTO_get_ex_new_index.invokeExact(class_index, argl, argp, new_func, dup_func, Upcalls.pointer(free_func));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("CRYPTO_get_ex_new_index", failure);
        }
    }

    /** {@code unsigned long OpenSSL_version_num(void)}: such as 0x30000130 for 3.0.19. */
    public static long OpenSSL_version_num() {
        try {
            return (long) OpenSSL_version_num.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("OpenSSL_version_num", failure);
        }
    }

    /** {@code const char *OpenSSL_version(int type)}: a static string: never freed. */
    public static long OpenSSL_version(int type) {
        try {
            return (long) OpenSSL_version.invokeExact(type);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("OpenSSL_version", failure);
        }
    }

    /**
     * {@code unsigned long ERR_get_error(void)}:
     * removes and returns the oldest error of this thread's queue; 0 when empty.
     */
    public static long ERR_get_error() {
        try {
            return (long) ERR_get_error.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("ERR_get_error", failure);
        }
    }

    /**
     * {@code void ERR_error_string_n(unsigned long e, char *buf, size_t len)}:
     * writes at most len bytes, NUL included.
     */
    public static void ERR_error_string_n(long e, byte[] buf, long len) {
        try {
            ERR_error_string_n.invokeExact(e, heap(buf), len);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("ERR_error_string_n", failure);
        }
    }

    /** {@code void ERR_clear_error(void)}: empties this thread's error queue. */
    public static void ERR_clear_error() {
        try {
            ERR_clear_error.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("ERR_clear_error", failure);
        }
    }

    /** {@code const BIO_METHOD *BIO_s_mem(void)}: static: never freed. */
    public static long BIO_s_mem() {
        try {
            return (long) BIO_s_mem.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_s_mem", failure);
        }
    }

    /** {@code BIO *BIO_new(const BIO_METHOD *type)}: owned: BIO_free. */
    public static long BIO_new(long type) {
        try {
            return (long) BIO_new.invokeExact(type);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_new", failure);
        }
    }

    /** {@code int BIO_free(BIO *a)}. */
    public static int BIO_free(long bio) {
        try {
            return (int) BIO_free.invokeExact(bio);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_free", failure);
        }
    }

    /** {@code int BIO_write(BIO *b, const void *data, int dlen)}: copies data. */
    public static int BIO_write(long bio, byte[] data, int dlen) {
        try {
            return (int) BIO_write.invokeExact(bio, heap(data), dlen);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_write", failure);
        }
    }

    /** {@code int BIO_read(BIO *b, void *data, int dlen)}. */
    public static int BIO_read(long bio, byte[] data, int dlen) {
        try {
            return (int) BIO_read.invokeExact(bio, heap(data), dlen);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_read", failure);
        }
    }

    /** {@code long BIO_ctrl(BIO *bp, int cmd, long larg, void *parg)}: behind the BIO_ macros (SslMacros). */
    public static long BIO_ctrl(long bio, int cmd, long larg, long parg) {
        try {
            return (long) BIO_ctrl.invokeExact(bio, cmd, larg, parg);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_ctrl", failure);
        }
    }

    /** {@code size_t BIO_ctrl_get_write_guarantee(BIO *b)}: how many bytes a BIO_write now takes in full. */
    public static long BIO_ctrl_get_write_guarantee(long bio) {
        try {
            return (long) BIO_ctrl_get_write_guarantee.invokeExact(bio);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_ctrl_get_write_guarantee", failure);
        }
    }

    /** {@code size_t BIO_ctrl_pending(BIO *b)}: bytes waiting to be read. */
    public static long BIO_ctrl_pending(long bio) {
        try {
            return (long) BIO_ctrl_pending.invokeExact(bio);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_ctrl_pending", failure);
        }
    }

    /** {@code uint64_t BIO_number_read(BIO *bio)}: bytes read through this BIO so far. */
    public static long BIO_number_read(long bio) {
        try {
            return (long) BIO_number_read.invokeExact(bio);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_number_read", failure);
        }
    }

    /** {@code uint64_t BIO_number_written(BIO *bio)}: bytes written through this BIO so far. */
    public static long BIO_number_written(long bio) {
        try {
            return (long) BIO_number_written.invokeExact(bio);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_number_written", failure);
        }
    }

    /**
     * {@code int BIO_new_bio_pair(BIO **bio1, size_t writebuf1, BIO **bio2, size_t writebuf2)}:
     * two owned BIOs joined to each other; 0 = default buffer size.
     */
    public static int BIO_new_bio_pair(long[] bio1, long writebuf1, long[] bio2, long writebuf2) {
        try {
            return (int) BIO_new_bio_pair.invokeExact(heap(bio1), writebuf1, heap(bio2), writebuf2);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_new_bio_pair", failure);
        }
    }

    /** {@code X509 *PEM_read_bio_X509(BIO *bp, X509 **x, pem_password_cb *cb, void *u)}: owned: X509_free. */
    public static long PEM_read_bio_X509(long bio, long x, long cb, long u) {
        try {
            return (long) PEM_read_bio_X509.invokeExact(bio, x, cb, u);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("PEM_read_bio_X509", failure);
        }
    }

    /**
     * {@code EVP_PKEY *PEM_read_bio_PrivateKey(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u)}:
     * owned: EVP_PKEY_free. With cb NULL and u a NUL-terminated string, u is the password; with both NULL OpenSSL prompts on the terminal, so never pass both NULL.
     * It may call cb, so it is not critical: u is copied to native memory, and zeroed there after the call.
     */
    public static long PEM_read_bio_PrivateKey(long bio, long x, pem_password_cb cb, byte[] u) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment password = u == null ? MemorySegment.NULL : call.allocateFrom(JAVA_BYTE, u);
            try {
                return (long) PEM_read_bio_PrivateKey.invokeExact(bio, x, Upcalls.pointer(cb), password);
            } finally {
                password.fill((byte) 0);
            }
        } catch (Throwable failure) {
            throw Downcalls.unexpected("PEM_read_bio_PrivateKey", failure);
        }
    }

    /** {@code int PEM_write_bio_X509(BIO *bp, const X509 *x)}. */
    public static int PEM_write_bio_X509(long bio, long x509) {
        try {
            return (int) PEM_write_bio_X509.invokeExact(bio, x509);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("PEM_write_bio_X509", failure);
        }
    }

    /**
     * {@code int PEM_write_bio_PrivateKey(BIO *bp, const EVP_PKEY *x, const EVP_CIPHER *enc, const unsigned char *kstr, int klen, pem_password_cb *cb, void *u)}:
     * enc NULL writes it unencrypted.
     */
    public static int PEM_write_bio_PrivateKey(long bio, long pkey, long enc, long kstr, int klen, long cb, long u) {
        try {
            return (int) PEM_write_bio_PrivateKey.invokeExact(bio, pkey, enc, kstr, klen, cb, u);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("PEM_write_bio_PrivateKey", failure);
        }
    }

    /**
     * {@code EVP_PKEY_CTX *EVP_PKEY_CTX_new_from_name(OSSL_LIB_CTX *libctx, const char *name, const char *propquery)}:
     * owned: EVP_PKEY_CTX_free.
     */
    public static long EVP_PKEY_CTX_new_from_name(long libctx, byte[] name, long propquery) {
        try {
            return (long) EVP_PKEY_CTX_new_from_name.invokeExact(libctx, heap(name), propquery);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_PKEY_CTX_new_from_name", failure);
        }
    }

    /** {@code int EVP_PKEY_keygen_init(EVP_PKEY_CTX *ctx)}. */
    public static int EVP_PKEY_keygen_init(long ctx) {
        try {
            return (int) EVP_PKEY_keygen_init.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_PKEY_keygen_init", failure);
        }
    }

    /** {@code int EVP_PKEY_CTX_set_group_name(EVP_PKEY_CTX *ctx, const char *name)}. */
    public static int EVP_PKEY_CTX_set_group_name(long ctx, byte[] name) {
        try {
            return (int) EVP_PKEY_CTX_set_group_name.invokeExact(ctx, heap(name));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_PKEY_CTX_set_group_name", failure);
        }
    }

    /** {@code int EVP_PKEY_generate(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey)}: *ppkey is owned: EVP_PKEY_free. */
    public static int EVP_PKEY_generate(long ctx, long[] ppkey) {
        try {
            return (int) EVP_PKEY_generate.invokeExact(ctx, heap(ppkey));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_PKEY_generate", failure);
        }
    }

    /** {@code void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx)}. */
    public static void EVP_PKEY_CTX_free(long ctx) {
        try {
            EVP_PKEY_CTX_free.invokeExact(ctx);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_PKEY_CTX_free", failure);
        }
    }

    /** {@code void EVP_PKEY_free(EVP_PKEY *pkey)}: drops one reference; NULL is a no-op. */
    public static void EVP_PKEY_free(long pkey) {
        try {
            EVP_PKEY_free.invokeExact(pkey);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_PKEY_free", failure);
        }
    }

    /** {@code X509 *X509_new(void)}: owned: X509_free. */
    public static long X509_new() {
        try {
            return (long) X509_new.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_new", failure);
        }
    }

    /** {@code void X509_free(X509 *a)}: drops one reference; NULL is a no-op. */
    public static void X509_free(long x509) {
        try {
            X509_free.invokeExact(x509);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_free", failure);
        }
    }

    /** {@code int X509_set_version(X509 *x, long version)}: 2 means v3. */
    public static int X509_set_version(long x509, long version) {
        try {
            return (int) X509_set_version.invokeExact(x509, version);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_set_version", failure);
        }
    }

    /** {@code ASN1_INTEGER *X509_get_serialNumber(X509 *x)}: borrowed: the certificate's own field. */
    public static long X509_get_serialNumber(long x509) {
        try {
            return (long) X509_get_serialNumber.invokeExact(x509);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_get_serialNumber", failure);
        }
    }

    /** {@code int ASN1_INTEGER_set(ASN1_INTEGER *a, long v)}. */
    public static int ASN1_INTEGER_set(long a, long v) {
        try {
            return (int) ASN1_INTEGER_set.invokeExact(a, v);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("ASN1_INTEGER_set", failure);
        }
    }

    /** {@code ASN1_TIME *X509_getm_notBefore(const X509 *x)}: borrowed, mutable: the certificate's own field. */
    public static long X509_getm_notBefore(long x509) {
        try {
            return (long) X509_getm_notBefore.invokeExact(x509);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_getm_notBefore", failure);
        }
    }

    /** {@code ASN1_TIME *X509_getm_notAfter(const X509 *x)}: borrowed, mutable: the certificate's own field. */
    public static long X509_getm_notAfter(long x509) {
        try {
            return (long) X509_getm_notAfter.invokeExact(x509);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_getm_notAfter", failure);
        }
    }

    /**
     * {@code ASN1_TIME *X509_gmtime_adj(ASN1_TIME *s, long adj)}:
     * sets s to now + adj seconds and returns it; NULL on failure.
     */
    public static long X509_gmtime_adj(long asn1Time, long adjSeconds) {
        try {
            return (long) X509_gmtime_adj.invokeExact(asn1Time, adjSeconds);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_gmtime_adj", failure);
        }
    }

    /** {@code int X509_set_pubkey(X509 *x, EVP_PKEY *pkey)}: takes its own reference to pkey. */
    public static int X509_set_pubkey(long x509, long pkey) {
        try {
            return (int) X509_set_pubkey.invokeExact(x509, pkey);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_set_pubkey", failure);
        }
    }

    /** {@code X509_NAME *X509_get_subject_name(const X509 *a)}: borrowed: the certificate's own field. */
    public static long X509_get_subject_name(long x509) {
        try {
            return (long) X509_get_subject_name.invokeExact(x509);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_get_subject_name", failure);
        }
    }

    /**
     * {@code int X509_NAME_add_entry_by_txt(X509_NAME *name, const char *field, int type, const unsigned char *bytes, int len, int loc, int set)}:
     * copies bytes; len -1 means NUL-terminated.
     */
    public static int X509_NAME_add_entry_by_txt(long name, byte[] field, int type, byte[] bytes, int len, int loc, int set) {
        try {
            return (int) X509_NAME_add_entry_by_txt.invokeExact(name, heap(field), type, heap(bytes), len, loc, set);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_NAME_add_entry_by_txt", failure);
        }
    }

    /** {@code int X509_set_issuer_name(X509 *x, const X509_NAME *name)}: copies name. */
    public static int X509_set_issuer_name(long x509, long name) {
        try {
            return (int) X509_set_issuer_name.invokeExact(x509, name);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_set_issuer_name", failure);
        }
    }

    /** {@code int X509_sign(X509 *x, EVP_PKEY *pkey, const EVP_MD *md)}: the signature size, 0 on failure. */
    public static int X509_sign(long x509, long pkey, long md) {
        try {
            return (int) X509_sign.invokeExact(x509, pkey, md);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("X509_sign", failure);
        }
    }

    /** {@code const EVP_MD *EVP_sha256(void)}: static: never freed. */
    public static long EVP_sha256() {
        try {
            return (long) EVP_sha256.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_sha256", failure);
        }
    }

    /** {@code const EVP_CIPHER *EVP_aes_128_cbc(void)}: static: never freed. */
    public static long EVP_aes_128_cbc() {
        try {
            return (long) EVP_aes_128_cbc.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_aes_128_cbc", failure);
        }
    }

    /** {@code const EVP_CIPHER *EVP_aes_256_cbc(void)}: static: never freed. */
    public static long EVP_aes_256_cbc() {
        try {
            return (long) EVP_aes_256_cbc.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_aes_256_cbc", failure);
        }
    }

    /**
     * {@code int EVP_CipherInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl, const unsigned char *key, const unsigned char *iv, int enc)}:
     * copies key and iv.
     */
    public static int EVP_CipherInit_ex(long ctx, long cipher, long impl, byte[] key, long iv, int enc) {
        try {
            return (int) EVP_CipherInit_ex.invokeExact(ctx, cipher, impl, heap(key), iv, enc);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_CipherInit_ex", failure);
        }
    }

    /**
     * {@code int EVP_MAC_init(EVP_MAC_CTX *ctx, const unsigned char *key, size_t keylen, const OSSL_PARAM params[])}:
     * copies key.
     */
    public static int EVP_MAC_init(long ctx, byte[] key, long keylen, long params) {
        try {
            return (int) EVP_MAC_init.invokeExact(ctx, heap(key), keylen, params);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("EVP_MAC_init", failure);
        }
    }

    /** {@code int RAND_bytes(unsigned char *buf, int num)}: 1 on success. */
    public static int RAND_bytes(byte[] buf, int num) {
        try {
            return (int) RAND_bytes.invokeExact(heap(buf), num);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("RAND_bytes", failure);
        }
    }

    /** {@code OSSL_PARAM_BLD *OSSL_PARAM_BLD_new(void)}: owned: OSSL_PARAM_BLD_free. */
    public static long OSSL_PARAM_BLD_new() {
        try {
            return (long) OSSL_PARAM_BLD_new.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("OSSL_PARAM_BLD_new", failure);
        }
    }

    /**
     * {@code int OSSL_PARAM_BLD_push_utf8_string(OSSL_PARAM_BLD *bld, const char *key, const char *buf, size_t bsize)}:
     * keeps the key pointer, not a copy; copies buf.
     */
    public static int OSSL_PARAM_BLD_push_utf8_string(long bld, long key, long buf, long bsize) {
        try {
            return (int) OSSL_PARAM_BLD_push_utf8_string.invokeExact(bld, key, buf, bsize);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("OSSL_PARAM_BLD_push_utf8_string", failure);
        }
    }

    /** {@code OSSL_PARAM *OSSL_PARAM_BLD_to_param(OSSL_PARAM_BLD *bld)}: owned: OSSL_PARAM_free. */
    public static long OSSL_PARAM_BLD_to_param(long bld) {
        try {
            return (long) OSSL_PARAM_BLD_to_param.invokeExact(bld);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("OSSL_PARAM_BLD_to_param", failure);
        }
    }

    /** {@code void OSSL_PARAM_BLD_free(OSSL_PARAM_BLD *bld)}. */
    public static void OSSL_PARAM_BLD_free(long bld) {
        try {
            OSSL_PARAM_BLD_free.invokeExact(bld);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("OSSL_PARAM_BLD_free", failure);
        }
    }

    /**
     * {@code void CRYPTO_free(void *ptr, const char *file, int line)}: what the OPENSSL_free macro calls;
     * frees memory OpenSSL allocated and handed over (get1).
     */
    public static void CRYPTO_free(long ptr, long file, int line) {
        try {
            CRYPTO_free.invokeExact(ptr, file, line);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("CRYPTO_free", failure);
        }
    }

    /** {@code unsigned long ERR_peek_last_error(void)}: the newest error of this thread's queue, left in it; 0 when empty. */
    public static long ERR_peek_last_error() {
        try {
            return (long) ERR_peek_last_error.invokeExact();
        } catch (Throwable failure) {
            throw Downcalls.unexpected("ERR_peek_last_error", failure);
        }
    }

    /**
     * {@code int BIO_write(BIO *b, const void *data, int dlen)} from native memory (a direct buffer's
     * address): nothing is copied through the JVM.
     */
    public static int BIO_write(long bio, long data, int dlen) {
        try {
            return (int) BIO_write_native.invokeExact(bio, data, dlen);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_write", failure);
        }
    }

    /** {@code int BIO_read(BIO *b, void *data, int dlen)} into native memory (a direct buffer's address). */
    public static int BIO_read(long bio, long data, int dlen) {
        try {
            return (int) BIO_read_native.invokeExact(bio, data, dlen);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_read", failure);
        }
    }

    /**
     * {@code int BIO_write(BIO *b, const void *data, int dlen)} from a segment (a direct buffer's memory):
     * the linker refuses one whose scope is closed, and keeps it open until the call returns.
     */
    public static int BIO_write(long bio, MemorySegment data, int dlen) {
        try {
            return (int) BIO_write.invokeExact(bio, data, dlen);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_write", failure);
        }
    }

    /** {@code int BIO_read(BIO *b, void *data, int dlen)} into a segment, kept open as by {@code BIO_write}. */
    public static int BIO_read(long bio, MemorySegment data, int dlen) {
        try {
            return (int) BIO_read.invokeExact(bio, data, dlen);
        } catch (Throwable failure) {
            throw Downcalls.unexpected("BIO_read", failure);
        }
    }

    /**
     * {@code int i2d_X509(const X509 *a, unsigned char **out)}: the DER encoding; with out NULL the length
     * only; otherwise writes at *out and advances it (with *out NULL, allocates it: OPENSSL_free).
     */
    public static int i2d_X509(long x509, long[] out) {
        try {
            return (int) i2d_X509.invokeExact(x509, heap(out));
        } catch (Throwable failure) {
            throw Downcalls.unexpected("i2d_X509", failure);
        }
    }
}
