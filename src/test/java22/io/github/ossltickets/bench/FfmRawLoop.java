package io.github.ossltickets.bench;

import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TlsVersion;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What an FFM backend could reach: native/resume_bench.c's resumed loop written in Java with raw FFM
 * calls (JDK 22+) and FFM upcalls for the same two ticket callbacks, no handles, on contexts the
 * binding built. The JNA twin of this loop runs at the binding's speed (see the README, Performance).
 * Run by scripts/bench --profile when a JDK 22+ is installed. Not a test.
 */
public final class FfmRawLoop {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup SSL = SymbolLookup.libraryLookup("libssl.so.3", Arena.global());
    private static final SymbolLookup CRYPTO = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
    private static final byte[] APP_DATA = "user=alice;policy=v1".getBytes(StandardCharsets.US_ASCII);
    private static final MemorySegment NATIVE_APP_DATA = Arena.global().allocateFrom(JAVA_BYTE, APP_DATA);

    private static final MethodHandle SSL_new = ssl("SSL_new", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SSL_free = ssl("SSL_free", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle SSL_set_bio = ssl("SSL_set_bio", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SSL_set_accept_state = ssl("SSL_set_accept_state", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle SSL_set_connect_state = ssl("SSL_set_connect_state", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle SSL_set_session = ssl("SSL_set_session", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SSL_do_handshake = ssl("SSL_do_handshake", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle SSL_read = ssl("SSL_read", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT));
    private static final MethodHandle SSL_get_error = ssl("SSL_get_error", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SSL_session_reused = ssl("SSL_session_reused", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle SSL_get1_session = ssl("SSL_get1_session", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SSL_get_session = ssl("SSL_get_session", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SSL_SESSION_free = ssl("SSL_SESSION_free", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle SSL_shutdown = ssl("SSL_shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle SSL_is_init_finished = ssl("SSL_is_init_finished", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle SSL_SESSION_set1_ticket_appdata = ssl("SSL_SESSION_set1_ticket_appdata",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
    private static final MethodHandle SSL_SESSION_get0_ticket_appdata = ssl("SSL_SESSION_get0_ticket_appdata",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle SSL_CTX_set_session_ticket_cb = ssl("SSL_CTX_set_session_ticket_cb",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ERR_clear_error = crypto("ERR_clear_error", FunctionDescriptor.ofVoid());
    private static final MethodHandle BIO_new_bio_pair = crypto("BIO_new_bio_pair",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));

    private FfmRawLoop() {
    }

    private static MethodHandle ssl(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(SSL.find(name).orElseThrow(), descriptor);
    }

    private static MethodHandle crypto(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(CRYPTO.find(name).orElseThrow(), descriptor);
    }

    /** An FFM upcall must not throw: a failure becomes the callback's failing return. */
    static int generate(long s, MemorySegment arg) {
        try {
            long session = (long) SSL_get_session.invokeExact(s);
            return (int) SSL_SESSION_set1_ticket_appdata.invokeExact(session, NATIVE_APP_DATA, (long) APP_DATA.length);
        } catch (Throwable failure) {
            return 0;
        }
    }

    static int decrypt(long s, long ss, MemorySegment keyname, long keynameLength, int status, MemorySegment arg) {
        if (status != 5 && status != 6) { // SSL_TICKET_SUCCESS, SSL_TICKET_SUCCESS_RENEW
            return 2; // SSL_TICKET_RETURN_IGNORE_RENEW
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment data = call.allocate(ADDRESS);
            MemorySegment length = call.allocate(JAVA_LONG);
            if ((int) SSL_SESSION_get0_ticket_appdata.invokeExact(ss, data, length) != 1
                    || length.get(JAVA_LONG, 0) != APP_DATA.length) {
                return 0; // SSL_TICKET_RETURN_ABORT
            }
        } catch (Throwable failure) {
            return 0;
        }
        return status == 5 ? 3 : 4; // SSL_TICKET_RETURN_USE, SSL_TICKET_RETURN_USE_RENEW
    }

    /** One side's step, as in native/common.h: 1 done, 0 needs the peer, -1 failed. */
    private static int step(long ssl, boolean done, MemorySegment oneByte) throws Throwable {
        ERR_clear_error.invokeExact();
        int ret = done ? (int) SSL_read.invokeExact(ssl, oneByte, 1) : (int) SSL_do_handshake.invokeExact(ssl);
        if (ret > 0) {
            return done ? -1 : 1;
        }
        int error = (int) SSL_get_error.invokeExact(ssl, ret);
        return error == 2 || error == 3 ? (done ? 1 : 0) : -1; // WANT_READ, WANT_WRITE
    }

    public static void main(String[] args) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MemorySegment generate = LINKER.upcallStub(lookup.findStatic(FfmRawLoop.class, "generate",
                MethodType.methodType(int.class, long.class, MemorySegment.class)),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), Arena.global());
        MemorySegment decrypt = LINKER.upcallStub(lookup.findStatic(FfmRawLoop.class, "decrypt",
                MethodType.methodType(int.class, long.class, long.class, MemorySegment.class, long.class, int.class,
                        MemorySegment.class)),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS), Arena.global());
        for (TlsVersion version : new TlsVersion[] {TlsVersion.TLS1_3, TlsVersion.TLS1_2}) {
            SelfSignedCertificate certificate = SelfSignedCertificate.generate("localhost");
            try (SslContext server = SslContext.forServer().certificate(certificate.certificatePem(), certificate.privateKeyPem())
                    .protocol(version).serverSessionCache(false).numTickets(1).build();
                 SslContext client = SslContext.forClient().protocol(version).build();
                 Arena arena = Arena.ofConfined()) {
                long serverContext = server.address();
                long clientContext = client.address();
                if ((int) SSL_CTX_set_session_ticket_cb.invokeExact(serverContext, generate, decrypt, MemorySegment.NULL) != 1) {
                    throw new IllegalStateException("SSL_CTX_set_session_ticket_cb");
                }
                MemorySegment pair = arena.allocate(JAVA_LONG, 2);
                MemorySegment oneByte = arena.allocate(1);
                long session = 0;
                int iterations = version == TlsVersion.TLS1_2 ? 20_000 : 5_000;
                for (int round = 0; round < 4; round++) {
                    long start = System.nanoTime();
                    for (int i = 0; i < iterations; i++) {
                        long s = (long) SSL_new.invokeExact(serverContext);
                        long c = (long) SSL_new.invokeExact(clientContext);
                        if ((int) BIO_new_bio_pair.invokeExact(pair, 0L, pair.asSlice(8), 0L) != 1) {
                            throw new IllegalStateException("BIO_new_bio_pair");
                        }
                        SSL_set_bio.invokeExact(c, pair.get(JAVA_LONG, 0), pair.get(JAVA_LONG, 0));
                        SSL_set_bio.invokeExact(s, pair.get(JAVA_LONG, 8), pair.get(JAVA_LONG, 8));
                        SSL_set_accept_state.invokeExact(s);
                        SSL_set_connect_state.invokeExact(c);
                        if (session != 0 && (int) SSL_set_session.invokeExact(c, session) != 1) {
                            throw new IllegalStateException("SSL_set_session");
                        }
                        int serverDone = 0;
                        int clientDone = 0;
                        for (int step = 0; step < 64 && !(serverDone == 1 && clientDone == 1); step++) {
                            clientDone = step(c, clientDone == 1, oneByte);
                            serverDone = step(s, serverDone == 1, oneByte);
                            if (clientDone < 0 || serverDone < 0) {
                                throw new IllegalStateException("handshake");
                            }
                        }
                        if (step(c, true, oneByte) < 0 || (session != 0 && (int) SSL_session_reused.invokeExact(c) != 1)) {
                            throw new IllegalStateException("resumption");
                        }
                        long next = (long) SSL_get1_session.invokeExact(c);
                        if (session != 0) {
                            SSL_SESSION_free.invokeExact(session);
                        }
                        session = next;
                        for (long ssl : new long[] {c, s}) {
                            if ((int) SSL_is_init_finished.invokeExact(ssl) == 1) {
                                int ignored = (int) SSL_shutdown.invokeExact(ssl);
                            }
                            SSL_free.invokeExact(ssl);
                        }
                        ERR_clear_error.invokeExact();
                    }
                    double rate = iterations / ((System.nanoTime() - start) / 1e9);
                    if (round > 0) {
                        System.out.printf(Locale.ROOT, "FFM raw loop (%s): resumed %s %.0f handshakes/s%n",
                                System.getProperty("java.version"), version.openSslName(), rate);
                    }
                }
                SSL_SESSION_free.invokeExact(session);
                Reference.reachabilityFence(server);
                Reference.reachabilityFence(client);
            }
        }
    }
}
