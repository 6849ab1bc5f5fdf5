package io.github.ossltickets.tomcat;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.net.openssl.panama.OpenSSLSessionContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tomcat 11's own ticket keys against a {@link TicketKeyRing}, on Tomcat's FFM OpenSSL with
 * {@code openssl s_client} resuming. Tomcat's {@code OpenSSLSessionContext.setTicketKeys} refuses the
 * 48 bytes older Tomcat and tomcat-native took (OpenSSL 3's {@code SSL_CTX_set_tlsext_ticket_keys} takes
 * only 80), and with 80 it holds one key: replacing it throws away every ticket issued. The ring
 * replaces keys while the previous one still opens tickets.
 */
@Timeout(120)
class TomcatTicketKeysTest {
    @TempDir
    static Path directory;
    private static Tomcat tomcat;
    private static Connector withRing;
    private static Connector withTomcatKeys;
    private static final TicketKeyRing RING = TicketKeyRing.of(KeySet.of(TicketKey.random()));

    @BeforeAll
    static void start() throws Exception {
        Path key = directory.resolve("key.pem");
        Path cert = directory.resolve("cert.pem");
        Process req = new ProcessBuilder("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-keyout", key.toString(), "-out", cert.toString(), "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256").redirectErrorStream(true).start();
        req.getInputStream().readAllBytes();
        assertEquals(0, req.waitFor());
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(directory.resolve("tomcat")).toString());
        withRing = connector(key, cert);
        TomcatTickets.attach(withRing, RING);
        withTomcatKeys = connector(key, cert);
        withTomcatKeys.setProperty(TomcatTickets.IMPLEMENTATION_PROPERTY, TomcatTickets.TOMCAT_FFM);
        tomcat.getService().addConnector(withRing);
        tomcat.getService().addConnector(withTomcatKeys);
        tomcat.start();
    }

    @AfterAll
    static void stop() throws LifecycleException {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static Connector connector(Path key, Path cert) {
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setSecure(true);
        connector.setScheme("https");
        connector.setProperty("SSLEnabled", "true");
        connector.setProperty("address", "127.0.0.1");
        SSLHostConfig host = new SSLHostConfig();
        host.setProtocols("TLSv1.2+TLSv1.3");
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.EC);
        certificate.setCertificateKeyFile(key.toString());
        certificate.setCertificateFile(cert.toString());
        host.addCertificate(certificate);
        connector.addSslHostConfig(host);
        return connector;
    }

    private static OpenSSLSessionContext tomcatSessionContext() {
        SSLHostConfigCertificate certificate = withTomcatKeys.findSslHostConfigs()[0].getCertificates().iterator().next();
        return (OpenSSLSessionContext) certificate.getSslContext().getServerSessionContext();
    }

    /** One s_client connection that sends a request; true if it resumed. */
    private static boolean connect(Connector connector, String tls, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + connector.getLocalPort(), tls, "-ign_eof"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), output);
        boolean reused = output.lines().anyMatch(line -> line.startsWith("Reused, "));
        boolean fresh = output.lines().anyMatch(line -> line.startsWith("New, "));
        assertTrue(reused != fresh, "s_client says neither New nor Reused:\n" + output);
        assertTrue(output.contains("HTTP/1.1 "), "Tomcat answered:\n" + output);
        return reused;
    }

    /** A ticket from a first connection, then whether a second one resumes after {@code between} runs. */
    private static boolean resumesAfter(Connector connector, String tls, Runnable between) throws Exception {
        Path session = Files.createTempFile(directory, "session", ".pem");
        assertFalse(connect(connector, tls, List.of("-sess_out", session.toString())));
        between.run();
        return connect(connector, tls, List.of("-sess_in", session.toString()));
    }

    @Test
    void tomcatsOwnSetTicketKeysRefuses48Bytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tomcatSessionContext().setTicketKeys(new byte[48]));
        assertTrue(e.getMessage().contains("48") && e.getMessage().contains("80"), e.getMessage());
    }

    @Test
    void tomcatsOwnKeysLoseEveryTicketOnReplacementAndTheRingDoesNot() throws Exception {
        for (String tls : List.of("-tls1_2", "-tls1_3")) {
            tomcatSessionContext().setTicketKeys(io.github.ossltickets.keys.TicketKeyFiles.nginxBytes(TicketKey.random()));
            assertTrue(resumesAfter(withTomcatKeys, tls, () -> { }), tls + ": Tomcat's one key resumes");
            assertFalse(resumesAfter(withTomcatKeys, tls, () -> tomcatSessionContext().setTicketKeys(
                    io.github.ossltickets.keys.TicketKeyFiles.nginxBytes(TicketKey.random()))),
                    tls + ": a new key through Tomcat drops the tickets of the old one");

            assertTrue(resumesAfter(withRing, tls, () -> { }), tls + ": the ring resumes");
            assertTrue(resumesAfter(withRing, tls, () -> {
                KeySet now = RING.keys();
                RING.update(new KeySet(TicketKey.random(), List.of(), List.of(now.active())));
            }), tls + ": a new key through the ring keeps the previous one's tickets");
        }
    }
}
