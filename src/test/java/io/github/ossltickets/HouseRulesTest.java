package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Where a concern lives, checked on the sources and class files, so that it stays in one place. */
@Timeout(30)
class HouseRulesTest {
    private static final Path MAIN = Path.of("src", "main");

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The ticket size limits (65,280 and 65,535) are written down in one class, which the others cite. */
    @Test
    void theSizeLimitsLiveInTicketSizeLimitsOnly() throws IOException {
        Pattern limit = Pattern.compile("65,?280|0xFF00|0xFFFF", Pattern.CASE_INSENSITIVE);
        TreeSet<String> holders = new TreeSet<>();
        for (Path file : javaFiles()) {
            if (limit.matcher(Files.readString(file)).find()) {
                holders.add(file.getFileName().toString());
            }
        }
        assertEquals(new TreeSet<>(List.of("TicketSizeLimits.java")), holders);
    }

    /** CallFrame reports failures through the listener it is given: it never reaches up into ContextCallbacks. */
    @Test
    void callFrameDoesNotReferToContextCallbacks() throws IOException {
        Path classFile = Path.of("target", "classes", "io", "github", "ossltickets", "CallFrame.class");
        String constants = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
        assertFalse(constants.contains("io/github/ossltickets/ContextCallbacks"), "CallFrame.class names ContextCallbacks");
    }
}
