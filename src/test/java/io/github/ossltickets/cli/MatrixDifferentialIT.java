package io.github.ossltickets.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The exactness check: the 45-scenario matrix run by native/ticket_matrix.c (plain OpenSSL, C
 * callbacks) and by the Java binding must print identical TSV, row by row. Each row is also checked
 * against docs/openssl-behaviour.md (#what-each-return-does, #which-status-a-valid-ticket-gets), so that
 * the two cannot drift together unnoticed.
 */
class MatrixDifferentialIT {
    private static final int ROWS = 45;

    @Test
    void javaMatrixIsIdenticalToTheCMatrix() throws Exception {
        List<String> c = runC();
        List<String> java = runJava();
        assertEquals(ROWS + 1, c.size(), "C rows plus header");
        assertEquals(ROWS + 1, java.size(), "Java rows plus header");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            if (!c.get(i).equals(java.get(i))) {
                differences.add("row " + i + "\n  C:    " + c.get(i) + "\n  Java: " + java.get(i));
            }
        }
        if (!differences.isEmpty()) {
            fail(differences.size() + " rows differ between C and Java:\n" + String.join("\n", differences));
        }
        for (String row : c.subList(1, c.size())) {
            checkAgainstFacts(row);
        }
    }

    /** The tables "What each return does" and "Which status a valid ticket gets" of docs/openssl-behaviour.md. */
    private static void checkAgainstFacts(String row) {
        String[] f = row.split("\t");
        String kase = f[0];
        String tls = f[1];
        String keyMode = f[2];
        String decReturn = f[3];
        String expectedStatus = kase.equals("empty") ? "EMPTY"
                : kase.equals("foreign") ? "NO_DECRYPT"
                : keyMode.equals("keycb-use") ? "SUCCESS"
                : keyMode.equals("keycb-renew") ? "SUCCESS_RENEW"
                : tls.equals("TLSv1.3") ? "SUCCESS_RENEW" : "SUCCESS";
        boolean success = expectedStatus.startsWith("SUCCESS");
        boolean resumes = decReturn.startsWith("USE");
        boolean fails = decReturn.equals("ABORT") || (resumes && !success);
        int tickets = fails || decReturn.equals("IGNORE") || decReturn.equals("USE") ? 0
                : decReturn.equals("USE_RENEW") ? 1
                : tls.equals("TLSv1.3") ? 2 : 1; // IGNORE_RENEW: num_tickets (default 2) in TLS 1.3
        String expected = String.join("\t", kase, tls, keyMode, decReturn, fails ? "failed" : "ok",
                resumes && !fails ? "yes" : "no", expectedStatus, expectedStatus.equals("EMPTY") ? "0" : "16",
                success ? "Hello World" : "-", Integer.toString(tickets), Integer.toString(tickets),
                fails ? "internal_error" : "-");
        assertEquals(expected, row, "row disagrees with docs/openssl-behaviour.md");
    }

    private static List<String> runC() throws Exception {
        Path program = Path.of("native", "build", "ticket_matrix");
        assertTrue(Files.isExecutable(program), "build it with: make -C native");
        Process process = new ProcessBuilder(program.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "ticket_matrix timed out");
        assertEquals(0, process.exitValue(), "ticket_matrix exit status");
        return output.lines().collect(java.util.stream.Collectors.toList());
    }

    private static List<String> runJava() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"matrix"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).lines().collect(java.util.stream.Collectors.toList());
    }
}
