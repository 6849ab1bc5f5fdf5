package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;

/**
 * The raw layer as the rest of the library calls it: every function bound in {@link LibSsl} and
 * {@link LibCrypto}, with the same C names, implemented by one of two backends chosen once at load
 * ({@link Raw#OPENSSL}): {@link JnaBackend} (JNA direct mapping, any JDK 17+) or, on JDK 22 and
 * later, {@code io.github.ossltickets.ffi.ffm.FfmBackend} (the JDK's {@code java.lang.foreign}).
 *
 * <p>Each method is the C function of its name; {@link LibSsl} and {@link LibCrypto} give its C
 * signature and ownership rule. The types are those of the JNA mapping, except that every C pointer
 * is a {@code long} address (0 for NULL), so that no JNA type crosses the seam; callbacks are the
 * typedef interfaces of this package, whose parameters are primitives only. Memory at an address is
 * read and written through {@link #string}, {@link #bytes}, {@link #read} and {@link #write}.
 *
 * <p>Upcalls: a backend turns a callback object into a native function pointer when it is passed to
 * OpenSSL, and keeps that pointer valid until {@link #releaseUpcalls} names the object (FFM), or for as
 * long as the object is reachable (JNA). Either way the object's owner decides its lifetime.
 */
public interface Backend {
    /** "jna" or "ffm". */
    String name();

    /**
     * Loads {@code libcrypto} then {@code libssl} (each a file name or a path) and binds every function.
     * Throws an {@link UnsatisfiedLinkError} that says whether a library was not found, found but
     * refused by the dynamic linker (with its words), or loaded without a symbol. Called once.
     */
    void load(String crypto, String ssl);

    /** The NUL-terminated UTF-8 string at {@code address}, which is not 0. */
    String string(long address);

    /** A copy of {@code length} bytes at {@code address}. */
    byte[] bytes(long address, int length);

    /** Copies {@code length} bytes at {@code address} into {@code to} from {@code offset}. */
    void read(long address, byte[] to, int offset, int length);

    /** Copies {@code length} bytes of {@code from} from {@code offset} to {@code address}. */
    void write(long address, byte[] from, int offset, int length);

    /** {@code count} C {@code int}s at {@code address}. */
    int[] ints(long address, int count);

    /** Writes a C {@code int} at {@code address} (an {@code int *} out-parameter of a callback). */
    void writeInt(long address, int value);

    /** Writes a 64-bit value at {@code address}: a pointer into a {@code const unsigned char **} out-parameter. */
    void writeLong(long address, long value);


    /**
     * Runs {@code use} with the address of {@code size} bytes of fresh native memory, which is zeroed
     * and freed when it returns: for key material, which must not outlive the call in memory that a
     * garbage collector frees unwiped. Returns what {@code use} returns.
     */
    long withWipedMemory(int size, LongUnaryOperator use);

    /** Native memory holding a copy of {@code bytes}, never freed: for what OpenSSL keeps a pointer to. */
    long permanentCopy(byte[] bytes);

    /**
     * Frees the native function pointers made for these callback objects: FFM upcall stubs, made on
     * first use; with JNA nothing, as JNA frees them when the objects are collected. Call it only when
     * OpenSSL can no longer call them (the ex_data free callback of their context).
     */
    void releaseUpcalls(Callback... callbacks);

