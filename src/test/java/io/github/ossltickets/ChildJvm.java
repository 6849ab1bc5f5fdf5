package io.github.ossltickets;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs one static method of a test class in a fresh JVM. A case that could crash the JVM runs here:
 * if it regresses, that one named test fails and shows the crash, instead of the whole test JVM dying.
 * JVM options (a small heap, another collector) can be set per case.
 */
final class ChildJvm {
    private ChildJvm() {}

    private static final Path CRASH_DIR = Path.of("target", "crash");
    private static final long TIMEOUT_SECONDS = 120;

    /** Runs {@code owner.method()} in a child JVM; fails with its output if it throws, crashes or hangs. */
    static void run(Class<?> owner, String method, String... jvmOptions) {
        Process process = null;
        try {
            Files.createDirectories(CRASH_DIR);
            Path errorFile = CRASH_DIR.resolve("hs_err_pid%p_" + method + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:ErrorFile=" + errorFile, "-XX:-CreateCoredumpOnCrash"));
            command.addAll(List.of(jvmOptions));
            for (String property : List.of("ossltickets.libssl", "ossltickets.libcrypto", "ossltickets.backend")) {
                if (System.getProperty(property) != null) {
                    command.add("-D" + property + "=" + System.getProperty(property));
                }
            }
            command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
                    System.getProperty("java.class.path")), ChildJvm.class.getName(), owner.getName(), method));
            // The output goes to a file, not a pipe read here: reading a pipe to its end would wait for
            // a hung child forever, and the timeout below would never be reached.
            Path outputFile = Files.createTempFile(CRASH_DIR, method + "-", ".out");
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile()).start();
            boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(outputFile, StandardCharsets.UTF_8);
            Files.deleteIfExists(outputFile);
            if (!finished) {
                fail(method + " did not finish in " + TIMEOUT_SECONDS + " s (a hang); its output:\n" + text);
            }
            int exit = process.exitValue();
            if (text.contains("A fatal error has been detected by the Java Runtime Environment")) {
                fail(method + " CRASHED its child JVM (exit " + exit + "; crash log in " + CRASH_DIR + "):\n" + text);
            } else if (exit != 0) {
                fail(method + " failed in its child JVM (exit " + exit + "):\n" + text);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("could not run " + method + " in a child JVM", e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly(); // interrupted (a JUnit timeout): leave no child running
            }
        }
    }

    /** The child: runs the method; exit 0 if it returns, 1 if it throws. A crash gives another code. */
    public static void main(String[] args) throws ReflectiveOperationException {
        Method method = Class.forName(args[0]).getDeclaredMethod(args[1]);
        method.setAccessible(true);
        try {
            method.invoke(null);
        } catch (InvocationTargetException e) {
            e.getCause().printStackTrace();
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }
}
