package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The javadoc's structure: every package says what it is for and how it relates to the others; the
 * root package holds the layer map and the callback rules, which the three callback interfaces link to
 * instead of repeating; and the footer does not claim "All rights reserved" under the MIT licence.
 */
@Timeout(30)
class PackageDocsTest {
    private static final Path ROOT = Path.of("src", "main", "java", "io", "github", "ossltickets");

    @Test
    void everyPackageHasAPackageInfoThatPlacesIt() throws IOException {
        TreeSet<String> undocumented = new TreeSet<>();
        for (Path sources : List.of(Path.of("src", "main", "java"), Path.of("src", "main", "java22"))) {
            try (Stream<Path> dirs = Files.walk(sources)) {
                for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                    boolean hasClasses;
                    try (Stream<Path> files = Files.list(dir)) {
                        hasClasses = files.anyMatch(file -> file.toString().endsWith(".java")
                                && !file.getFileName().toString().equals("package-info.java"));
                    }
                    Path info = dir.resolve("package-info.java");
                    // "how it relates to the others": each names at least one other package of ours
                    if (hasClasses && (!Files.exists(info) || !Files.readString(info).matches("(?s).*(\\{@(code|link)\\s+io\\.github\\.ossltickets|root package|\\{@code (keys|net|cli|redis|ffi)\\}).*"))) {
                        undocumented.add(sources.relativize(dir).toString());
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(), undocumented, "packages without a package-info that places them");
    }

    @Test
    void theRootPackageHoldsTheLayersAndTheCallbackRulesWhichTheInterfacesLinkTo() throws IOException {
        String root = Files.readString(ROOT.resolve("package-info.java"));
        for (String part : List.of("<h2>Layers</h2>", "id=\"callback-rules\"", "<b>Threads.</b>", "<b>Re-entry.</b>",
                "<b>Lifetime.</b>")) {
            assertTrue(root.contains(part), "the root package-info lacks " + part);
        }
        for (String callback : List.of("TicketGenerator", "TicketDecryptor", "TicketKeyCallback")) {
            String source = Files.readString(ROOT.resolve(callback + ".java"));
            assertTrue(source.contains("package-summary.html#callback-rules"), callback + " links to the rules");
            assertFalse(source.contains("Make it thread-safe"), callback + " repeats the rules instead of linking");
        }
    }

    @Test
    void theJavadocFooterSaysMitNotAllRightsReserved() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("<name>MIT License</name>"), "the pom declares the MIT licence");
        int bottom = pom.indexOf("<bottom>");
        assertTrue(bottom >= 0, "the javadoc plugin's default footer says \"All rights reserved\": set <bottom>");
        String footer = pom.substring(bottom, pom.indexOf("</bottom>", bottom));
        assertTrue(footer.contains("MIT"), footer);
        assertFalse(footer.toLowerCase().contains("all rights reserved"), footer);
    }
}
