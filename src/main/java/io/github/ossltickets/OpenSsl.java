package io.github.ossltickets;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;

import java.io.File;

/**
 * Loads the system's OpenSSL 3 once per JVM and reports what was loaded.
 *
 * <p>By default it binds {@code libcrypto.so.3} and {@code libssl.so.3}, versioned names that need no
 * -dev package and cannot pick up another major version. The system properties
 * {@code ossltickets.libcrypto} and {@code ossltickets.libssl} name other files (a path or a name).
 * A failure is kept and thrown again, with the names tried, on every later use; its message says
 * whether the library was not found, or found but unusable (a missing symbol, a version before 3.0).
 */
public final class OpenSsl {
    private OpenSsl() {}

    /** The lowest {@code OpenSSL_version_num()} accepted: 3.0.0. */
    public static final long MINIMUM_VERSION = 0x30000000L;

    /** Loads OpenSSL if no call has yet; throws the kept {@link UnsatisfiedLinkError} if loading failed. */
    public static void ensureLoaded() {
        if (Loaded.FAILURE != null) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(Loaded.FAILURE.getMessage());
            error.initCause(Loaded.FAILURE);
            throw error;
        }
    }

    /** {@code OpenSSL_version(OPENSSL_VERSION)}, such as "OpenSSL 3.0.19 27 Jan 2026". */
    public static String version() {
        ensureLoaded();
        return LibCrypto.OpenSSL_version(0).getString(0);
    }

    /** {@code OpenSSL_version_num()}, such as 0x30000130 for 3.0.19. */
    public static long versionNumber() {
        ensureLoaded();
        return LibCrypto.OpenSSL_version_num();
    }

    /**
     * Native objects the library owns and has not freed yet: contexts, connections, sessions and
     * network BIOs held by open (or not yet collected) handles; and {@code contextsWithCallbacks}, the
     * native contexts, ours or borrowed, that carry this library's callbacks and that OpenSSL has not
     * freed yet. For leak checks and server dashboards.
     */
    public record LiveObjects(long contexts, long connections, long sessions, long networkBios,
            long contextsWithCallbacks) {}

    /** How many native objects the library holds right now; see {@link LiveObjects}. */
    public static LiveObjects liveObjects() {
        return new LiveObjects(NativeRef.Kind.CONTEXT.live(), NativeRef.Kind.CONNECTION.live(),
                NativeRef.Kind.SESSION.live(), NativeRef.Kind.NETWORK_BIO.live(), ContextCallbacks.liveContexts());
    }

    /** Holder idiom: the JVM runs this exactly once, on first use, thread-safely. */
    private static final class Loaded {
        static final UnsatisfiedLinkError FAILURE = load();

        private static UnsatisfiedLinkError load() {
            if (Native.SIZE_T_SIZE != 8 || Native.POINTER_SIZE != 8) {
                return new UnsatisfiedLinkError("ossl-tickets maps size_t and pointers to Java long and needs a"
                        + " 64-bit JVM; this one has size_t of " + Native.SIZE_T_SIZE + " bytes");
            }
            String crypto = System.getProperty("ossltickets.libcrypto", LibCrypto.DEFAULT_NAME);
            String ssl = System.getProperty("ossltickets.libssl", LibSsl.DEFAULT_NAME);
            try {
                // libcrypto first: libssl needs it, and our crypto calls must bind the same copy.
                register(LibCrypto.class, crypto, "ossltickets.libcrypto");
                register(LibSsl.class, ssl, "ossltickets.libssl");
            } catch (UnsatisfiedLinkError e) {
                return e;
            }
            long version = LibCrypto.OpenSSL_version_num();
            if (version < MINIMUM_VERSION) {
                return new UnsatisfiedLinkError(String.format("OpenSSL found (%s, %s) but its version 0x%x is"
                        + " older than 3.0.0, which ossl-tickets needs", crypto, ssl, version));
            }
            return null;
        }

        private static void register(Class<?> mapping, String name, String property) {
            NativeLibrary library;
            try {
                library = NativeLibrary.getInstance(name);
            } catch (UnsatisfiedLinkError e) {
                String dlopen = linkerMessage(e.getMessage());
                if (!dlopen.contains(new File(name).getName() + ": cannot open shared object file")) {
                    // The file is there, but the dynamic linker refused it or one of its dependencies.
                    throw chained(new UnsatisfiedLinkError("OpenSSL library found but failed to load: '" + name
                            + "': the dynamic linker says: " + dlopen + " (set -D" + property
                            + "=/path/to/file to choose another)"), e);
                }
                throw chained(new UnsatisfiedLinkError("OpenSSL library not found: tried '" + name + "'"
                        + (new File(name).isAbsolute() ? "" : " on the system library path")
                        + " (set -D" + property + "=/path/to/file to choose another): " + dlopen), e);
            }
            try {
                Native.register(mapping, library);
            } catch (UnsatisfiedLinkError e) {
                throw chained(new UnsatisfiedLinkError("OpenSSL library found but failed to bind: '" + name
                        + "' loaded from " + library.getFile() + ", but " + e.getMessage()), e);
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

        private static UnsatisfiedLinkError chained(UnsatisfiedLinkError error, Throwable cause) {
            error.initCause(cause);
            return error;
        }
    }
}
