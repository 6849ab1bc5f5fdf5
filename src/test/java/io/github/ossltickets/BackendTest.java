package io.github.ossltickets;

import com.sun.jna.Native;
import io.github.ossltickets.ffi.Raw;
import io.github.ossltickets.probe.BackendProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which raw layer runs: FFM by default on JDK 22 and later, JNA before, and exactly the one
 * {@code -Dossltickets.backend} names, never a silent fallback. The choice is made once per JVM, so
 * each case runs {@link BackendProbe} (a resumed handshake with app data through both ticket
 * callbacks) in a child JVM. The native-access cases run the flags exactly as the README gives them,
 * under {@code --illegal-native-access=deny} (JDK 24+), where a missing flag is an error, not a warning.
 */
@Timeout(300)
class BackendTest {
    private static final int FEATURE = Runtime.version().feature();
    private static final String WORKS = "resumed=true appData=probe";

    private record Child(int exit, String output) {}

    @Test
    void thisJvmRunsTheBackendItWasAskedFor() {
        String asked = System.getProperty(Raw.PROPERTY);
        String expected = asked != null ? asked : FEATURE >= Raw.FFM_FEATURE ? "ffm" : "jna";
        assertEquals(expected, OpenSsl.backend());
    }

    /**
     * FFM: every upcall stub a context's bridges got (tickets, ClientHello, ALPN choice) is freed when
     * OpenSSL frees that SSL_CTX, as JNA's become collectable then. The first round makes the
     * process-wide stubs (the ex_data free callbacks), which are never freed.
     */
    @Test
    void onFfmAContextsUpcallStubsAreFreedWithIt() throws Exception {
        assumeTrue(OpenSsl.backend().equals("ffm"), "FFM only: JNA frees a stub when its object is collected");
        handshakeWithEveryContextCallback();
        int before = liveUpcalls();
        int during = handshakeWithEveryContextCallback();
        assertEquals(before + 4, during, "generate, decrypt, ClientHello and ALPN-select stubs while the context lives");
        assertEquals(before, liveUpcalls(), "stubs left after the SSL_CTX was freed");
    }

    /** A TLS 1.3 handshake through a server with ticket, ClientHello and ALPN callbacks; the stubs live then. */
    private static int handshakeWithEveryContextCallback() throws Exception {
        try (SslContext server = SslContext.forServer().certificate(Tls.CERTIFICATE.certificatePem(),
                Tls.CERTIFICATE.privateKeyPem()).protocol(TlsVersion.TLS1_3).alpnProtocols("h2").build();
                SslContext client = SslContext.forClient().protocol(TlsVersion.TLS1_3).alpnProtocols("h2").build()) {
            server.setClientHelloCallback((connection, hello) -> ClientHelloDecision.proceed());
            server.setTicketCallbacks((connection, session) -> true,
                    (connection, session, keyName, status) -> TicketReturn.defaultFor(status));
            Tls.Outcome outcome = Hellos.connect(server, client, "localhost", null);
            assertTrue(outcome.ok(), outcome.toString());
            if (outcome.session != null) {
                outcome.session.close();
            }
            return liveUpcalls();
        }
    }

    /** {@code FfmBackend.liveUpcalls()}, a Java 22 class: by reflection. */
    private static int liveUpcalls() throws ReflectiveOperationException {
        return (int) Class.forName("io.github.ossltickets.ffi.ffm.FfmBackend").getMethod("liveUpcalls").invoke(null);
    }

    @Test
    void theDefaultIsFfmFromJdk22AndJnaBefore() throws Exception {
        Child child = onClassPath(List.of("--enable-native-access=ALL-UNNAMED"));
        assertEquals(0, child.exit(), child.output());
        assertTrue(child.output().contains("backend=" + (FEATURE >= Raw.FFM_FEATURE ? "ffm" : "jna")), child.output());
        assertTrue(child.output().contains(WORKS), child.output());
    }

    @Test
    void thePropertyChoosesJnaOnAnyJdk() throws Exception {
        Child child = onClassPath(List.of("--enable-native-access=ALL-UNNAMED", "-Dossltickets.backend=jna"));
        assertEquals(0, child.exit(), child.output());
        assertTrue(child.output().contains("backend=jna"), child.output());
        assertTrue(child.output().contains(WORKS), child.output());
    }

    @Test
    void askingForFfmGivesFfmOrFailsSayingWhy() throws Exception {
        Child child = onClassPath(List.of("--enable-native-access=ALL-UNNAMED", "-Dossltickets.backend=ffm"));
        if (FEATURE >= Raw.FFM_FEATURE) {
            assertEquals(0, child.exit(), child.output());
            assertTrue(child.output().contains("backend=ffm"), child.output());
            assertTrue(child.output().contains(WORKS), child.output());
        } else {
            assertEquals(1, child.exit(), child.output());
            assertTrue(child.output().contains("-Dossltickets.backend=ffm needs JDK 22 or later; this is JDK "
                    + FEATURE), child.output());
        }
    }

