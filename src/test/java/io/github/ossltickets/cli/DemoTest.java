package io.github.ossltickets.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTest {

    private static String run(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, text);
        return text;
    }

    /** The table's columns for one connection, split on runs of two or more spaces. */
    private static List<String> row(String output, int connection) {
        return Arrays.stream(output.split("\n"))
                .filter(line -> line.startsWith(connection + " "))
                .map(line -> Arrays.asList(line.trim().split(" {2,}")))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + connection + " in\n" + output));
    }

    @Test
    void demoShowsIssueResumeAndPolicyForBothProtocols() {
        String output = run(0, "demo");
        assertTrue(output.contains("OpenSSL 3."), output);
        // conn, protocol, step, status, return, resumed, tickets, app data
        assertEquals(List.of("TLSv1.2", "EMPTY", "IGNORE_RENEW", "no", "1"), row(output, 1).subList(1, 7).stream()
                .filter(c -> !c.contains(" ") || c.startsWith("TLS")).collect(Collectors.toList()));
        assertEquals(List.of("SUCCESS", "USE", "yes", "0"), row(output, 2).subList(3, 7));
        assertTrue(row(output, 2).get(7).contains("read \"user=alice;policy=v1\""));
        assertEquals(List.of("SUCCESS", "IGNORE_RENEW", "no", "1"), row(output, 3).subList(3, 7));
        assertTrue(row(output, 3).get(7).contains("issued \"user=alice;policy=v2\""));
        assertEquals(List.of("-", "-", "no", "2"), row(output, 4).subList(3, 7));
        assertEquals(List.of("SUCCESS_RENEW", "USE_RENEW", "yes", "1"), row(output, 5).subList(3, 7));
        assertEquals(List.of("SUCCESS_RENEW", "IGNORE_RENEW", "no", "2"), row(output, 6).subList(3, 7));
    }

    @Test
    void unknownCommandExitsTwoWithUsage() {
        String output = run(2, "nonsense");
        assertTrue(output.contains("usage: ossl-tickets"), output);
    }

    @Test
    void extraArgumentsAndUnknownFlagsExitTwoWithUsage() {
        for (String[] args : List.of(new String[] {"demo", "--bogus"}, new String[] {"matrix", "extra"},
                new String[] {"--bogus"}, new String[] {"help", "demo"})) {
            String output = run(2, args);
            assertTrue(output.contains("usage: ossl-tickets"), output);
        }
    }

    @Test
    void aFailedWriteExitsNonZero() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"matrix"}, new PrintStream(full, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("could not write its output"), err.toString());
    }

    @Test
    void aClosedPipeStopsTheMatrixEarlyAndExits141Quietly() {
        int[] writes = {0};
        OutputStream closedPipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writes[0]++;
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                writes[0]++;
                throw new IOException("Broken pipe");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"matrix"}, new Main.Stdout(closedPipe, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(141, exit);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertTrue(writes[0] <= 2, "stops after the first failed write, not 45 scenarios later: " + writes[0]);
    }
}
