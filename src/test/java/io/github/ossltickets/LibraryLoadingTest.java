package io.github.ossltickets;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading runs once per JVM, so each failure is tried in a child JVM running the real CLI. */
class LibraryLoadingTest {

    private static String runDemo(String... properties) throws IOException, InterruptedException, URISyntaxException {
        String classPath = ProcessChecks.libraryClasses() + File.pathSeparator
                + Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath));
        command.addAll(List.of(properties));
        command.addAll(List.of("io.github.ossltickets.cli.Main", "demo"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        return output;
    }

    @Test
    void aMissingLibsslNamesWhatWasTried() throws Exception {
        String output = runDemo("-Dossltickets.libssl=/nonexistent/libssl.so.3");
        assertTrue(output.contains("OpenSSL library not found: tried '/nonexistent/libssl.so.3'"), output);
        assertTrue(output.contains("-Dossltickets.libssl"), "says how to choose another: " + output);
    }

    @Test
    void aLibraryThatLoadsButLacksTheSymbolsSaysFoundButFailed() throws Exception {
        String output = runDemo("-Dossltickets.libssl=libcrypto.so.3");
        assertTrue(output.contains("OpenSSL library found but failed to bind: 'libcrypto.so.3'"), output);
        assertTrue(output.matches("(?s).*Error looking up function '(SSL|TLS)_\\w+'.*"),
                "names the missing libssl symbol: " + output);
    }

    @Test
    void aLibraryTheLinkerRefusesReportsTheLinkersCauseNotNotFound() throws Exception {
        String library = Path.of("native", "build", "libundefined_symbol.so").toAbsolutePath().toString();
        String output = runDemo("-Dossltickets.libssl=" + library);
        assertTrue(output.contains("OpenSSL library found but failed to load: '" + library + "': the dynamic linker"
                + " says: " + library + ": undefined symbol: ossl_tickets_missing_variable"), output);
    }
}