    @Test
    void anUnknownBackendFailsLoadingWithItsName() throws Exception {
        Child child = onClassPath(List.of("-Dossltickets.backend=panama"));
        assertEquals(1, child.exit(), child.output());
        assertTrue(child.output().contains("-Dossltickets.backend=panama is not a backend: use jna or ffm"),
                child.output());
    }

    /** Class path, both backends: --enable-native-access=ALL-UNNAMED, and without it they are refused. */
    @Test
    void onTheClassPathEitherBackendNeedsAllUnnamed() throws Exception {
        assumeTrue(FEATURE >= 24, "--illegal-native-access exists from JDK 24");
        for (String backend : FEATURE >= Raw.FFM_FEATURE ? List.of("ffm", "jna") : List.of("jna")) {
            String property = "-Dossltickets.backend=" + backend;
            Child allowed = onClassPath(List.of("--illegal-native-access=deny", "--enable-native-access=ALL-UNNAMED",
                    property));
            assertEquals(0, allowed.exit(), allowed.output());
            assertTrue(allowed.output().contains("backend=" + backend + "\n" + WORKS), allowed.output());
            Child refused = onClassPath(List.of("--illegal-native-access=deny", property));
            assertTrue(refused.exit() != 0 && refused.output().contains("IllegalCallerException"),
                    backend + " without the flag: " + refused.output());
        }
    }

    /**
     * Module path: FFM needs {@code --enable-native-access=io.github.ossltickets} (the library's own
     * module makes the downcalls); JNA needs {@code com.sun.jna} (JNA's module loads its native library).
     * Each is refused with the other's flag.
     */
    @Test
    void onTheModulePathEachBackendNeedsTheModuleThatCallsNativeCode(@TempDir Path dir) throws Exception {
        assumeTrue(FEATURE >= 24, "--illegal-native-access exists from JDK 24");
        Path library = libraryJar(dir.resolve("ossl-tickets.jar"));
        Path jna = location(Native.class);
        String modulePath = library + File.pathSeparator + jna;
        Child ffm = onModulePath(modulePath, "ffm", "io.github.ossltickets");
        assertEquals(0, ffm.exit(), ffm.output());
        assertTrue(ffm.output().contains("backend=ffm\n" + WORKS), ffm.output());
        Child ffmWithJnaFlag = onModulePath(modulePath, "ffm", "com.sun.jna");
        assertTrue(ffmWithJnaFlag.exit() != 0 && ffmWithJnaFlag.output().contains("IllegalCallerException")
                && ffmWithJnaFlag.output().contains("io.github.ossltickets"), ffmWithJnaFlag.output());
        Child jnaBackend = onModulePath(modulePath, "jna", "com.sun.jna");
        assertEquals(0, jnaBackend.exit(), jnaBackend.output());
        assertTrue(jnaBackend.output().contains("backend=jna\n" + WORKS), jnaBackend.output());
        Child jnaWithOurFlag = onModulePath(modulePath, "jna", "io.github.ossltickets");
        assertTrue(jnaWithOurFlag.exit() != 0 && jnaWithOurFlag.output().contains("IllegalCallerException"),
                jnaWithOurFlag.output());
    }

    private static Child onClassPath(List<String> options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(options);
        command.addAll(List.of("-cp", testClassPath(), BackendProbe.class.getName()));
        return run(command);
    }

    private static Child onModulePath(String modulePath, String backend, String nativeAccess)
            throws IOException, InterruptedException, URISyntaxException {
        // The probe and the test dependencies stay on the class path; the library and JNA are modules.
        // target/classes and its Java 22 classes (FFM, Tomcat), which the tests see on the class path, are the jar.
        Path classes = location(OpenSsl.class);
        List<String> inTheJar = List.of(classes.toString(), classes.resolve("META-INF/versions/22").toString(),
                location(Native.class).toString());
        String classPath = Arrays.stream(testClassPath().split(File.pathSeparator))
                .filter(entry -> !inTheJar.contains(entry))
                .collect(Collectors.joining(File.pathSeparator));
        return run(List.of(java(), "--illegal-native-access=deny", "--enable-native-access=" + nativeAccess,
                "-Dossltickets.backend=" + backend, "--module-path", modulePath,
                "--add-modules", "io.github.ossltickets", "-cp", classPath, BackendProbe.class.getName()));
    }

    /**
     * target/classes as the jar plugin archives it: the multi-release layout, with the FFM backend under
     * META-INF/versions/22 and the module descriptor under versions/17, and the build's manifest.
     */
    private static Path libraryJar(Path jar) throws IOException, URISyntaxException {
        Path classes = location(OpenSsl.class);
        Manifest manifest;
        try (var in = Files.newInputStream(classes.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                String name = classes.relativize(path).toString().replace(File.separatorChar, '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                Files.copy(path, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Child run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + output);
        return new Child(process.exitValue(), output);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
