package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library as a named module: a consumer module that {@code requires io.github.ossltickets} compiles
 * against the jar on the module path and runs the README's server, resuming a ticket, in a child JVM;
 * on the class path too. Each {@code --enable-native-access} flag the README gives is run as written,
 * on this JDK and on Temurin 25 when it is installed, and must leave stderr free of native-access warnings.
 */
@Timeout(120)
class ModulePathTest {
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    /** On the module path, JNA's module loads the native code (JDK 17-21, or -Dossltickets.backend=jna)... */
    private static final String JNA_MODULE_FLAG = "--enable-native-access=com.sun.jna";
    /** ...and ours calls it through FFM, the default backend on JDK 22+. */
    private static final String FFM_MODULE_FLAG = "--enable-native-access=io.github.ossltickets";
    private static final String CLASS_PATH_FLAG = "--enable-native-access=ALL-UNNAMED";

    /** The consumer: the README's "Attach it to a server" code in a module of its own, then a resumption. */
    private static String consumerSource() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## Attach it to a server\n");
        assertTrue(section >= 0, "README has no section Attach it to a server");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String snippet = readme.substring(start, readme.indexOf("```", start));
        snippet = snippet.substring(0, snippet.indexOf("try (Ssl ssl = server.newSsl())"));
        return String.join("\n",
                "package consumer;",
                "import io.github.ossltickets.*;",
                "import io.github.ossltickets.net.InMemoryConnection;",
                "import static java.nio.charset.StandardCharsets.UTF_8;",
                "public final class Main {",
                "    static String tenantOf(Ssl connection) { return \"acme\"; }",
                "    static boolean stillValid(byte[] appData) { return new String(appData, UTF_8).equals(\"tenant=acme\"); }",
                "    public static void main(String[] args) {",
                "        SelfSignedCertificate certificate = SelfSignedCertificate.generate(\"localhost\");",
                "        String certificatePem = certificate.certificatePem(), privateKeyPem = certificate.privateKeyPem();",
                snippet,
                "        try (SslContext client = SslContext.forClient().build()) {",
                "            SslSession ticket;",
                "            try (InMemoryConnection first = InMemoryConnection.open(server, client)) {",
                "                first.handshake();",
                "                ticket = first.client().session().orElseThrow();",
                "            }",
                "            try (InMemoryConnection second = InMemoryConnection.open(server, client, ticket)) {",
                "                second.handshake();",
                "                System.out.println(\"resumed=\" + second.server().isSessionReused());",
                "            }",
                "            ticket.close();",
                "        }",
                "        server.close();",
                "        Module module = SslContext.class.getModule();",
                "        System.out.println(\"module=\" + module.getName() + \" automatic=\"",
                "                + (module.getDescriptor() != null && module.getDescriptor().isAutomatic()));",
                "    }",
                "}");
    }

    /** The jar as Maven's jar plugin makes it from target/classes: the same entries, the same manifest. */
    private static Path libraryJar(Path dir) throws IOException {
        Path classes = Path.of("target", "classes");
        Path jar = dir.resolve("ossl-tickets.jar");
        Manifest manifest;
        try (var in = Files.newInputStream(classes.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                String name = classes.relativize(path).toString().replace('\\', '/');
                if (!name.equals("META-INF/MANIFEST.MF")) {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(path, out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    private static Path jnaJar() throws Exception {
        return Path.of(com.sun.jna.Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private record Run(int exit, String stdout, String stderr) {}

    private static Run java(Path javaHome, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).start();
        var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        }, runnable -> new Thread(runnable, "stderr of " + command.get(0)).start());
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 60 s");
        }
        return new Run(process.exitValue(), stdout, stderr.get(10, TimeUnit.SECONDS));
    }

    private static List<Path> jdks() {
        List<Path> jdks = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        if (Files.isExecutable(TEMURIN_25.resolve("bin/java")) && !jdks.get(0).equals(TEMURIN_25)) {
            jdks.add(TEMURIN_25);
        }
        return jdks;
    }

    private static boolean nativeAccessWarns(int feature) {
        return feature >= 22;
    }

    private static int feature(Path javaHome) throws Exception {
        Run version = java(javaHome, List.of("-version"));
        Matcher matcher = Pattern.compile("version \"(\\d+)").matcher(version.stderr);
        assertTrue(matcher.find(), version.stderr);
        return Integer.parseInt(matcher.group(1));
    }

    @Test
    void aModuleConsumerRunsTheReadmeServerWithTheReadmesFlagsAndNoWarning(@TempDir Path dir) throws Exception {
        Path library = libraryJar(dir);
        Path jna = jnaJar();
        Path source = dir.resolve("src/consumer");
        Files.createDirectories(source.resolve("consumer"));
        Files.writeString(source.resolve("module-info.java"), "module consumer { requires io.github.ossltickets; }\n");
        Files.writeString(source.resolve("consumer/Main.java"), consumerSource());
        Path classes = dir.resolve("consumer");
        String modulePath = library + java.io.File.pathSeparator + jna;
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, diagnostics, "--release", "17",
                "-d", classes.toString(), "--module-path", modulePath,
                source.resolve("module-info.java").toString(), source.resolve("consumer/Main.java").toString());
        assertEquals(0, compiled, "the consumer module does not compile against the jar:\n" + diagnostics);

        String classPath = library + java.io.File.pathSeparator + jna + java.io.File.pathSeparator + classes;
        String moduleRunPath = modulePath + java.io.File.pathSeparator + classes;
        for (Path jdk : jdks()) {
            int feature = feature(jdk);
            String moduleFlag = feature >= 22 ? FFM_MODULE_FLAG : JNA_MODULE_FLAG;
            Run onModulePath = java(jdk, List.of(moduleFlag, "-p", moduleRunPath, "-m", "consumer/consumer.Main"));
            assertEquals(0, onModulePath.exit, jdk + ", module path:\n" + onModulePath.stdout + onModulePath.stderr);
            assertEquals("resumed=true\nmodule=io.github.ossltickets automatic=false\n", onModulePath.stdout,
                    jdk + ": the library is a named module (not automatic) and resumes:\n" + onModulePath.stderr);
            assertEquals("", onModulePath.stderr, jdk + ", module path, " + moduleFlag);

            Run onClassPath = java(jdk, List.of(CLASS_PATH_FLAG, "-cp", classPath, "consumer.Main"));
            assertEquals(0, onClassPath.exit, jdk + ", class path:\n" + onClassPath.stdout + onClassPath.stderr);
            assertEquals("resumed=true\nmodule=null automatic=false\n", onClassPath.stdout, jdk + ", class path");
            assertEquals("", onClassPath.stderr, jdk + ", class path, " + CLASS_PATH_FLAG);

            if (nativeAccessWarns(feature)) {
                // The flag that names JNA does not cover FFM, where our module makes the calls: it warns.
                Run jnaName = java(jdk, List.of(JNA_MODULE_FLAG, "-p", moduleRunPath, "-m", "consumer/consumer.Main"));
                assertEquals(0, jnaName.exit, jnaName.stderr);
                assertTrue(jnaName.stderr.contains("WARNING: A restricted method"), jdk + ": " + jnaName.stderr);
                // JNA chosen on JDK 22+: JNA's module loads the native code, so its flag is the one.
                Run jnaBackend = java(jdk, List.of(JNA_MODULE_FLAG, "-Dossltickets.backend=jna", "-p", moduleRunPath,
                        "-m", "consumer/consumer.Main"));
                assertEquals(0, jnaBackend.exit, jnaBackend.stderr);
                assertEquals("", jnaBackend.stderr, jdk + ", module path, JNA backend, " + JNA_MODULE_FLAG);
            }
        }
    }

    /** Every native-access flag the README gives is one the test above runs, as written. */
    @Test
    void theReadmeGivesOnlyTheTestedFlags() throws IOException {
        Matcher flags = Pattern.compile("--enable-native-access=[A-Za-z0-9_.,-]+").matcher(Files.readString(Path.of("README.md")));
        Set<String> given = new TreeSet<>();
        while (flags.find()) {
            given.add(flags.group());
        }
        assertEquals(new TreeSet<>(List.of(CLASS_PATH_FLAG, JNA_MODULE_FLAG, FFM_MODULE_FLAG)), given);
    }
}
