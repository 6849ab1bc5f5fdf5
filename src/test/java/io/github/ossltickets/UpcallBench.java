package io.github.ossltickets;

import com.sun.jna.Native;
import io.github.ossltickets.ffi.SSL_CTX_decrypt_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_CTX_generate_session_ticket_fn;
import io.github.ossltickets.net.InMemoryConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Workload (d): one generate plus one decrypt upcall, as OpenSSL makes them, through the bridges a
 * context installs, with the same user callbacks as HandshakeBench (set 20 bytes of app data, read them
 * back). native/upcall_bench.c calls them in a loop, so a handshake's cost is not in the figure. The
 * connection is one no Java call drives, as under Tomcat or Netty. On the FFM backend the C loop calls
 * the bridges' FFM upcall stubs. Run by scripts/bench, never by the tests.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UpcallBench {
    private static final int PAIRS = 1000;
    private static final byte[] APP_DATA = "user=alice;policy=v1".getBytes(StandardCharsets.US_ASCII);

    static {
        OpenSsl.ensureLoaded(); // the same libssl first, so the helper links to the copy we use
        Native.register(UpcallBench.class, Path.of("native", "build", "libupcall_bench.so").toAbsolutePath().toString());
    }

    static native long upcall_pairs(SSL_CTX_generate_session_ticket_fn gen, SSL_CTX_decrypt_session_ticket_fn dec,
                                    long s, long ss, long n);

    /**
     * The same C function given the bridges' FFM upcall stubs: on the FFM backend OpenSSL calls the
     * stubs, not JNA's callbacks. One JNA downcall per 1,000 pairs costs nothing in the figure.
     */
    static final class ByPointer {
        static {
            Native.register(ByPointer.class, Path.of("native", "build", "libupcall_bench.so").toAbsolutePath().toString());
        }

        static native long upcall_pairs(long gen, long dec, long s, long ss, long n);

        /** {@code io.github.ossltickets.ffi.ffm.FfmBackend.functionPointer}: a Java 22 class, so by reflection. */
        static long pointer(Object callback) {
            try {
                return (long) Class.forName("io.github.ossltickets.ffi.ffm.FfmBackend")
                        .getMethod("functionPointer", com.sun.jna.Callback.class).invoke(null, callback);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private long generatePointer;
    private long decryptPointer;

    private SslContext server;
    private SslContext client;
    private InMemoryConnection connection;
    private SslSession session;
    private ContextCallbacks callbacks;

    @Setup(Level.Trial)
    public void setUp() {
        server = SslContext.forServer().selfSignedCertificate().protocol(TlsVersion.TLS1_3).build();
        client = SslContext.forClient().protocol(TlsVersion.TLS1_3).build();
        server.setTicketCallbacks((ssl, ticketSession) -> {
            ticketSession.setTicketAppData(APP_DATA);
            return true;
        }, (ssl, ticketSession, keyName, status) -> {
            if (ticketSession.isPresent() && ticketSession.get().ticketAppData().length != APP_DATA.length) {
                return TicketReturn.ABORT;
            }
            return TicketReturn.defaultFor(status);
        });
        connection = InMemoryConnection.open(server, client);
        connection.handshake();
        session = connection.server().session().orElseThrow();
        callbacks = ContextCallbacks.of(server.address());
        if (OpenSsl.backend().equals("ffm")) {
            generatePointer = ByPointer.pointer(callbacks.generate); // the stubs the context already made
            decryptPointer = ByPointer.pointer(callbacks.decrypt);
        }
    }

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public long generateAndDecrypt() {
        long done = generatePointer != 0
                ? ByPointer.upcall_pairs(generatePointer, decryptPointer, connection.server().address(),
                        session.address(), PAIRS)
                : upcall_pairs(callbacks.generate, callbacks.decrypt, connection.server().address(),
                        session.address(), PAIRS);
        if (done != PAIRS) {
            throw new IllegalStateException("an upcall failed");
        }
        return done;
    }

    /** JNA's floor: the same two upcalls into Java methods that do nothing and allocate nothing. */
    private static final SSL_CTX_generate_session_ticket_fn EMPTY_GENERATE = (s, arg) -> 1;
    private static final SSL_CTX_decrypt_session_ticket_fn EMPTY_DECRYPT = (s, ss, keyname, keynameLength, status, arg)
            -> TicketReturn.USE.code();

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public long emptyJnaCallbacks() {
        return upcall_pairs(EMPTY_GENERATE, EMPTY_DECRYPT, connection.server().address(), session.address(), PAIRS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        connection.close();
        server.close();
        client.close();
    }
}
