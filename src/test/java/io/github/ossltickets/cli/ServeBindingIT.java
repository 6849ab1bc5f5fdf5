package io.github.ossltickets.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code serve --bind-tickets} on real sockets with openssl s_client (-sess_out / -sess_in) and the
 * JDK's client: the h2o scenario (two servers, two certificates, one key file) before and after, and
 * a changed server name and ALPN protocol at one server, on TLS 1.2 and 1.3; refusals by reason in /stats.
 */
@Timeout(120)
class ServeBindingIT {
    private final ByteArrayOutputStream events = new ByteArrayOutputStream();
    private final PrintStream eventStream = new PrintStream(events, true, StandardCharsets.UTF_8);

    private Serve.Running serve(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        args.addAll(List.of(options));
        return Serve.start(Serve.Options.parse(args.toArray(new String[0])), eventStream);
    }

    /** openssl s_client: one request with {@code serverName} (SNI) and the given extra arguments. */
    private static Map<String, String> sClient(int port, String tls, String serverName, String path, String... extra)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", serverName, tls, "-quiet"));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(("GET " + path + " HTTP/1.1\r\nHost: " + serverName + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("openssl s_client did not finish: " + output);
        }
        return Peers.fields(output);
    }

    private static Map<String, String> stats(Serve.Running server) {
        return Peers.fields("\r\n\r\n" + server.stats());
    }

    /**
     * The h2o scenario: two serve processes with their own self-signed certificates share one key
     * file. Without --bind-tickets, a ticket from X resumes at Y (the attack); with it, Y does a full
     * handshake and counts the refusal.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void aTicketFromXDoesNotResumeAtYOnceBound(String tls, @TempDir Path dir) throws Exception {
        Path keys = Files.write(dir.resolve("ticket.keys"), new SecureRandom().generateSeed(80));
        String session = dir.resolve("session.pem").toString();
        try (Serve.Running x = serve("--ticket-keys", keys.toString());
             Serve.Running y = serve("--ticket-keys", keys.toString())) {
            sClient(x.port(), tls, "x.example", "/", "-sess_out", session);
            Map<String, String> atY = sClient(y.port(), tls, "x.example", "/", "-sess_in", session);
            assertEquals("yes", atY.get("resumed"), "without a binding X's ticket resumes at Y: " + atY);
        }
        String[] bind = {"--ticket-keys", keys.toString(), "--bind-tickets", "sni,alpn,listener,cert"};
        try (Serve.Running x = serve(concat(bind, "--listener-id", "x"));
             Serve.Running y = serve(concat(bind, "--listener-id", "y"))) {
            sClient(x.port(), tls, "x.example", "/", "-sess_out", session);
            assertEquals("yes", sClient(x.port(), tls, "x.example", "/", "-sess_in", session).get("resumed"),
                    "X still resumes its own ticket");
            sClient(x.port(), tls, "x.example", "/", "-sess_out", session);
            Map<String, String> atY = sClient(y.port(), tls, "x.example", "/", "-sess_in", session);
            assertEquals("no", atY.get("resumed"), atY.toString());
            assertTrue(Integer.parseInt(atY.get("tickets-issued")) >= 1, "a fresh ticket from Y: " + atY);
            Map<String, String> yStats = sClient(y.port(), tls, "x.example", "/stats");
            assertEquals("1", yStats.get("tickets-refused-listener"), yStats.toString());
            assertEquals("0", stats(x).get("tickets-refused-listener"));
            assertTrue(events.toString(StandardCharsets.UTF_8).contains("(refused by --bind-tickets: LISTENER)"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void aSwappedServerNameAndAChangedAlpnAreRefusedAtOneServer(String tls, @TempDir Path dir) throws Exception {
        String session = dir.resolve("session.pem").toString();
        try (Serve.Running server = serve("--bind-tickets", "sni,alpn")) {
            sClient(server.port(), tls, "a.example", "/", "-sess_out", session, "-alpn", "http/1.1");
            assertEquals("yes", sClient(server.port(), tls, "a.example", "/", "-sess_in", session, "-alpn",
                    "http/1.1").get("resumed"));
            sClient(server.port(), tls, "a.example", "/", "-sess_out", session, "-alpn", "http/1.1");
            assertEquals("no", sClient(server.port(), tls, "b.example", "/", "-sess_in", session, "-alpn",
                    "http/1.1").get("resumed"), "another server name");
            sClient(server.port(), tls, "a.example", "/", "-sess_out", session, "-alpn", "http/1.1");
            assertEquals("no", sClient(server.port(), tls, "a.example", "/", "-sess_in", session, "-alpn", "h2")
                    .get("resumed"), "another protocol");
            Map<String, String> stats = stats(server);
            assertEquals("1", stats.get("tickets-refused-server-name"), stats.toString());
            assertEquals("1", stats.get("tickets-refused-alpn"), stats.toString());
            assertEquals("1", stats.get("tickets-binding-accepted"), stats.toString());
        }
    }

    /** The JDK's client still resumes at a bound server (it sends SNI "localhost", no ALPN). */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void theJdkClientResumesAtABoundServer(String protocol, @TempDir Path dir) throws Exception {
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(certificate.pem().certificatePem().getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext jdk = SSLContext.getInstance(protocol);
        jdk.init(null, factory.getTrustManagers(), null);
        try (Serve.Running server = serve("--cert", certificate.certFile().toString(), "--key",
                certificate.keyFile().toString(), "--bind-tickets", "sni,alpn,listener,cert")) {
            assertEquals("no", Peers.fields(jdkRequest(jdk, server.port(), protocol)).get("resumed"));
            Map<String, String> second = Peers.fields(jdkRequest(jdk, server.port(), protocol));
            assertEquals("yes", second.get("resumed"), second + "\n" + events.toString(StandardCharsets.UTF_8) + server.stats());
            assertEquals("0", stats(server).get("tickets-refused-server-name"));
        }
    }

    @org.junit.jupiter.api.Test
    void badBindingOptionsAreUsageErrors() {
        CommandLine.UsageException unknown = assertThrows(CommandLine.UsageException.class,
                () -> Serve.Options.parse(new String[] {"--bind-tickets", "sni,host"}));
        assertTrue(unknown.getMessage().contains("unknown ticket binding field 'host'"), unknown.getMessage());
        CommandLine.UsageException alone = assertThrows(CommandLine.UsageException.class,
                () -> Serve.Options.parse(new String[] {"--listener-id", "x"}));
        assertTrue(alone.getMessage().contains("give --bind-tickets"), alone.getMessage());
    }

    private static String jdkRequest(SSLContext jdk, int port, String protocol) throws IOException {
        try (SSLSocket socket = (SSLSocket) jdk.getSocketFactory().createSocket("localhost", port)) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(Peers.GET.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String[] concat(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }
}
