package io.github.ossltickets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * For tests outside the root package: this process's open file descriptors, to show that nothing
 * leaked ({@link OpenSsl#liveObjects()} counts the native objects), and {@link ChildJvm} for cases that
 * could crash the JVM.
 */
public final class ProcessChecks {
    private ProcessChecks() {}

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
