package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the jar will hold, checked in the test run on target/classes, which the jar plugin archives as
 * it is: the multi-release layout (Java 22 classes only under META-INF/versions/22, Java 17 classes at
 * the root, the module descriptor under versions/17), the manifest, the module's exports, and a source
 * file in target/sources (the -sources jar) for every class. Without -DwithoutJava22 the Tomcat adapter
 * must be there; with it, it must be absent and the manifest must say so.
 */
@Timeout(30)
class ArtifactContentTest {
    private static final Path CLASSES = Path.of("target", "classes");
    private static final Path VERSIONS_22 = CLASSES.resolve("META-INF/versions/22");
    private static final Path DESCRIPTOR = CLASSES.resolve("META-INF/versions/17/module-info.class");
    private static final int JAVA_17 = 61;
    private static final int JAVA_22 = 66;
    /** Packages the module keeps to itself: the raw mapping (opened to JNA only) and the command line. */
    private static final Set<String> CONCEALED = Set.of("io.github.ossltickets.ffi", "io.github.ossltickets.cli");

    private static boolean withoutJava22() {
        return Boolean.parseBoolean(System.getProperty("ossltickets.java22.skip"));
    }

    private static Manifest manifest() throws IOException {
        try (InputStream in = Files.newInputStream(CLASSES.resolve("META-INF/MANIFEST.MF"))) {
            return new Manifest(in);
        }
    }

    private static List<Path> classFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".class")).sorted().toList();
        }
    }

    private static int majorVersion(Path classFile) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(classFile))) {
            assertEquals(0xCAFEBABE, in.readInt(), classFile.toString());
            in.readUnsignedShort();
            return in.readUnsignedShort();
        }
    }

    @Test
    void java22ClassesAreUnderVersions22OnlyAndJava17OnesAtTheRoot() throws IOException {
        Attributes main = manifest().getMainAttributes();
        assertEquals("true", main.getValue("Multi-Release"));
        for (Path file : classFiles(CLASSES)) {
            String name = CLASSES.relativize(file).toString();
            if (name.startsWith("META-INF")) {
                continue;
            }
            assertTrue(majorVersion(file) <= JAVA_17, name + " is newer than Java 17 but at the jar's root");
            assertFalse(name.startsWith("io/github/ossltickets/tomcat/"), name + ": the Tomcat adapter belongs under META-INF/versions/22");
            assertFalse(name.startsWith("io/github/ossltickets/ffi/ffm/"), name + ": the FFM backend belongs under META-INF/versions/22");
        }
        if (withoutJava22()) {
            assertFalse(Files.exists(VERSIONS_22), "-DwithoutJava22 left " + VERSIONS_22);
            assertTrue(main.getValue("Ossl-Tickets-Java22").startsWith("omitted"), main.getValue("Ossl-Tickets-Java22"));
            return;
        }
        assertTrue(main.getValue("Ossl-Tickets-Java22").startsWith("included"), main.getValue("Ossl-Tickets-Java22"));
        Path adapter = VERSIONS_22.resolve("io/github/ossltickets/tomcat/TomcatTickets.class");
        assertTrue(Files.exists(adapter), "the Tomcat adapter is missing: " + adapter);
        Path ffm = VERSIONS_22.resolve("io/github/ossltickets/ffi/ffm/FfmBackend.class");
        assertTrue(Files.exists(ffm), "the FFM backend (the default on JDK 22+) is missing: " + ffm);
        for (Path file : classFiles(VERSIONS_22)) {
            assertEquals(JAVA_22, majorVersion(file), file + " (compiled with --release 22)");
        }
    }

    @Test
    void theModuleIsNamedAsTheManifestSaysAndExportsEveryPublicPackage() throws IOException {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(DESCRIPTOR)) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertEquals(JAVA_17, majorVersion(DESCRIPTOR));
        assertFalse(Files.exists(CLASSES.resolve("module-info.class")), "a descriptor at the root puts the tests on the module path");
        assertEquals(descriptor.name(), manifest().getMainAttributes().getValue("Automatic-Module-Name"));
        Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> packages = new TreeSet<>();
        for (Path file : classFiles(CLASSES)) {
            String name = CLASSES.relativize(file).toString();
            if (!name.startsWith("META-INF")) {
                packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
            }
        }
        packages.removeAll(CONCEALED);
        assertEquals(packages, exported, "every package but " + CONCEALED + " is exported, and only those");
        assertTrue(descriptor.opens().stream().anyMatch(opens -> opens.source().equals("io.github.ossltickets.ffi")
                && opens.targets().equals(Set.of("com.sun.jna"))), "JNA may reflect on the raw mapping");
    }

    @Test
    void theSourcesJarHasASourceForEveryClass() throws IOException {
        Path sources = Path.of("target", "sources");
        for (Path root : List.of(CLASSES, VERSIONS_22)) {
            if (!Files.exists(root)) {
                continue;
            }
            for (Path file : classFiles(root)) {
                String name = root.relativize(file).toString();
                if (name.startsWith("META-INF") || name.contains("$")) {
                    continue;
                }
                Path source = sources.resolve(name.replaceAll("\\.class$", ".java"));
                assertTrue(Files.exists(source), "no source for " + name + " in " + sources + " (the -sources jar)");
            }
        }
        assertTrue(Files.exists(sources.resolve("module-info.java")));
    }
}
