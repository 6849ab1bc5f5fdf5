package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Handshakes run from nearly full stacks, as code that caught a StackOverflowError and goes on runs them.
 * The JDK compiles a method handle anew ("customizes" it) on its 128th call, tens of frames deep; an FFM
 * upcall stub's target is one. When a stub's 128th call came with the stack nearly full, the
 * StackOverflowError struck in the stub's entry, before any handler of ours, and the JVM exited
 * ("Unrecoverable uncaught exception encountered"). Each stub is now called past that count when it is
 * made, on a stack proven deep. The case recurses to the end of a virtual thread's stack, and every frame
 * on the way back runs a resumption, in a fresh JVM whose stubs are all new. Whether a 128th call lands
 * where the stack is short enough depends on how warm the JDK's own method-handle code is: before the
 * fix, one run in three crashed when the case was the JVM's main class from a shell (none under Maven so far),
 * and none when run through
 * {@link ChildJvm}'s reflective call (which warms that code), so it is started as a main class here.
 */
@Timeout(150)
class DeepUpcallTest {
    private static final int RUNS = 2;

    @Test
    void handshakesFromNearlyFullStacksOfAVirtualThread() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads");
        for (int run = 0; run < RUNS; run++) {
            runAsMainClass();
        }
    }

    /** As {@link ChildJvm#run}, but with this class as the main class. */
    private static void runAsMainClass() throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:-CreateCoredumpOnCrash"));
        for (String property : java.util.List.of("ossltickets.libssl", "ossltickets.libcrypto", "ossltickets.backend")) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(java.util.List.of("-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), DeepUpcallTest.class.getName()));
        java.nio.file.Path output = java.nio.file.Files.createTempFile("DeepUpcallTest-", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            boolean finished = process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
            String text = java.nio.file.Files.readString(output);
            org.junit.jupiter.api.Assertions.assertTrue(finished, "the case hung; its output:\n" + text);
            assertEquals(0, process.exitValue(), "the case failed or ended its JVM; its output:\n"
                    + (text.length() > 8000 ? text.substring(0, 8000) : text));
        } finally {
            process.destroyForcibly();
            java.nio.file.Files.deleteIfExists(output);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            handshakesFromNearlyFullStacks();
        } catch (Throwable failure) {
            failure.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static SslContext server;
    private static SslContext client;
    private static SslSession saved;
    private static final AtomicInteger COMPLETED = new AtomicInteger();
    private static final AtomicInteger REFUSED = new AtomicInteger();
    private static final AtomicInteger FAILED = new AtomicInteger();

    static void handshakesFromNearlyFullStacks() throws Exception {
        server = SslContext.forServer().selfSignedCertificate().build();
        client = SslContext.forClient().build();
        server.setTicketCallbacks((connection, session) -> {
            session.setTicketAppData(new byte[] {1, 2, 3});
            return true;
        }, (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
        try (InMemoryConnection first = InMemoryConnection.open(server, client)) {
            first.handshake();
            saved = first.client().session().orElseThrow();
        }
        Runnable deep = () -> {
            try {
                recurse(0);
            } catch (StackOverflowError expected) {
                // every frame on the way back ran a resumption
            }
        };
        Thread thread = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, deep);
        thread.join();
        System.out.println("resumptions from deep frames: " + COMPLETED + " completed, " + REFUSED
                + " refused by a stack overflow or failed closed, " + FAILED + " failed otherwise");
        assertEquals(0, FAILED.get(), "resumptions that failed otherwise");
        org.junit.jupiter.api.Assertions.assertTrue(COMPLETED.get() > 500, "resumptions that completed from deep"
                + " frames, far past each stub's 128th call: " + COMPLETED.get());
        saved.close();
        server.close();
        client.close();
        for (int i = 0; i < 20 && OpenSsl.liveObjects().connections() > 0; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(0, OpenSsl.liveObjects().connections(), "connections left behind");
    }

    /** Recurses until the stack ends; then every frame, as the error passes it, runs a resumption. */
    private static void recurse(int depth) {
        try {
            recurse(depth + 1);
        } catch (StackOverflowError e) {
            resume();
            throw e;
        }
    }

    private static void resume() {
        try (InMemoryConnection connection = InMemoryConnection.open(server, client, saved)) {
            connection.handshake();
            COMPLETED.incrementAndGet();
        } catch (StackOverflowError tooDeepStill) {
            REFUSED.incrementAndGet(); // before OpenSSL was called (the stack is proven first)
        } catch (Throwable other) {
            if (overflowedWithin(other) || other instanceof OpenSslException) {
                // A callback or a close overflowed inside the call, and the handshake failed closed (the
                // overflow may strike the code that would have recorded it, so not every such failure names it).
                REFUSED.incrementAndGet();
            } else if (FAILED.getAndIncrement() == 0) {
                other.printStackTrace();
            }
        }
    }

    /** True if a StackOverflowError is among the causes or suppressed exceptions of {@code failure}. */
    private static boolean overflowedWithin(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StackOverflowError) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (overflowedWithin(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }
}
