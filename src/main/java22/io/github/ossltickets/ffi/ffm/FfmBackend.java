package io.github.ossltickets.ffi.ffm;

import com.sun.jna.Callback;
import io.github.ossltickets.ffi.Backend;
import io.github.ossltickets.ffi.CRYPTO_EX_free;
import io.github.ossltickets.ffi.SSL_CTX_alpn_select_cb_func;
import io.github.ossltickets.ffi.SSL_CTX_decrypt_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_CTX_generate_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_client_hello_cb_fn;
import io.github.ossltickets.ffi.SslMessageCallback;
import io.github.ossltickets.ffi.TicketKeyEvpCallback;
import io.github.ossltickets.ffi.pem_password_cb;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The FFM backend (JDK 22+): each method calls the method of the same name in {@link LibSsl} or
 * {@link LibCrypto}. Made by {@code io.github.ossltickets.ffi.Raw} through reflection, so that the
 * Java 17 classes never name it. Needs native access for the module holding it (see the README).
 */
public final class FfmBackend implements Backend {
    /** Made by {@code Raw} only. */
    public FfmBackend() {}

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public void load(String crypto, String ssl) {
        try {
            // libcrypto first: libssl needs it, and our crypto calls must bind the same copy.
            Downcalls.crypto = Downcalls.open(crypto, "ossltickets.libcrypto");
            initialize(LibCrypto.class);
            Downcalls.ssl = Downcalls.open(ssl, "ossltickets.libssl");
            initialize(LibSsl.class);
        } catch (IllegalCallerException | ExceptionInInitializerError e) {
            if (!(e instanceof IllegalCallerException) && !(e.getCause() instanceof IllegalCallerException)) {
                throw e;
            }
            Module module = FfmBackend.class.getModule();
            String flag = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("the FFM backend may not call native code: run java"
                    + " with " + flag + ", or choose JNA with -Dossltickets.backend=jna");
            error.initCause(e);
            throw error;
        }
    }

    /** Runs the class's initializer, which makes every downcall handle or throws for the first missing symbol. */
    private static void initialize(Class<?> mapping) {
        try {
            MethodHandles.lookup().ensureInitialized(mapping);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many upcall stubs are live (contexts with callbacks, and the process-wide callbacks). */
    public static int liveUpcalls() {
        return Upcalls.live();
    }

    /** The native function pointer of {@code callback}'s upcall stub, made on first use: for benchmarks. */
    public static long functionPointer(Callback callback) {
        return Upcalls.pointer(callback);
    }

    /**
     * All of memory as one segment, so that reading or writing at an address OpenSSL gave makes no
     * segment: {@code MemorySegment.ofAddress(a).reinterpret(n)} allocates a segment and a session on
     * each call, which was a fifth of an upcall pair's time. The address and length come from OpenSSL,
     * as they did; the bounds check here only guards against overflow past the end of the address space.
     */
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    @Override
    public String string(long address) {
        return MEMORY.getString(address);
    }

    @Override
    public byte[] bytes(long address, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(MEMORY, JAVA_BYTE, address, bytes, 0, length);
        return bytes;
    }

    @Override
    public void read(long address, byte[] to, int offset, int length) {
        MemorySegment.copy(MEMORY, JAVA_BYTE, address, to, offset, length);
    }

    @Override
    public void write(long address, byte[] from, int offset, int length) {
        MemorySegment.copy(from, offset, MEMORY, JAVA_BYTE, address, length);
    }

    @Override
    public int[] ints(long address, int count) {
        int[] ints = new int[count];
        MemorySegment.copy(MEMORY, JAVA_INT, address, ints, 0, count);
        return ints;
    }

    @Override
    public void writeInt(long address, int value) {
        MEMORY.set(JAVA_INT, address, value);
    }

    @Override
    public void writeLong(long address, long value) {
        MEMORY.set(JAVA_LONG, address, value);
    }

    @Override
    public long withWipedMemory(int size, LongUnaryOperator use) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(Math.max(size, 1)); // zeroed
            try {
                return use.applyAsLong(memory.address());
            } finally {
                memory.fill((byte) 0);
            }
        }
    }

