package io.github.ossltickets.bench;

import com.sun.jna.Native;
import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.SSL_CTX_decrypt_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_CTX_generate_session_ticket_fn;

import java.nio.file.Path;
import java.util.Locale;

/**
 * JNA's floor, the cost no binding on JNA can avoid: one direct-mapped downcall that does nothing
 * ({@code OpenSSL_version_num}) and one generate plus one decrypt upcall into empty Java methods
 * (native/upcall_bench.c calls them). Its FFM twin, FfmCallFloor, runs on JDK 22+. scripts/bench
 * --profile prints both. Not a test.
 */
public final class CallFloor {
    static {
        OpenSsl.ensureLoaded();
        Native.register(CallFloor.class, Path.of("native", "build", "libupcall_bench.so").toAbsolutePath().toString());
    }

    static native long upcall_pairs(SSL_CTX_generate_session_ticket_fn gen, SSL_CTX_decrypt_session_ticket_fn dec,
                                    long s, long ss, long n);

    private static final SSL_CTX_generate_session_ticket_fn EMPTY_GENERATE = (s, arg) -> 1;
    private static final SSL_CTX_decrypt_session_ticket_fn EMPTY_DECRYPT = (s, ss, keyname, length, status, arg) -> 3;

    private CallFloor() {
    }

    public static void main(String[] args) {
        for (int round = 0; round < 5; round++) {
            long pairs = 1_000_000;
            long start = System.nanoTime();
            if (upcall_pairs(EMPTY_GENERATE, EMPTY_DECRYPT, 0, 0, pairs) != pairs) {
                throw new IllegalStateException("an upcall failed");
            }
            long middle = System.nanoTime();
            long calls = 5_000_000;
            long sum = 0;
            for (long i = 0; i < calls; i++) {
                sum += LibCrypto.OpenSSL_version_num();
            }
            long end = System.nanoTime();
            if (round >= 2) { // after warm-up
                System.out.printf(Locale.ROOT, "JNA (%s): empty upcall pair %.0f ns, empty downcall %.1f ns (%d)%n",
                        System.getProperty("java.version"), (middle - start) / (double) pairs, (end - middle) / (double) calls,
                        sum & 1);
            }
        }
    }
}