    // libssl.so.3 (LibSsl)
    long TLS_server_method();
    long TLS_client_method();
    long TLS_method();
    long SSL_CTX_get_ssl_method(long ctx);
    long SSL_CTX_get_options(long ctx);
    long SSL_CTX_set_options(long ctx, long op);
    long SSL_CTX_clear_options(long ctx, long op);
    long SSL_CTX_new(long method);
    void SSL_CTX_free(long ctx);
    int SSL_CTX_up_ref(long ctx);
    long SSL_CTX_ctrl(long ctx, int cmd, long larg, long parg);
    int SSL_CTX_use_certificate(long ctx, long x509);
    int SSL_CTX_use_PrivateKey(long ctx, long pkey);
    int SSL_CTX_check_private_key(long ctx);
    int SSL_CTX_set_session_id_context(long ctx, byte[] sidCtx, int sidCtxLen);
    int SSL_CTX_set_num_tickets(long ctx, long num_tickets);
    long SSL_CTX_get_num_tickets(long ctx);
    int SSL_CTX_set_ex_data(long ctx, int idx, long data);
    long SSL_CTX_get_ex_data(long ctx, int idx);
    int SSL_CTX_set_session_ticket_cb(long ctx, SSL_CTX_generate_session_ticket_fn gen_cb, SSL_CTX_decrypt_session_ticket_fn dec_cb, long arg);
    int SSL_CTX_set_tlsext_ticket_key_evp_cb(long ctx, TicketKeyEvpCallback fp);
    int SSL_SESSION_set1_ticket_appdata(long ss, byte[] data, long len);
    int SSL_SESSION_get0_ticket_appdata(long ss, long[] data, long[] len);
    int SSL_new_session_ticket(long s);
    void SSL_CTX_set_client_hello_cb(long c, SSL_client_hello_cb_fn cb, long arg);
    int SSL_client_hello_isv2(long s);
    int SSL_client_hello_get0_legacy_version(long s);
    long SSL_client_hello_get0_ciphers(long s, long[] out);
    int SSL_client_hello_get1_extensions_present(long s, long[] out, long[] outlen);
    int SSL_client_hello_get0_ext(long s, int type, long[] out, long[] outlen);
    int SSL_CTX_set_alpn_protos(long ctx, byte[] protos, int protos_len);
    void SSL_CTX_set_alpn_select_cb(long ctx, SSL_CTX_alpn_select_cb_func cb, long arg);
    void SSL_get0_alpn_selected(long s, long[] data, int[] len);
    long SSL_get_certificate(long s);
    int SSL_set_ex_data(long s, int idx, long data);
    long SSL_get_ex_data(long s, int idx);
    long SSL_new(long ctx);
    void SSL_free(long s);
    long SSL_ctrl(long s, int cmd, long larg, long parg);
    void SSL_set_bio(long s, long rbio, long wbio);
    long SSL_get_rbio(long s);
    long SSL_get_wbio(long s);
    void SSL_set_connect_state(long s);
    void SSL_set_accept_state(long s);
    int SSL_do_handshake(long s);
    int SSL_read(long s, byte[] buf, int num);
    int SSL_write(long s, byte[] buf, int num);
    int SSL_shutdown(long s);
    int SSL_get_error(long s, int ret_code);
    int SSL_is_init_finished(long s);
    int SSL_is_server(long s);
    int SSL_session_reused(long s);
    long SSL_get_version(long s);
    long SSL_get_session(long s);
    long SSL_get_servername(long s, int type);
    long SSL_SESSION_get_id(long s, int[] len);
    long SSL_get1_session(long s);
    int SSL_set_session(long s, long session);
    void SSL_set_msg_callback(long s, SslMessageCallback cb);
    long SSL_alert_desc_string_long(int value);
    void SSL_SESSION_free(long ss);
    long SSL_SESSION_dup(long src);
    void SSL_SESSION_get0_ticket(long s, long[] tick, long[] len);
    int SSL_SESSION_is_resumable(long ss);
    int SSL_SESSION_get_protocol_version(long ss);
    int i2d_SSL_SESSION(long ss, long pp);