    @Override
    public long permanentCopy(byte[] bytes) {
        return Arena.global().allocateFrom(JAVA_BYTE, bytes).address();
    }

    @Override
    public void releaseUpcalls(Callback... callbacks) {
        Upcalls.release(callbacks);
    }

    @Override
    public long TLS_server_method() {
        return LibSsl.TLS_server_method();
    }

    @Override
    public long TLS_client_method() {
        return LibSsl.TLS_client_method();
    }

    @Override
    public long TLS_method() {
        return LibSsl.TLS_method();
    }

    @Override
    public long SSL_CTX_get_ssl_method(long ctx) {
        return LibSsl.SSL_CTX_get_ssl_method(ctx);
    }

    @Override
    public long SSL_CTX_get_options(long ctx) {
        return LibSsl.SSL_CTX_get_options(ctx);
    }

    @Override
    public long SSL_CTX_set_options(long ctx, long op) {
        return LibSsl.SSL_CTX_set_options(ctx, op);
    }

    @Override
    public long SSL_CTX_clear_options(long ctx, long op) {
        return LibSsl.SSL_CTX_clear_options(ctx, op);
    }

    @Override
    public long SSL_CTX_new(long method) {
        return LibSsl.SSL_CTX_new(method);
    }

    @Override
    public void SSL_CTX_free(long ctx) {
        LibSsl.SSL_CTX_free(ctx);
    }

    @Override
    public int SSL_CTX_up_ref(long ctx) {
        return LibSsl.SSL_CTX_up_ref(ctx);
    }

    @Override
    public long SSL_CTX_ctrl(long ctx, int cmd, long larg, long parg) {
        return LibSsl.SSL_CTX_ctrl(ctx, cmd, larg, parg);
    }

    @Override
    public int SSL_CTX_use_certificate(long ctx, long x509) {
        return LibSsl.SSL_CTX_use_certificate(ctx, x509);
    }

    @Override
    public int SSL_CTX_use_PrivateKey(long ctx, long pkey) {
        return LibSsl.SSL_CTX_use_PrivateKey(ctx, pkey);
    }

    @Override
    public int SSL_CTX_check_private_key(long ctx) {
        return LibSsl.SSL_CTX_check_private_key(ctx);
    }

    @Override
    public int SSL_CTX_set_session_id_context(long ctx, byte[] sidCtx, int sidCtxLen) {
        return LibSsl.SSL_CTX_set_session_id_context(ctx, sidCtx, sidCtxLen);
    }

    @Override
    public int SSL_CTX_set_num_tickets(long ctx, long num_tickets) {
        return LibSsl.SSL_CTX_set_num_tickets(ctx, num_tickets);
    }

    @Override
    public long SSL_CTX_get_num_tickets(long ctx) {
        return LibSsl.SSL_CTX_get_num_tickets(ctx);
    }

    @Override
    public int SSL_CTX_set_ex_data(long ctx, int idx, long data) {
        return LibSsl.SSL_CTX_set_ex_data(ctx, idx, data);
    }

    @Override
    public long SSL_CTX_get_ex_data(long ctx, int idx) {
        return LibSsl.SSL_CTX_get_ex_data(ctx, idx);
    }

    @Override
    public int SSL_CTX_set_session_ticket_cb(long ctx, SSL_CTX_generate_session_ticket_fn gen_cb, SSL_CTX_decrypt_session_ticket_fn dec_cb, long arg) {
        return LibSsl.SSL_CTX_set_session_ticket_cb(ctx, gen_cb, dec_cb, arg);
    }

