package io.github.ossltickets.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as a process, as scripts/ossl-tickets runs it: exit statuses, stdout closed by its
 * reader, and the key password from the environment (which an in-process test cannot set).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MainProcessTest {

    /** {@code ossl-tickets args} as a child JVM on the test class path, with the libssl the tests chose. */
    static ProcessBuilder ossltickets(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED"));
        for (String property : List.of("ossltickets.libssl", "ossltickets.libcrypto")) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static String text(java.io.InputStream in) throws java.io.IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void noArgumentsPrintsUsageToStderrAndExitsTwo() throws Exception {
        Process process = ossltickets().start();
        String out = text(process.getInputStream());
        String err = text(process.getErrorStream());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), err);
        assertEquals("", out);
        assertTrue(err.startsWith("usage: ossl-tickets <command>"), err);
    }

    @Test
    void matrixIntoAPipeItsReaderClosedExits141Quietly() throws Exception {
        Process process = ossltickets("matrix").start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals(Matrix.HEADER, lines.readLine());
        lines.close(); // as head -1 does: the next write gets EPIPE
        String err = text(process.getErrorStream());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals("", err, "quiet: no message for a reader that went away");
        assertEquals(Main.CLOSED_PIPE, process.exitValue());
    }

    /** An IPv6 address in the banner's URL is bracketed, as a URL needs it: https://[::1]:PORT/. */
    @Test
    void serveBracketsAnIpv6AddressInItsBanner() throws Exception {
        assertEquals("[::1]:8443", Serve.hostAndPort("::1", 8443));
        assertEquals("127.0.0.1:8443", Serve.hostAndPort("127.0.0.1", 8443));
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            probe.getLocalPort();
        } catch (java.io.IOException noIpv6) {
            return; // a container without IPv6 on loopback: the formatting above is what serve prints
        }
        Process server = ossltickets("serve", "--bind", "::1", "--port", "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String started = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertTrue(Pattern.compile("https://\\[::1\\]:\\d+/ ").matcher(String.valueOf(started)).find(),
                    "the start line: " + started);
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void serveTakesTheKeyPasswordFromTheEnvironment(@TempDir Path dir) throws Exception {
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        Path encrypted = dir.resolve("encrypted.pem");
        ProcessBuilder openssl = new ProcessBuilder("openssl", "pkey", "-in", certificate.keyFile().toString(), "-aes256",
                "-passout", "env:SERVE_TEST_PASSWORD", "-out", encrypted.toString()).inheritIO();
        openssl.environment().put("SERVE_TEST_PASSWORD", "correct horse");
        assertEquals(0, openssl.start().waitFor());
        ProcessBuilder serve = ossltickets("serve", "--port", "0", "--cert", certificate.certFile().toString(),
                "--key", encrypted.toString(), "--key-password-env", "SERVE_TEST_PASSWORD");
        serve.environment().put("SERVE_TEST_PASSWORD", "correct horse");
        Process server = serve.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String started = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            Matcher port = Pattern.compile("https://127\\.0\\.0\\.1:(\\d+)/").matcher(String.valueOf(started));
            assertTrue(port.find(), "the start line: " + started);
            Map<String, String> response = Peers.fields(Peers.sClient(Integer.parseInt(port.group(1)), "-tls1_3"));
            assertEquals("TLSv1.3", response.get("protocol"), response.toString());
        } finally {
            server.destroyForcibly(); // how serve stops is not this test's subject
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
