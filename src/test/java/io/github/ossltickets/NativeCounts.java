package io.github.ossltickets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * For tests outside the root package: counts of live native objects and open file descriptors, to
 * show that nothing leaked, and {@link ChildJvm} for cases that could crash the JVM.
 */
public final class NativeCounts {
    private NativeCounts() {}

    /** Owned {@code SSL*} not yet freed. */
    public static long liveConnections() {
        return NativeRef.Kind.CONNECTION.live();
    }

    /** Network ends of BIO pairs ({@link NetworkBio}) not yet freed. */
    public static long liveNetworkBios() {
        return NativeRef.Kind.NETWORK_BIO.live();
    }

    /** This process's open file descriptors ({@code /proc/self/fd}). */
    public static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
    }

    /** Runs {@code owner.method()} (static, no arguments) in a child JVM; fails if it throws, crashes or hangs. */
    public static void runInChildJvm(Class<?> owner, String method, String... jvmOptions) {
        ChildJvm.run(owner, method, jvmOptions);
    }
}
