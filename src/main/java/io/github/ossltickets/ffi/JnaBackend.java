package io.github.ossltickets.ffi;

import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongUnaryOperator;

/**
 * The JNA backend: each method calls the direct-mapped native of the same name in {@link LibSsl} or
 * {@link LibCrypto}, turning {@code long} addresses into {@link Pointer}s and back. Callback objects
 * go to JNA as they are, so JNA makes its fast direct callbacks, kept as long as the objects are
 * reachable. The JIT inlines these one-line methods: the seam costs nothing measurable.
 */
public final class JnaBackend implements Backend {
    /** What {@link #permanentCopy} allocated: held forever, as OpenSSL keeps pointers into it. */
    private static final List<Memory> PERMANENT = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public void load(String crypto, String ssl) {
        if (Native.SIZE_T_SIZE != 8 || Native.POINTER_SIZE != 8) {
            throw new UnsatisfiedLinkError("ossl-tickets maps size_t and pointers to Java long and needs a"
                    + " 64-bit JVM; this one has size_t of " + Native.SIZE_T_SIZE + " bytes");
        }
        // libcrypto first: libssl needs it, and our crypto calls must bind the same copy.
        register(LibCrypto.class, crypto, "ossltickets.libcrypto");
        register(LibSsl.class, ssl, "ossltickets.libssl");
    }

    private static void register(Class<?> mapping, String name, String property) {
        NativeLibrary library;
        try {
            library = NativeLibrary.getInstance(name);
        } catch (UnsatisfiedLinkError e) {
            throw LoadErrors.cannotOpen(name, property, linkerMessage(e.getMessage()), e);
        }
        try {
            Native.register(mapping, library);
        } catch (UnsatisfiedLinkError e) {
            throw LoadErrors.cannotBind(name, library.getFile().toString(), e.getMessage(), e);
        }
    }

    /** The dynamic linker's own words from JNA's message, which wraps them in lines of its own. */
    private static String linkerMessage(String jnaMessage) {
        if (jnaMessage == null) {
            return "(no message)";
        }
        for (String line : jnaMessage.split("\n")) {
            if (!line.isBlank() && !line.startsWith("Unable to load library") && !line.startsWith("Native library")) {
                return line.trim();
            }
        }
        return jnaMessage.trim();
    }

    @Override
    public String string(long address) {
        return new Pointer(address).getString(0, StandardCharsets.UTF_8.name());
    }

    @Override
    public byte[] bytes(long address, int length) {
        return new Pointer(address).getByteArray(0, length);
    }

    @Override
    public void read(long address, byte[] to, int offset, int length) {
        new Pointer(address).read(0, to, offset, length);
    }

    @Override
    public void write(long address, byte[] from, int offset, int length) {
        new Pointer(address).write(0, from, offset, length);
    }

    @Override
    public int[] ints(long address, int count) {
        return new Pointer(address).getIntArray(0, count);
    }

    @Override
    public void writeInt(long address, int value) {
        new Pointer(address).setInt(0, value);
    }

    @Override
    public void writeLong(long address, long value) {
        new Pointer(address).setLong(0, value);
    }

        @Override
    public long withWipedMemory(int size, LongUnaryOperator use) {
        try (Memory memory = new Memory(Math.max(size, 1))) {
            memory.clear();
            try {
                return use.applyAsLong(Pointer.nativeValue(memory));
            } finally {
                memory.clear();
            }
        }
    }

    @Override
    public long permanentCopy(byte[] bytes) {
        Memory memory = new Memory(bytes.length);
        memory.write(0, bytes, 0, bytes.length);
        PERMANENT.add(memory);
        return Pointer.nativeValue(memory);
    }

    @Override
    public void releaseUpcalls(Callback... callbacks) {
        // JNA frees a callback's native stub when the callback object is collected.
    }

    private static Pointer pointer(long address) {
        return address == 0 ? null : new Pointer(address);
    }

    private static long address(Pointer pointer) {
        return Pointer.nativeValue(pointer);
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
        return LibSsl.SSL_CTX_ctrl(ctx, cmd, larg, pointer(parg));
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
        return LibSsl.SSL_CTX_set_session_ticket_cb(ctx, gen_cb, dec_cb, pointer(arg));
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
        LibSsl.SSL_CTX_set_client_hello_cb(c, cb, pointer(arg));
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
        LibSsl.SSL_CTX_set_alpn_select_cb(ctx, cb, pointer(arg));
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
        return LibSsl.SSL_ctrl(s, cmd, larg, pointer(parg));
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
        return address(LibSsl.SSL_get_version(s));
    }