    // libcrypto.so.3 (LibCrypto)
    int CRYPTO_get_ex_new_index(int class_index, long argl, long argp, long new_func, long dup_func, CRYPTO_EX_free free_func);
    void CRYPTO_free(long ptr, long file, int line);
    long OpenSSL_version_num();
    long OpenSSL_version(int type);
    long ERR_get_error();
    void ERR_error_string_n(long e, byte[] buf, long len);
    void ERR_clear_error();
    long ERR_peek_last_error();
    long BIO_s_mem();
    long BIO_new(long type);
    int BIO_free(long bio);
    int BIO_write(long bio, byte[] data, int dlen);
    int BIO_read(long bio, byte[] data, int dlen);
    int BIO_write(long bio, long data, int dlen);
    int BIO_read(long bio, long data, int dlen);
    /**
     * {@code BIO_write} of {@code dlen} bytes from a direct buffer's memory at index {@code offset} (the
     * position the caller read once: another thread may move it meanwhile), within the buffer's capacity
     * or {@link IndexOutOfBoundsException}. A buffer whose memory was freed (an {@code Arena} closed, JDK
     * 22+) is refused with {@link IllegalStateException}: its address would be that of freed memory.
     */
    int BIO_write(long bio, ByteBuffer direct, int offset, int dlen);
    /** {@code BIO_read} of up to {@code dlen} bytes into a direct buffer's memory at index {@code offset}; checked as by {@code BIO_write}. */
    int BIO_read(long bio, ByteBuffer direct, int offset, int dlen);

    /** The refusal of a direct buffer whose memory is gone (its Arena is closed), for both backends. */
    static IllegalStateException freedBuffer(ByteBuffer direct, IllegalStateException cause) {
        return new IllegalStateException("the direct buffer's memory was freed (its Arena is closed), so OpenSSL"
                + " cannot read or write it: " + direct, cause);
    }
    long BIO_ctrl(long bio, int cmd, long larg, long parg);
    long BIO_ctrl_get_write_guarantee(long bio);
    long BIO_ctrl_pending(long bio);
    long BIO_number_read(long bio);
    long BIO_number_written(long bio);
    int BIO_new_bio_pair(long[] bio1, long writebuf1, long[] bio2, long writebuf2);
    long PEM_read_bio_X509(long bio, long x, long cb, long u);
    long PEM_read_bio_PrivateKey(long bio, long x, pem_password_cb cb, byte[] u);
    int PEM_write_bio_X509(long bio, long x509);
    int PEM_write_bio_PrivateKey(long bio, long pkey, long enc, long kstr, int klen, long cb, long u);
    long EVP_PKEY_CTX_new_from_name(long libctx, byte[] name, long propquery);
    int EVP_PKEY_keygen_init(long ctx);
    int EVP_PKEY_CTX_set_group_name(long ctx, byte[] name);
    int EVP_PKEY_generate(long ctx, long[] ppkey);
    void EVP_PKEY_CTX_free(long ctx);
    void EVP_PKEY_free(long pkey);
    long X509_new();
    int i2d_X509(long x509, long[] out);
    void X509_free(long x509);
    int X509_set_version(long x509, long version);
    long X509_get_serialNumber(long x509);
    int ASN1_INTEGER_set(long a, long v);
    long X509_getm_notBefore(long x509);
    long X509_getm_notAfter(long x509);
    long X509_gmtime_adj(long asn1Time, long adjSeconds);
    int X509_set_pubkey(long x509, long pkey);
    long X509_get_subject_name(long x509);
    int X509_NAME_add_entry_by_txt(long name, byte[] field, int type, byte[] bytes, int len, int loc, int set);
    int X509_set_issuer_name(long x509, long name);
    int X509_sign(long x509, long pkey, long md);
    long EVP_sha256();
    long EVP_aes_128_cbc();
    long EVP_aes_256_cbc();
    int EVP_CipherInit_ex(long ctx, long cipher, long impl, byte[] key, long iv, int enc);
    int EVP_MAC_init(long ctx, byte[] key, long keylen, long params);
    int RAND_bytes(byte[] buf, int num);
    long OSSL_PARAM_BLD_new();
    int OSSL_PARAM_BLD_push_utf8_string(long bld, long key, long buf, long bsize);
    long OSSL_PARAM_BLD_to_param(long bld);
    void OSSL_PARAM_BLD_free(long bld);
}
