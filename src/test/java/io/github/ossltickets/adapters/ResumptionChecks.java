package io.github.ossltickets.adapters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the Tomcat and Netty tests check, with {@code openssl s_client} as the client: a ticket issued on
 * a full handshake resumes, and its app data comes back, read by our decrypt callback.
 */
public final class ResumptionChecks {
    private ResumptionChecks() {
    }

    /** One s_client connection: whether it resumed, and the example server's report. */
    public record Answer(boolean reused, Map<String, String> fields, String output) {
        public long count(String field) {
            return Long.parseLong(fields.getOrDefault(field, "-1"));
        }

        public String appData() {
            return fields.getOrDefault("ticket-appdata", "(no report: " + output + ")");
        }
    }

    /** {@code openssl s_client -connect 127.0.0.1:PORT -servername SNI TLS ARGS}, GET {@code path}. */
    public static Answer get(int port, String tls, String sni, String path, List<String> arguments)
            throws IOException, InterruptedException {
        Answer answer = exchange(port, tls, sni, path, arguments);
        assertTrue(answer.fields().containsKey("server"), "no report from the server:\n" + answer.output());
        return answer;
    }

    /**
     * As {@link #get}, from any server that answers with {@code name: value} lines (the example servers,
     * serve): whether s_client resumed, and the lines.
     */
    public static Answer exchange(int port, String tls, String sni, String path, List<String> arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", sni, tls, "-ign_eof"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(("GET " + path + " HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("openssl s_client did not finish: " + output);
        }
        Map<String, String> fields = new HashMap<>();
        int report = output.indexOf("\nserver: "); // the response body, after s_client's own lines
        for (String line : output.substring(Math.max(report, 0)).split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
            }
        }
        boolean reused = output.lines().anyMatch(line -> line.startsWith("Reused, "));
        boolean fresh = output.lines().anyMatch(line -> line.startsWith("New, "));
        assertTrue(reused != fresh, "s_client says neither New nor Reused:\n" + output);
        return new Answer(reused, fields, output);
    }

    /**
     * A full handshake, then a resumption with its ticket: the second is "Reused", its app data names
     * the context ({@code cert}) and the server name of the first, and the decrypt callback ran for it.
     * Returns the resumed answer.
     */
    public static Answer resumes(int port, String tls, String sni, Path directory, String expectedCert,
                                 List<String> arguments) throws IOException, InterruptedException {
        Path session = directory.resolve(sni + tls + expectedCert + ".sess");
        List<String> out = new ArrayList<>(arguments);
        out.addAll(List.of("-sess_out", session.toString()));
        Answer full = get(port, tls, sni, "/", out);
        assertTrue(!full.reused(), full.output());
        List<String> in = new ArrayList<>(arguments);
        in.addAll(List.of("-sess_in", session.toString()));
        Answer resumed = get(port, tls, sni, "/", in);
        assertTrue(resumed.reused(), "not resumed:\n" + resumed.output());
        String protocol = tls.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2";
        assertTrue(resumed.fields().getOrDefault("protocol", "").startsWith(protocol), resumed.output());
        assertTrue(resumed.appData().startsWith("cert=" + expectedCert + ";sni=" + sni + ";seq="),
                "the app data read back: " + resumed.appData());
        assertTrue(resumed.count("decrypts") > full.count("decrypts"), "the decrypt callback did not run");
        assertTrue(full.count("tickets-generated") > 0, "no ticket was generated");
        return resumed;
    }

    /**
     * The decryptor's policy decides what a client sees: a ticket resumes; once {@code advancePath} made
     * it stale the decryptor answers {@code IGNORE_RENEW} and the same ticket gets a full handshake (no
     * app data read back) and a fresh ticket, which resumes under the new policy.
     */
    public static void staleTicketGetsAFullHandshake(int port, String tls, String sni, Path directory,
                                                     String advancePath) throws IOException, InterruptedException {
        Path old = directory.resolve(sni + tls + ".stale.sess");
        Path fresh = directory.resolve(sni + tls + ".fresh.sess");
        get(port, tls, sni, "/", List.of("-sess_out", old.toString()));
        Answer before = get(port, tls, sni, "/", List.of("-sess_in", old.toString()));
        assertTrue(before.reused(), "not resumed before the policy changed:\n" + before.output());
        long policy = get(port, tls, sni, advancePath, List.of()).count("policy");
        assertEquals(before.count("policy") + 1, policy, "the policy did not advance");
        Answer stale = get(port, tls, sni, "/", List.of("-sess_in", old.toString(), "-sess_out", fresh.toString()));
        assertFalse(stale.reused(), "a stale ticket resumed:\n" + stale.output());
        assertEquals("none", stale.appData(), "no app data is read back from a ticket the decryptor ignored");
        assertEquals(before.count("stale-ignored") + 1, stale.count("stale-ignored"), stale.output());
        Answer renewed = get(port, tls, sni, "/", List.of("-sess_in", fresh.toString()));
        assertTrue(renewed.reused(), "the ticket issued instead did not resume:\n" + renewed.output());
        assertTrue(renewed.appData().contains(";sni=" + sni + ";") && renewed.appData().endsWith(";policy=" + policy),
                "the renewed ticket's app data: " + renewed.appData());
    }

    /**
     * A reload that the server runs by itself ({@code reloadPath} starts it, for example by rewriting its
     * certificate files) makes a new context, which gets the callbacks; with ticket keys shared across
     * contexts a ticket issued before the reload resumes after it with its app data.
     */
    public static void ticketsOutliveAReload(int port, String tls, String sni, Path directory,
                                             String expectedCert, String reloadPath)
            throws IOException, InterruptedException {
        Path before = directory.resolve(sni + tls + ".before-reload.sess");
        Answer first = get(port, tls, sni, "/", List.of("-sess_out", before.toString()));
        get(port, tls, sni, reloadPath, List.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Answer now = get(port, tls, sni, "/", List.of());
        while (now.count("contexts") <= first.count("contexts") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = get(port, tls, sni, "/", List.of());
        }
        assertTrue(now.count("contexts") > first.count("contexts"), "no new context 30 s after " + reloadPath
                + ":\n" + now.output());
        Answer resumed = get(port, tls, sni, "/", List.of("-sess_in", before.toString()));
        assertTrue(resumed.reused(), "a ticket from before the reload did not resume:\n" + resumed.output());
        assertTrue(resumed.appData().contains(";sni=" + sni + ";"), "read back: " + resumed.appData());
        assertTrue(resumed.appData().startsWith("cert=" + expectedCert + ";"), "read back: " + resumed.appData());
        resumes(port, tls, "after-" + sni, directory, expectedCert, List.of());
    }

    /**
     * {@code clients} s_client chains at once, each with its own server name: a full handshake, then
     * {@code resumptions} resumptions, each with the newest ticket. Every one resumes and reads back
     * app data issued to its own client.
     */
    public static void load(int port, String tls, int clients, int resumptions, Path directory) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String sni = "client-" + c + ".example";
                runs.add(pool.submit(() -> {
                    Path session = directory.resolve(sni + ".sess");
                    get(port, tls, sni, "/", List.of("-sess_out", session.toString()));
                    for (int i = 0; i < resumptions; i++) {
                        Answer answer = get(port, tls, sni, "/", List.of("-sess_in", session.toString(),
                                "-sess_out", session.toString()));
                        assertTrue(answer.reused(), sni + " resumption " + i + " was not resumed");
                        assertTrue(answer.appData().contains(";sni=" + sni + ";"),
                                sni + " resumption " + i + " read back " + answer.appData());
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