    @Override
    public long SSL_get_session(long s) {
        return LibSsl.SSL_get_session(s);
    }

    @Override
    public long SSL_get_servername(long s, int type) {
        return address(LibSsl.SSL_get_servername(s, type));
    }

    @Override
    public long SSL_SESSION_get_id(long s, int[] len) {
        return address(LibSsl.SSL_SESSION_get_id(s, len));
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
        return address(LibSsl.SSL_alert_desc_string_long(value));
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
        return LibSsl.i2d_SSL_SESSION(ss, pointer(pp));
    }

    @Override
    public int CRYPTO_get_ex_new_index(int class_index, long argl, long argp, long new_func, long dup_func, CRYPTO_EX_free free_func) {
        return LibCrypto.CRYPTO_get_ex_new_index(class_index, argl, pointer(argp), pointer(new_func), pointer(dup_func), free_func);
    }

    @Override
    public void CRYPTO_free(long ptr, long file, int line) {
        LibCrypto.CRYPTO_free(ptr, pointer(file), line);
    }

    @Override
    public long OpenSSL_version_num() {
        return LibCrypto.OpenSSL_version_num();
    }

    @Override
    public long OpenSSL_version(int type) {
        return address(LibCrypto.OpenSSL_version(type));
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
        return LibCrypto.BIO_write(bio, liveAddress(direct, offset, dlen), dlen);
    }

    @Override
    public int BIO_read(long bio, ByteBuffer direct, int offset, int dlen) {
        return LibCrypto.BIO_read(bio, liveAddress(direct, offset, dlen), dlen);
    }

    /**
     * JNI gives a direct buffer's address without asking whether its memory still exists: on JDK 22+ a
     * buffer of a closed {@code Arena} has one all the same. Reading a byte of it first throws, as the
     * JDK's channels do. (JNA cannot keep a shared Arena open through the call, as the FFM backend does:
     * one closed by another thread during it is not caught.)
     */
    private static long liveAddress(ByteBuffer direct, int offset, int dlen) {
        Objects.checkFromIndexSize(offset, dlen, direct.capacity()); // the capacity, unlike the limit, never moves
        if (dlen > 0) {
            try {
                direct.get(offset); // within the limit: the caller's length came from position and limit
            } catch (IllegalStateException closed) {
                throw Backend.freedBuffer(direct, closed);
            } catch (IndexOutOfBoundsException limitMovedMeanwhile) {
                // another thread moved the limit: the capacity check above still bounds the memory
            }
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct)) + offset;
    }

    @Override
    public long BIO_ctrl(long bio, int cmd, long larg, long parg) {
        return LibCrypto.BIO_ctrl(bio, cmd, larg, pointer(parg));
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
        return LibCrypto.PEM_read_bio_X509(bio, pointer(x), pointer(cb), pointer(u));
    }

    @Override
    public long PEM_read_bio_PrivateKey(long bio, long x, pem_password_cb cb, byte[] u) {
        return LibCrypto.PEM_read_bio_PrivateKey(bio, pointer(x), cb, u);
    }

    @Override
    public int PEM_write_bio_X509(long bio, long x509) {
        return LibCrypto.PEM_write_bio_X509(bio, x509);
    }

    @Override
    public int PEM_write_bio_PrivateKey(long bio, long pkey, long enc, long kstr, int klen, long cb, long u) {
        return LibCrypto.PEM_write_bio_PrivateKey(bio, pkey, pointer(enc), pointer(kstr), klen, pointer(cb), pointer(u));
    }

    @Override
    public long EVP_PKEY_CTX_new_from_name(long libctx, byte[] name, long propquery) {
        return LibCrypto.EVP_PKEY_CTX_new_from_name(pointer(libctx), name, pointer(propquery));
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
        return LibCrypto.EVP_CipherInit_ex(ctx, cipher, pointer(impl), key, pointer(iv), enc);
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
        return LibCrypto.OSSL_PARAM_BLD_push_utf8_string(bld, pointer(key), pointer(buf), bsize);
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
