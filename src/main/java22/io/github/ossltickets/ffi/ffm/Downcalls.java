package io.github.ossltickets.ffi.ffm;

import io.github.ossltickets.ffi.LoadErrors;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * How {@link LibSsl} and {@link LibCrypto} make their method handles: the libraries opened with
 * {@code dlopen} (as JNA opens them, so "not found" and "found but refused" keep the dynamic linker's
 * words), and the three kinds of downcall.
 */
final class Downcalls {
    private Downcalls() {}

    static final Linker LINKER = Linker.nativeLinker();

    /** May run Java (our callbacks or another library's) or run long: a normal downcall. */
    static final Linker.Option[] CALLS_BACK = {};
    /** Never calls back and returns quickly: no thread-state transition. */
    static final Linker.Option[] LEAF = {Linker.Option.critical(false)};
    /** As LEAF, and reads or writes Java arrays in place (heap segments), which only a critical call may. */
    static final Linker.Option[] LEAF_WITH_ARRAYS = {Linker.Option.critical(true)};

    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_GLOBAL = 0x100;
    private static final int RTLD_DI_LINKMAP = 2;
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle DLOPEN = libc("dlopen", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
    private static final MethodHandle DLSYM = libc("dlsym", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS));
    private static final MethodHandle DLERROR = libc("dlerror", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle DLINFO = libc("dlinfo", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS));

    /** Set by {@link FfmBackend#load} before LibCrypto and LibSsl are initialized. */
    static volatile Library crypto;
    static volatile Library ssl;

    /** One opened library: the name asked for, its handle and the file the dynamic linker chose. */
    record Library(String name, long handle, String file) {}

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("the C library has no " + name)), descriptor);
    }

    /** {@code dlopen(name, RTLD_LAZY | RTLD_GLOBAL)}, as JNA does: global, so helpers and other libraries share it. */
    static Library open(String name, String property) {
        try (Arena arena = Arena.ofConfined()) {
            long handle = (long) DLOPEN.invokeExact(arena.allocateFrom(name), RTLD_LAZY | RTLD_GLOBAL);
            if (handle == 0) {
                throw LoadErrors.cannotOpen(name, property, dlerror(), null);
            }
            MemorySegment linkMap = arena.allocate(ADDRESS);
            String file = name;
            if ((int) DLINFO.invokeExact(handle, RTLD_DI_LINKMAP, linkMap) == 0) {
                // struct link_map { ElfW(Addr) l_addr; char *l_name; ... }
                file = linkMap.get(ADDRESS, 0).reinterpret(16).get(ADDRESS, 8).reinterpret(4096).getString(0);
            }
            return new Library(name, handle, file);
        } catch (UnsatisfiedLinkError e) {
            throw e;
        } catch (Throwable e) {
            throw unexpected("dlopen", e);
        }
    }

    private static String dlerror() throws Throwable {
        long message = (long) DLERROR.invokeExact();
        return message == 0 ? "(no message)" : MemorySegment.ofAddress(message).reinterpret(4096).getString(0);
    }

    private static Optional<MemorySegment> find(Library library, String symbol) {
        try (Arena arena = Arena.ofConfined()) {
            long address = (long) DLSYM.invokeExact(library.handle(), arena.allocateFrom(symbol));
            return address == 0 ? Optional.empty() : Optional.of(MemorySegment.ofAddress(address));
        } catch (Throwable e) {
            throw unexpected("dlsym", e);
        }
    }

    static MethodHandle ssl(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return downcall(ssl, name, descriptor, options);
    }

    static MethodHandle crypto(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return downcall(crypto, name, descriptor, options);
    }

    private static MethodHandle downcall(Library library, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        if (library == null) {
            throw new UnsatisfiedLinkError("OpenSSL is not loaded: call io.github.ossltickets.OpenSsl.ensureLoaded()");
        }
        MemorySegment symbol = find(library, name).orElseThrow(() -> LoadErrors.cannotBind(library.name(),
                library.file(), "Error looking up function '" + name + "': undefined symbol", null));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A Java array as a heap segment, for a critical call; NULL for null. */
    static MemorySegment heap(byte[] array) {
        return array == null ? MemorySegment.NULL : MemorySegment.ofArray(array);
    }

    static MemorySegment heap(long[] array) {
        return array == null ? MemorySegment.NULL : MemorySegment.ofArray(array);
    }

    static MemorySegment heap(int[] array) {
        return array == null ? MemorySegment.NULL : MemorySegment.ofArray(array);
    }

    /** A downcall handle threw: only an argument the linker refuses can, which is a bug here. */
    static RuntimeException unexpected(String function, Throwable e) {
        if (e instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(function + " failed in the FFM linker: " + e, e);
    }
}
