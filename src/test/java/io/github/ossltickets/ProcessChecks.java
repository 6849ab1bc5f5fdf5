package io.github.ossltickets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * This process's open file descriptors by number, each with what it is ("socket:[1234]", a path),
     * without the listing's own. With {@link #openedSince} a test sees what it left open even while another
     * test's threads close theirs.
     */
    public static Map<String, String> fileDescriptorTable() {
        Map<String, String> open = new TreeMap<>();
        String listing = "/proc/" + ProcessHandle.current().pid() + "/fd";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.equals(listing)) {
                        open.put(fd.getFileName().toString(), target);
                    }
                } catch (IOException closedMeanwhile) {
                    // closed since the listing
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
        return open;
    }

    /** The descriptors open now that {@code before} did not have: opened since, and not closed. */
    public static Map<String, String> openedSince(Map<String, String> before) {
        Map<String, String> opened = fileDescriptorTable();
        opened.entrySet().removeIf(fd -> fd.getValue().equals(before.get(fd.getKey())));
        return opened;
    }

    /**
     * The library's classes for a child JVM's class path: its class directory and, when the build has
     * them, the Java 22 classes (the FFM backend) beside it in META-INF/versions/22, which only a jar
     * reads as a version. Without them a child on JDK 22+ fails: "the FFM backend ... is missing".
     */
    public static String libraryClasses() {
        try {
            Path classes = Path.of(OpenSsl.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path java22 = classes.resolve("META-INF/versions/22");
            return Files.isDirectory(java22) ? classes + java.io.File.pathSeparator + java22 : classes.toString();
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * True when no kind of native object the library counts is more numerous than in {@code baseline}:
     * nothing this test made is left. Not equality: in a shared test JVM an earlier test's objects may
     * be collected and freed meanwhile (seen: 20 sessions before, 0 after).
     */
    public static boolean noMoreThan(OpenSsl.LiveObjects baseline) {
        OpenSsl.LiveObjects now = OpenSsl.liveObjects();
        return now.contexts() <= baseline.contexts() && now.connections() <= baseline.connections()
                && now.sessions() <= baseline.sessions() && now.networkBios() <= baseline.networkBios()
                && now.contextsWithCallbacks() <= baseline.contextsWithCallbacks();
    }

    /** Runs {@code owner.method()} (static, no arguments) in a child JVM; fails if it throws, crashes or hangs. */
    public static void runInChildJvm(Class<?> owner, String method, String... jvmOptions) {
        ChildJvm.run(owner, method, jvmOptions);
    }
}
