package io.github.ossltickets.adapters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ticket carried between two servers that share one key file: issued at one port by {@code openssl
 * s_client -sess_out}, resumed at the other with {@code -sess_in}. Used beside serve by the Tomcat and
 * Netty examples, in containers ({@code CrossServerContainerIT}) and on the host ({@code TomcatBesideServeTest}).
 */
public final class CrossServerChecks {
    private CrossServerChecks() {
    }

    /** The key name s_client printed: the first 16 bytes of the first ticket it received, in hex. */
    public static String ticketKeyName(ResumptionChecks.Answer answer) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("TLS session ticket:\\s+0000 - ([0-9a-f -]{47})")
                .matcher(answer.output());
        assertTrue(m.find(), "no ticket printed:\n" + answer.output());
        return m.group(1).replaceAll("[ -]", "");
    }

    /**
     * A full handshake at {@code from}, whose ticket is sealed under the key file's key, and then resumes at
     * {@code to}; returns what {@code to} answered.
     */
    public static ResumptionChecks.Answer issueThenResume(String keyName, int from, int to, String tls,
            List<String> options, Path dir)
            throws Exception {
        Path session = dir.resolve(from + "-" + to + tls + ".sess");
        List<String> out = new ArrayList<>(options);
        out.addAll(List.of("-sess_out", session.toString()));
        ResumptionChecks.Answer full = ResumptionChecks.exchange(from, tls, "localhost", "/", out);
        assertFalse(full.reused(), full.output());
        assertEquals(keyName, ticketKeyName(full), "the ticket is sealed under the shared file's key");
        List<String> in = new ArrayList<>(options);
        in.addAll(List.of("-sess_in", session.toString()));
        ResumptionChecks.Answer resumed = ResumptionChecks.exchange(to, tls, "localhost", "/", in);
        assertTrue(resumed.reused(), tls + ": a ticket from port " + from + " at port " + to + ":\n" + resumed.output());
        return resumed;
    }

    /** From the example to serve: serve's decrypt callback read SUCCESS and the example's app data. */
    public static void fromExampleToServe(String keyName, int example, int serve, String tls, List<String> options,
            String label, Path dir)
            throws Exception {
        ResumptionChecks.Answer atServe = issueThenResume(keyName, example, serve, tls, options, dir);
        // SUCCESS_RENEW in TLS 1.3 (built-in keys and a key ring alike), SUCCESS under a key ring in TLS 1.2.
        assertTrue(atServe.fields().getOrDefault("ticket-status", "").startsWith("SUCCESS"), atServe.output());
        assertTrue(atServe.fields().getOrDefault("ticket-return", "").startsWith("USE"), atServe.output());
        assertTrue(atServe.fields().getOrDefault("ticket-appdata", "").startsWith(
                ExampleTickets.SERVE_APP_DATA_PREFIX + "cert=" + label + ";sni=localhost;seq="), atServe.output());
    }

    /** From serve to the example: the example's decryptor ran and read back serve's app data. */
    public static void fromServeToExample(String keyName, int serve, int example, String tls, List<String> options,
            Path dir)
            throws Exception {
        Path session = dir.resolve("serve-" + example + tls + ".sess");
        List<String> out = new ArrayList<>(options);
        out.addAll(List.of("-sess_out", session.toString()));
        ResumptionChecks.Answer full = ResumptionChecks.exchange(serve, tls, "localhost", "/", out);
        assertEquals(keyName, ticketKeyName(full), "serve seals under the shared file's key");
        String issued = full.fields().get("ticket-issued-appdata");
        assertTrue(issued != null && issued.startsWith("generation=1;"), full.output());
        List<String> in = new ArrayList<>(options);
        in.addAll(List.of("-sess_in", session.toString()));
        ResumptionChecks.Answer atExample = ResumptionChecks.get(example, tls, "localhost", "/", in);
        assertTrue(atExample.reused(), tls + ": serve's ticket at the example:\n" + atExample.output());
        assertEquals(issued, atExample.appData(), "the example read back serve's app data");
    }

}
