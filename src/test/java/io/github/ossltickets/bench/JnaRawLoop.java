package io.github.ossltickets.bench;

import com.sun.jna.Native;
import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the binding's time goes, in two loops of resumed handshakes on the binding's contexts and
 * callbacks: native/resume_bench.c's loop run in C inside this JVM ({@code c_resumed_loop} of
 * libupcall_bench.so), and the same loop written in Java with raw JNA calls and no handles. The first
 * shows what the JVM's process costs OpenSSL, the second what JNA costs; the binding's own figure is
 * HandshakeBench's. FfmRawLoop is the FFM twin of the second. Run by scripts/bench --profile. Not a test.
 */
public final class JnaRawLoop {
    static {
        OpenSsl.ensureLoaded();
        Native.register(JnaRawLoop.class, Path.of("native", "build", "libupcall_bench.so").toAbsolutePath().toString());
    }

    static native double c_resumed_loop(int tls12, long iterations);

    private JnaRawLoop() {
    }

    private static int step(long ssl, boolean done, byte[] oneByte) {
        LibCrypto.ERR_clear_error();
        int ret = done ? LibSsl.SSL_read(ssl, oneByte, 1) : LibSsl.SSL_do_handshake(ssl);
        if (ret > 0) {
            return done ? -1 : 1;
        }
        int error = LibSsl.SSL_get_error(ssl, ret);
        return error == LibSsl.SSL_ERROR_WANT_READ || error == LibSsl.SSL_ERROR_WANT_WRITE ? (done ? 1 : 0) : -1;
    }

    public static void main(String[] args) {
        for (TlsVersion version : new TlsVersion[] {TlsVersion.TLS1_3, TlsVersion.TLS1_2}) {
            int iterations = version == TlsVersion.TLS1_2 ? 20_000 : 5_000;
            for (int round = 0; round < 3; round++) {
                double rate = c_resumed_loop(version == TlsVersion.TLS1_2 ? 1 : 0, iterations);
                if (round > 0) {
                    System.out.printf(Locale.ROOT, "C loop inside the JVM: resumed %s %.0f handshakes/s%n", version.openSslName(), rate);
                }
            }
            SelfSignedCertificate certificate = SelfSignedCertificate.generate("localhost");
            try (SslContext server = SslContext.forServer().certificate(certificate.certificatePem(), certificate.privateKeyPem())
                    .protocol(version).serverSessionCache(false).numTickets(1).build();
                 SslContext client = SslContext.forClient().protocol(version).build()) {
                server.setTicketCallbacks((ssl, session) -> {
                    session.setTicketAppData(HandshakeBench.APP_DATA);
                    return true;
                }, (ssl, session, keyName, status) -> session.isPresent()
                        && session.get().ticketAppData().length != HandshakeBench.APP_DATA.length
                        ? TicketReturn.ABORT : TicketReturn.defaultFor(status));
                long serverContext = server.address();
                long clientContext = client.address();
                byte[] oneByte = new byte[1];
                long session = 0;
                for (int round = 0; round < 4; round++) {
                    long start = System.nanoTime();
                    for (int i = 0; i < iterations; i++) {
                        long s = LibSsl.SSL_new(serverContext);
                        long c = LibSsl.SSL_new(clientContext);
                        long[] clientBio = new long[1];
                        long[] serverBio = new long[1];
                        if (LibCrypto.BIO_new_bio_pair(clientBio, 0, serverBio, 0) != 1) {
                            throw new IllegalStateException("BIO_new_bio_pair");
                        }
                        LibSsl.SSL_set_bio(c, clientBio[0], clientBio[0]);
                        LibSsl.SSL_set_bio(s, serverBio[0], serverBio[0]);
                        LibSsl.SSL_set_accept_state(s);
                        LibSsl.SSL_set_connect_state(c);
                        if (session != 0 && LibSsl.SSL_set_session(c, session) != 1) {
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
                        if (step(c, true, oneByte) < 0 || (session != 0 && LibSsl.SSL_session_reused(c) != 1)) {
                            throw new IllegalStateException("resumption");
                        }
                        long next = LibSsl.SSL_get1_session(c);
                        if (session != 0) {
                            LibSsl.SSL_SESSION_free(session);
                        }
                        session = next;
                        for (long ssl : new long[] {c, s}) {
                            if (LibSsl.SSL_is_init_finished(ssl) == 1) {
                                LibSsl.SSL_shutdown(ssl);
                            }
                            LibSsl.SSL_free(ssl);
                        }
                        LibCrypto.ERR_clear_error();
                    }
                    double rate = iterations / ((System.nanoTime() - start) / 1e9);
                    if (round > 0) {
                        System.out.printf(Locale.ROOT, "JNA raw loop (%s): resumed %s %.0f handshakes/s%n",
                                System.getProperty("java.version"), version.openSslName(), rate);
                    }
                }
                LibSsl.SSL_SESSION_free(session);
                // The raw addresses are borrowed from the handles: keep them open (and reachable) until here.
                Reference.reachabilityFence(server);
                Reference.reachabilityFence(client);
            }
        }
    }
}