    @Override
    public int SSL_CTX_set_tlsext_ticket_key_evp_cb(long ctx, TicketKeyEvpCallback fp) {
        return LibSsl.SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, fp);
    }

    @Override
    public int SSL_SESSION_set1_ticket_appdata(long ss, byte[] data, long len) {
        return LibSsl.SSL_SESSION_set1_ticket_appdata(ss, data, len);
    }

    @Override
    public int SSL_SESSION_get0_ticket_appdata(long ss, long[] data, long[] len) {
        return LibSsl.SSL_SESSION_get0_ticket_appdata(ss, data, len);
    }

    @Override
    public int SSL_new_session_ticket(long s) {
        return LibSsl.SSL_new_session_ticket(s);
    }

    @Override
    public void SSL_CTX_set_client_hello_cb(long c, SSL_client_hello_cb_fn cb, long arg) {
        LibSsl.SSL_CTX_set_client_hello_cb(c, cb, arg);
    }

    @Override
    public int SSL_client_hello_isv2(long s) {
        return LibSsl.SSL_client_hello_isv2(s);
    }

    @Override
    public int SSL_client_hello_get0_legacy_version(long s) {
        return LibSsl.SSL_client_hello_get0_legacy_version(s);
    }

    @Override
    public long SSL_client_hello_get0_ciphers(long s, long[] out) {
        return LibSsl.SSL_client_hello_get0_ciphers(s, out);
    }

    @Override
    public int SSL_client_hello_get1_extensions_present(long s, long[] out, long[] outlen) {
        return LibSsl.SSL_client_hello_get1_extensions_present(s, out, outlen);
    }

    @Override
    public int SSL_client_hello_get0_ext(long s, int type, long[] out, long[] outlen) {
        return LibSsl.SSL_client_hello_get0_ext(s, type, out, outlen);
    }

    @Override
    public int SSL_CTX_set_alpn_protos(long ctx, byte[] protos, int protos_len) {
        return LibSsl.SSL_CTX_set_alpn_protos(ctx, protos, protos_len);
    }

    @Override
    public void SSL_CTX_set_alpn_select_cb(long ctx, SSL_CTX_alpn_select_cb_func cb, long arg) {
        LibSsl.SSL_CTX_set_alpn_select_cb(ctx, cb, arg);
    }

    @Override
    public void SSL_get0_alpn_selected(long s, long[] data, int[] len) {
        LibSsl.SSL_get0_alpn_selected(s, data, len);
    }

    @Override
    public long SSL_get_certificate(long s) {
        return LibSsl.SSL_get_certificate(s);
    }

    @Override
    public int SSL_set_ex_data(long s, int idx, long data) {
        return LibSsl.SSL_set_ex_data(s, idx, data);
    }

    @Override
    public long SSL_get_ex_data(long s, int idx) {
        return LibSsl.SSL_get_ex_data(s, idx);
    }

    @Override
    public long SSL_new(long ctx) {
        return LibSsl.SSL_new(ctx);
    }

    @Override
    public void SSL_free(long s) {
        LibSsl.SSL_free(s);
    }

    @Override
    public long SSL_ctrl(long s, int cmd, long larg, long parg) {
        return LibSsl.SSL_ctrl(s, cmd, larg, parg);
    }

    @Override
    public void SSL_set_bio(long s, long rbio, long wbio) {
        LibSsl.SSL_set_bio(s, rbio, wbio);
    }

    @Override
    public long SSL_get_rbio(long s) {
        return LibSsl.SSL_get_rbio(s);
    }

    @Override
    public long SSL_get_wbio(long s) {
        return LibSsl.SSL_get_wbio(s);
    }

    @Override
    public void SSL_set_connect_state(long s) {
        LibSsl.SSL_set_connect_state(s);
    }

    @Override
    public void SSL_set_accept_state(long s) {
        LibSsl.SSL_set_accept_state(s);
    }

    @Override
    public int SSL_do_handshake(long s) {
        return LibSsl.SSL_do_handshake(s);
    }

    @Override
    public int SSL_read(long s, byte[] buf, int num) {
        return LibSsl.SSL_read(s, buf, num);
    }

    @Override
    public int SSL_write(long s, byte[] buf, int num) {
        return LibSsl.SSL_write(s, buf, num);
    }

    @Override
    public int SSL_shutdown(long s) {
        return LibSsl.SSL_shutdown(s);
    }

    @Override
    public int SSL_get_error(long s, int ret_code) {
        return LibSsl.SSL_get_error(s, ret_code);
    }

    @Override
    public int SSL_is_init_finished(long s) {
        return LibSsl.SSL_is_init_finished(s);
    }

    @Override
    public int SSL_is_server(long s) {
        return LibSsl.SSL_is_server(s);
    }

    @Override
    public int SSL_session_reused(long s) {
        return LibSsl.SSL_session_reused(s);
    }

    @Override
    public long SSL_get_version(long s) {
        return LibSsl.SSL_get_version(s);
    }

    @Override
    public long SSL_get_session(long s) {
        return LibSsl.SSL_get_session(s);
    }

    @Override
    public long SSL_get_servername(long s, int type) {
        return LibSsl.SSL_get_servername(s, type);
    }

    @Override
    public long SSL_SESSION_get_id(long s, int[] len) {
        return LibSsl.SSL_SESSION_get_id(s, len);
    }

    @Override
    public long SSL_get1_session(long s) {
        return LibSsl.SSL_get1_session(s);
    }

    @Override
    public int SSL_set_session(long s, long session) {
        return LibSsl.SSL_set_session(s, session);
    }

    @Override
    public void SSL_set_msg_callback(long s, SslMessageCallback cb) {
        LibSsl.SSL_set_msg_callback(s, cb);
    }

    @Override
    public long SSL_alert_desc_string_long(int value) {
        return LibSsl.SSL_alert_desc_string_long(value);
    }

    @Override
    public void SSL_SESSION_free(long ss) {
        LibSsl.SSL_SESSION_free(ss);
    }

    @Override
    public long SSL_SESSION_dup(long src) {
        return LibSsl.SSL_SESSION_dup(src);
    }

    @Override
    public void SSL_SESSION_get0_ticket(long s, long[] tick, long[] len) {
        LibSsl.SSL_SESSION_get0_ticket(s, tick, len);
    }

    @Override
    public int SSL_SESSION_is_resumable(long ss) {
        return LibSsl.SSL_SESSION_is_resumable(ss);
    }

    @Override
    public int SSL_SESSION_get_protocol_version(long ss) {
        return LibSsl.SSL_SESSION_get_protocol_version(ss);
    }

    @Override
    public int i2d_SSL_SESSION(long ss, long pp) {
        return LibSsl.i2d_SSL_SESSION(ss, pp);
    }

    @Override
    public int CRYPTO_get_ex_new_index(int class_index, long argl, long argp, long new_func, long dup_func, CRYPTO_EX_free free_func) {
        return LibCrypto.CRYPTO_get_ex_new_index(class_index, argl, argp, new_func, dup_func, free_func);
    }

    @Override
    public void CRYPTO_free(long ptr, long file, int line) {
        LibCrypto.CRYPTO_free(ptr, file, line);
    }

    @Override
    public long OpenSSL_version_num() {
        return LibCrypto.OpenSSL_version_num();
    }

    @Override
    public long OpenSSL_version(int type) {
        return LibCrypto.OpenSSL_version(type);
    }

    @Override
    public long ERR_get_error() {
        return LibCrypto.ERR_get_error();
    }

    @Override
    public void ERR_error_string_n(long e, byte[] buf, long len) {
        LibCrypto.ERR_error_string_n(e, buf, len);
    }

    @Override
    public void ERR_clear_error() {
        LibCrypto.ERR_clear_error();
    }

    @Override
    public long ERR_peek_last_error() {
        return LibCrypto.ERR_peek_last_error();
    }

    @Override
    public long BIO_s_mem() {
        return LibCrypto.BIO_s_mem();
    }

    @Override
    public long BIO_new(long type) {
        return LibCrypto.BIO_new(type);
    }

    @Override
    public int BIO_free(long bio) {
        return LibCrypto.BIO_free(bio);
    }

    @Override
    public int BIO_write(long bio, byte[] data, int dlen) {
        return LibCrypto.BIO_write(bio, data, dlen);
    }

    @Override
    public int BIO_read(long bio, byte[] data, int dlen) {
        return LibCrypto.BIO_read(bio, data, dlen);
    }

    @Override
    public int BIO_write(long bio, long data, int dlen) {
        return LibCrypto.BIO_write(bio, data, dlen);
    }

    @Override
    public int BIO_read(long bio, long data, int dlen) {
        return LibCrypto.BIO_read(bio, data, dlen);
    }

    @Override
    public int BIO_write(long bio, ByteBuffer direct, int offset, int dlen) {
        return LibCrypto.BIO_write(bio, liveMemory(direct, offset, dlen), dlen);
    }

    @Override
    public int BIO_read(long bio, ByteBuffer direct, int offset, int dlen) {
        return LibCrypto.BIO_read(bio, liveMemory(direct, offset, dlen), dlen);
    }

    /**
     * The buffer's memory at {@code offset} as a segment with the buffer's scope, which the linker checks
     * and keeps open through the call (a shared Arena's close waits for it); a raw address would not.
     */
    private static MemorySegment liveMemory(ByteBuffer direct, int offset, int dlen) {
        // The whole buffer, then the slice (bounds-checked): ofBuffer alone starts at a position another thread may move.
        MemorySegment memory = MemorySegment.ofBuffer(direct.duplicate().clear()).asSlice(offset, dlen);
        if (!memory.scope().isAlive()) {
            throw Backend.freedBuffer(direct, new IllegalStateException("Already closed"));
        }
        return memory;
    }

    @Override
    public long BIO_ctrl(long bio, int cmd, long larg, long parg) {
        return LibCrypto.BIO_ctrl(bio, cmd, larg, parg);
    }

    @Override
    public long BIO_ctrl_get_write_guarantee(long bio) {
        return LibCrypto.BIO_ctrl_get_write_guarantee(bio);
    }

    @Override
    public long BIO_ctrl_pending(long bio) {
        return LibCrypto.BIO_ctrl_pending(bio);
    }

    @Override
    public long BIO_number_read(long bio) {
        return LibCrypto.BIO_number_read(bio);
    }

    @Override
    public long BIO_number_written(long bio) {
        return LibCrypto.BIO_number_written(bio);
    }

    @Override
    public int BIO_new_bio_pair(long[] bio1, long writebuf1, long[] bio2, long writebuf2) {
        return LibCrypto.BIO_new_bio_pair(bio1, writebuf1, bio2, writebuf2);
    }

    @Override
    public long PEM_read_bio_X509(long bio, long x, long cb, long u) {
        return LibCrypto.PEM_read_bio_X509(bio, x, cb, u);
    }

    @Override
    public long PEM_read_bio_PrivateKey(long bio, long x, pem_password_cb cb, byte[] u) {
        return LibCrypto.PEM_read_bio_PrivateKey(bio, x, cb, u);
    }

    @Override
    public int PEM_write_bio_X509(long bio, long x509) {
        return LibCrypto.PEM_write_bio_X509(bio, x509);
    }

    @Override
    public int PEM_write_bio_PrivateKey(long bio, long pkey, long enc, long kstr, int klen, long cb, long u) {
        return LibCrypto.PEM_write_bio_PrivateKey(bio, pkey, enc, kstr, klen, cb, u);
    }

    @Override
    public long EVP_PKEY_CTX_new_from_name(long libctx, byte[] name, long propquery) {
        return LibCrypto.EVP_PKEY_CTX_new_from_name(libctx, name, propquery);
    }

    @Override
    public int EVP_PKEY_keygen_init(long ctx) {
        return LibCrypto.EVP_PKEY_keygen_init(ctx);
    }

    @Override
    public int EVP_PKEY_CTX_set_group_name(long ctx, byte[] name) {
        return LibCrypto.EVP_PKEY_CTX_set_group_name(ctx, name);
    }

    @Override
    public int EVP_PKEY_generate(long ctx, long[] ppkey) {
        return LibCrypto.EVP_PKEY_generate(ctx, ppkey);
    }

    @Override
    public void EVP_PKEY_CTX_free(long ctx) {
        LibCrypto.EVP_PKEY_CTX_free(ctx);
    }

    @Override
    public void EVP_PKEY_free(long pkey) {
        LibCrypto.EVP_PKEY_free(pkey);
    }

    @Override
    public long X509_new() {
        return LibCrypto.X509_new();
    }

    @Override
    public int i2d_X509(long x509, long[] out) {
        return LibCrypto.i2d_X509(x509, out);
    }

    @Override
    public void X509_free(long x509) {
        LibCrypto.X509_free(x509);
    }

    @Override
    public int X509_set_version(long x509, long version) {
        return LibCrypto.X509_set_version(x509, version);
    }

    @Override
    public long X509_get_serialNumber(long x509) {
        return LibCrypto.X509_get_serialNumber(x509);
    }

    @Override
    public int ASN1_INTEGER_set(long a, long v) {
        return LibCrypto.ASN1_INTEGER_set(a, v);
    }

    @Override
    public long X509_getm_notBefore(long x509) {
        return LibCrypto.X509_getm_notBefore(x509);
    }

    @Override
    public long X509_getm_notAfter(long x509) {
        return LibCrypto.X509_getm_notAfter(x509);
    }

    @Override
    public long X509_gmtime_adj(long asn1Time, long adjSeconds) {
        return LibCrypto.X509_gmtime_adj(asn1Time, adjSeconds);
    }

    @Override
    public int X509_set_pubkey(long x509, long pkey) {
        return LibCrypto.X509_set_pubkey(x509, pkey);
    }

    @Override
    public long X509_get_subject_name(long x509) {
        return LibCrypto.X509_get_subject_name(x509);
    }

    @Override
    public int X509_NAME_add_entry_by_txt(long name, byte[] field, int type, byte[] bytes, int len, int loc, int set) {
        return LibCrypto.X509_NAME_add_entry_by_txt(name, field, type, bytes, len, loc, set);
    }

    @Override
    public int X509_set_issuer_name(long x509, long name) {
        return LibCrypto.X509_set_issuer_name(x509, name);
    }

    @Override
    public int X509_sign(long x509, long pkey, long md) {
        return LibCrypto.X509_sign(x509, pkey, md);
    }

    @Override
    public long EVP_sha256() {
        return LibCrypto.EVP_sha256();
    }

    @Override
    public long EVP_aes_128_cbc() {
        return LibCrypto.EVP_aes_128_cbc();
    }

    @Override
    public long EVP_aes_256_cbc() {
        return LibCrypto.EVP_aes_256_cbc();
    }

    @Override
    public int EVP_CipherInit_ex(long ctx, long cipher, long impl, byte[] key, long iv, int enc) {
        return LibCrypto.EVP_CipherInit_ex(ctx, cipher, impl, key, iv, enc);
    }

    @Override
    public int EVP_MAC_init(long ctx, byte[] key, long keylen, long params) {
        return LibCrypto.EVP_MAC_init(ctx, key, keylen, params);
    }

    @Override
    public int RAND_bytes(byte[] buf, int num) {
        return LibCrypto.RAND_bytes(buf, num);
    }

    @Override
    public long OSSL_PARAM_BLD_new() {
        return LibCrypto.OSSL_PARAM_BLD_new();
    }

    @Override
    public int OSSL_PARAM_BLD_push_utf8_string(long bld, long key, long buf, long bsize) {
        return LibCrypto.OSSL_PARAM_BLD_push_utf8_string(bld, key, buf, bsize);
    }

    @Override
    public long OSSL_PARAM_BLD_to_param(long bld) {
        return LibCrypto.OSSL_PARAM_BLD_to_param(bld);
    }

    @Override
    public void OSSL_PARAM_BLD_free(long bld) {
        LibCrypto.OSSL_PARAM_BLD_free(bld);
    }
}
