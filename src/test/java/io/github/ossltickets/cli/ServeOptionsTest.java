package io.github.ossltickets.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** serve's command line: --help, bad options exit 2 with usage, a bad keys file fails to start. */
class ServeOptionsTest {

    private static int run(StringBuilder output, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        output.append(out.toString(StandardCharsets.UTF_8)).append(err.toString(StandardCharsets.UTF_8));
        return exit;
    }

    @Test
    void helpDocumentsEveryOption() {
        StringBuilder output = new StringBuilder();
        assertEquals(0, run(output, "serve", "--help"));
        for (String option : List.of("--port", "--bind", "--cert", "--key", "--tls", "--num-tickets", "--ticket-keys",
                "--generation", "--handshake-timeout", "--read-timeout")) {
            assertTrue(output.toString().contains(option), option + " in\n" + output);
        }
    }

    @Test
    void badOptionsExitTwoWithUsage() {
        for (List<String> args : List.of(List.of("--bogus", "1"), List.of("--port"), List.of("--port", "70000"),
                List.of("--tls", "1.1"), List.of("--cert", "c.pem"), List.of("--generation", "a b"),
                List.of("extra"), List.of("--num-tickets", "x"))) {
            StringBuilder output = new StringBuilder();
            List<String> command = new java.util.ArrayList<>(List.of("serve"));
            command.addAll(args);
            assertEquals(2, run(output, command.toArray(new String[0])), args + ": " + output);
            assertTrue(output.toString().contains("usage: ossl-tickets serve"), output.toString());
        }
    }

    @Test
    void aTicketKeysFileOfTheWrongSizeFailsToStartAndSaysWhy(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path keys = Files.write(dir.resolve("short.keys"), new byte[48]);
        StringBuilder output = new StringBuilder();
        assertEquals(1, run(output, "serve", "--port", "0", "--ticket-keys", keys.toString()));
        assertTrue(output.toString().contains("has 48 bytes; ticket keys are 80"), output.toString());
    }
}
