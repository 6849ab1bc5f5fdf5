package io.github.ossltickets.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CallFloor's measurements through the JDK's FFM API (JDK 22+) instead of JNA: the same empty downcall
 * and the same generate plus decrypt upcall pair, driven by native/upcall_bench.c. Not a test.
 */
public final class FfmCallFloor {
    private FfmCallFloor() {
    }

    static int generate(MemorySegment s, MemorySegment arg) {
        return 1;
    }

    static int decrypt(MemorySegment s, MemorySegment ss, MemorySegment keyname, long length, int status, MemorySegment arg) {
        return 3; // SSL_TICKET_RETURN_USE
    }

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        Arena arena = Arena.global();
        SymbolLookup ssl = SymbolLookup.libraryLookup("libssl.so.3", arena);
        SymbolLookup helper = SymbolLookup.libraryLookup(Path.of("native", "build", "libupcall_bench.so").toAbsolutePath(), arena);
        MethodHandle pairs = linker.downcallHandle(helper.find("upcall_pairs").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        MethodHandle version = linker.downcallHandle(ssl.find("OpenSSL_version_num").orElseThrow(), FunctionDescriptor.of(JAVA_LONG));
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MemorySegment generate = linker.upcallStub(lookup.findStatic(FfmCallFloor.class, "generate",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class)),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), arena);
        MemorySegment decrypt = linker.upcallStub(lookup.findStatic(FfmCallFloor.class, "decrypt",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, MemorySegment.class, long.class,
                        int.class, MemorySegment.class)),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS), arena);
        for (int round = 0; round < 5; round++) {
            long count = 1_000_000;
            long start = System.nanoTime();
            if ((long) pairs.invokeExact(generate, decrypt, MemorySegment.NULL, MemorySegment.NULL, count) != count) {
                throw new IllegalStateException("an upcall failed");
            }
            long middle = System.nanoTime();
            long calls = 5_000_000;
            long sum = 0;
            for (long i = 0; i < calls; i++) {
                sum += (long) version.invokeExact();
            }
            long end = System.nanoTime();
            if (round >= 2) {
                System.out.printf(Locale.ROOT, "FFM (%s): empty upcall pair %.0f ns, empty downcall %.1f ns (%d)%n",
                        System.getProperty("java.version"), (middle - start) / (double) count, (end - middle) / (double) calls,
                        sum & 1);
            }
        }
    }
}
