package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.Raw;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

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
        return OPENSSL.string(OPENSSL.OpenSSL_version(0));
    }

    /** {@code OpenSSL_version_num()}, such as 0x30000130 for 3.0.19. */
    public static long versionNumber() {
        ensureLoaded();
        return OPENSSL.OpenSSL_version_num();
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

    /**
     * The raw layer in use: "ffm" (the JDK's {@code java.lang.foreign}, the default on JDK 22 and later)
     * or "jna" (the default on JDK 17 to 21). {@code -Dossltickets.backend=jna} or {@code ffm} chooses;
     * asking for one that cannot run here fails loading with the reason, never falls back.
     */
    public static String backend() {
        ensureLoaded();
        return OPENSSL.name();
    }

    /** Holder idiom: the JVM runs this exactly once, on first use, thread-safely. */
    private static final class Loaded {
        static final UnsatisfiedLinkError FAILURE = load();

        private static UnsatisfiedLinkError load() {
            if (Raw.CHOICE_FAILURE != null) {
                return Raw.CHOICE_FAILURE;
            }
            String crypto = System.getProperty("ossltickets.libcrypto", LibCrypto.DEFAULT_NAME);
            String ssl = System.getProperty("ossltickets.libssl", LibSsl.DEFAULT_NAME);
            try {
                OPENSSL.load(crypto, ssl);
            } catch (UnsatisfiedLinkError e) {
                return e;
            }
            long version = OPENSSL.OpenSSL_version_num();
            if (version < MINIMUM_VERSION) {
                return new UnsatisfiedLinkError(String.format("OpenSSL found (%s, %s) but its version 0x%x is"
                        + " older than 3.0.0, which ossl-tickets needs", crypto, ssl, version));
            }
            return null;
        }
    }
}
