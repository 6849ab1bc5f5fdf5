package io.github.ossltickets.tomcat;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import io.github.ossltickets.policy.TicketBinding;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 on Tomcat: one connector, two {@link SSLHostConfig}s chosen by SNI (a.example and b.example,
 * each with its own certificate) on one {@link TicketKeyRing}. Without a binding a ticket issued at a
 * resumes at b on the same port (the h2o attack, the negative control); with a {@link TicketBinding}
 * per host ({@link TomcatTickets#attach(Connector, io.github.ossltickets.TicketKeyCallback,
 * java.util.function.Function)}) it gets a full handshake at b, counted by b's binding, and still
 * resumes at a. openssl s_client is the client, on TLS 1.3 and 1.2.
 */
@Timeout(120)
class TomcatBindingTest {
    private static final List<String> HOSTS = List.of("a.example", "b.example");
    @TempDir
    static Path directory;
    private static Tomcat tomcat;
    private static Connector bound;
    private static Connector unbound;
    private static final Map<String, TicketBinding> BINDINGS = Map.of(
            "a.example", TicketBinding.builder().listenerId("a.example").build(),
            "b.example", TicketBinding.builder().listenerId("b.example").build());

    @BeforeAll
    static void start() throws Exception {
        for (String host : HOSTS) {
            Process req = new ProcessBuilder("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=" + host,
                    "-keyout", directory.resolve(host + ".key").toString(), "-out",
                    directory.resolve(host + ".crt").toString(), "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256").redirectErrorStream(true).start();
            String output = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, req.waitFor(), output);
        }
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(directory.resolve("tomcat")).toString());
        bound = connectorWithTwoHosts();
        TomcatTickets.attach(bound, ring, BINDINGS::get);
        unbound = connectorWithTwoHosts();
        TomcatTickets.attach(unbound, ring);
        tomcat.getHost(); // an engine and host, so that requests get a 404 rather than a 500 and a logged NPE
        tomcat.getService().addConnector(bound);
        tomcat.getService().addConnector(unbound);
        tomcat.start();
    }

    @AfterAll
    static void stop() throws LifecycleException {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    /** A connector whose SSLHostConfigs a.example (the default) and b.example Tomcat chooses by SNI. */
    private static Connector connectorWithTwoHosts() {
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setSecure(true);
        connector.setScheme("https");
        connector.setProperty("SSLEnabled", "true");
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("defaultSSLHostConfigName", HOSTS.get(0));
        for (String name : HOSTS) {
            SSLHostConfig host = new SSLHostConfig();
            host.setHostName(name);
            host.setProtocols("TLSv1.2+TLSv1.3");
            SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.EC);
            certificate.setCertificateKeyFile(directory.resolve(name + ".key").toString());
            certificate.setCertificateFile(directory.resolve(name + ".crt").toString());
            host.addCertificate(certificate);
            connector.addSslHostConfig(host);
        }
        return connector;
    }

    /** One s_client connection to {@code host} that sends a request; true if it resumed. */
    private static boolean connect(Connector connector, String tls, String host, String... arguments)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + connector.getLocalPort(), "-servername", host, tls, "-ign_eof"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), output);
        boolean reused = output.lines().anyMatch(line -> line.startsWith("Reused, "));
        boolean fresh = output.lines().anyMatch(line -> line.startsWith("New, "));
        assertTrue(reused != fresh, "s_client says neither New nor Reused:\n" + output);
        assertTrue(reused || output.lines().anyMatch(line -> line.replace(" ", "").equals("subject=CN=" + host)),
                "on a full handshake Tomcat presents the certificate of " + host + ":\n" + output);
        assertTrue(output.contains("HTTP/1.1 "), "Tomcat answered:\n" + output);
        return reused;
    }

    private static long refused(String host, TicketBinding.Refusal reason) {
        return BINDINGS.get(host).stats().refused().get(reason);
    }

    @Test
    void withoutABindingATicketFromHostAResumesAtHostB() throws Exception {
        for (String tls : List.of("-tls1_3", "-tls1_2")) {
            Path session = Files.createTempFile(directory, "unbound", ".pem");
            assertFalse(connect(unbound, tls, "a.example", "-sess_out", session.toString()));
            assertTrue(connect(unbound, tls, "b.example", "-sess_in", session.toString()),
                    tls + ": the negative control: one ring, no binding, and a's ticket resumes at b");
        }
    }

    @Test
    void withABindingPerHostATicketFromHostAGetsAFullHandshakeAtHostB() throws Exception {
        for (String tls : List.of("-tls1_3", "-tls1_2")) {
            Path session = Files.createTempFile(directory, "bound", ".pem");
            assertFalse(connect(bound, tls, "a.example", "-sess_out", session.toString()));
            long before = refused("b.example", TicketBinding.Refusal.LISTENER);
            assertFalse(connect(bound, tls, "b.example", "-sess_in", session.toString()),
                    tls + ": a's ticket resumed at b despite the binding");
            assertEquals(before + 1, refused("b.example", TicketBinding.Refusal.LISTENER),
                    tls + ": b's binding counts the refusal: " + BINDINGS.get("b.example").stats());
            long accepted = BINDINGS.get("a.example").stats().accepted();
            assertTrue(connect(bound, tls, "a.example", "-sess_in", session.toString()),
                    tls + ": a's ticket still resumes at a");
            assertEquals(accepted + 1, BINDINGS.get("a.example").stats().accepted(), tls);
        }
        assertEquals(0, BINDINGS.get("a.example").stats().refusedTotal(), "" + BINDINGS.get("a.example").stats());
    }
}
