package io.github.ossltickets.tomcat;

import io.github.ossltickets.adapters.ExampleTickets;
import io.github.ossltickets.adapters.ResumptionChecks;
import io.github.ossltickets.adapters.ResumptionChecks.Answer;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tomcat 11 on its FFM OpenSSL, in this JVM (JDK 22+), with {@code openssl s_client} resuming: our
 * callbacks run on Tomcat's own contexts, for both certificates, across a reload, under load.
 * The same checks run against Tomcat in the sid image (ContainerIT).
 */
class TomcatTicketsTest {
    // Tomcat makes one context per certificate and picks it by the client's ciphers: for TLS 1.2 by
    // their authentication; TLS 1.3 ciphers name none, and Tomcat takes the EC one.
    private static final List<String> RSA = List.of("-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
    private static final List<String> EC = List.of("-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");

    @TempDir
    static Path directory;
    private static TomcatExample tomcat;

    @BeforeAll
    static void start() throws Exception {
        tomcat = TomcatExample.start(directory, 0, 0);
        Answer first = ResumptionChecks.get(tomcat.port(), "-tls1_3", "start.example", "/", List.of());
        assertEquals(2, first.count("contexts"), "one context per certificate, each installed");
    }

    @AfterAll
    static void stop() throws LifecycleException {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Test
    void tls13ResumesWithItsAppData() throws Exception {
        ResumptionChecks.resumes(tomcat.port(), "-tls1_3", "tls13.example", directory, "EC", List.of());
    }

    @Test
    void tls12ResumesOnBothCertificates() throws Exception {
        ResumptionChecks.resumes(tomcat.port(), "-tls1_2", "rsa.example", directory, "RSA", RSA);
        ResumptionChecks.resumes(tomcat.port(), "-tls1_2", "ec.example", directory, "EC", EC);
    }

    @Test
    void aConnectorWithoutAttachRunsNoCallbacks() throws Exception {
        Path session = directory.resolve("plain.sess");
        Answer full = ResumptionChecks.get(tomcat.plainPort(), "-tls1_3", "plain.example", "/", List.of("-sess_out", session.toString()));
        Answer resumed = ResumptionChecks.get(tomcat.plainPort(), "-tls1_3", "plain.example", "/", List.of("-sess_in", session.toString()));
        assertFalse(full.reused());
        assertTrue(resumed.reused(), "OpenSSL's defaults resume too: \"Reused\" alone proves nothing");
        assertEquals("none", resumed.appData());
    }

    @Test
    void afterAReloadNewContextsGetTheCallbacks() throws Exception {
        Answer before = ResumptionChecks.get(tomcat.port(), "-tls1_3", "reload.example", "/", List.of());
        Answer reload = ResumptionChecks.get(tomcat.port(), "-tls1_3", "reload.example", "/reload", List.of());
        Answer after = ResumptionChecks.resumes(tomcat.port(), "-tls1_3", "after-reload.example", directory, "EC", List.of());
        assertEquals(before.count("contexts") + 2, reload.count("contexts"), "the reload made two contexts, both installed");
        assertTrue(after.count("tickets-generated") > reload.count("tickets-generated"));
        ResumptionChecks.resumes(tomcat.port(), "-tls1_2", "after-reload-ec.example", directory, "EC", EC);
    }

    @Test
    void aDecryptorThatThrowsFailsThatHandshakeOnlyAndTomcatKeepsServing() throws Exception {
        Path session = directory.resolve("throws.sess");
        String sni = ExampleTickets.THROWS_FOR;
        Answer full = ResumptionChecks.get(tomcat.port(), "-tls1_3", sni, "/", List.of("-sess_out", session.toString()));
        Process failing = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + tomcat.port(),
                "-servername", sni, "-tls1_3", "-sess_in", session.toString()).redirectErrorStream(true).start();
        failing.getOutputStream().close();
        String output = new String(failing.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(failing.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(output.contains("alert"), "the client got an alert:\n" + output);
        Answer next = ResumptionChecks.get(tomcat.port(), "-tls1_3", "after-failure.example", "/", List.of());
        assertEquals(full.count("callback-failures") + 1, next.count("callback-failures"),
                "the exception reached the context's failure listener");
    }

    @Test
    void fourClientsResumeFiftyTimesEach() throws Exception {
        ResumptionChecks.load(tomcat.port(), "-tls1_3", 4, 50, directory);
        ResumptionChecks.load(tomcat.port(), "-tls1_2", 4, 10, directory);
    }

    @Test
    void attachRefusesWhatItCannotServe() {
        Connector jsse = new Connector("HTTP/1.1");
        jsse.addSslHostConfig(new SSLHostConfig());
        jsse.setProperty("sslImplementationName", "org.apache.tomcat.util.net.jsse.JSSEImplementation");
        IllegalArgumentException notFfm = assertThrows(IllegalArgumentException.class,
                () -> TomcatTickets.attach(jsse, (context, certificate) -> { }));
        assertTrue(notFfm.getMessage().contains("JSSEImplementation"), notFfm.getMessage());

        IllegalArgumentException noHost = assertThrows(IllegalArgumentException.class,
                () -> TomcatTickets.attach(new Connector("HTTP/1.1"), (context, certificate) -> { }));
        assertTrue(noHost.getMessage().contains("no SSLHostConfig"), noHost.getMessage());

        IllegalStateException started = assertThrows(IllegalStateException.class,
                () -> TomcatTickets.attach(tomcat.attached, (context, certificate) -> { }));
        assertTrue(started.getMessage().contains("before the connector starts"), started.getMessage());
    }

    @Test
    void aHostAddedToAStartedConnectorAfterAttachIsRefused(@TempDir Path base) throws Exception {
        Tomcat server = new Tomcat();
        server.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("SSLEnabled", "true");
        connector.addSslHostConfig(host("_default_"));
        TomcatTickets.attach(connector, (context, certificate) -> { });
        server.getService().addConnector(connector);
        server.start();
        try {
            RuntimeException refused = assertThrows(RuntimeException.class, () -> connector.addSslHostConfig(host("late.example")));
            String messages = refused + " / " + refused.getCause();
            assertTrue(messages.contains("added after TomcatTickets.attach"), messages);
        } finally {
            server.stop();
            server.destroy();
        }
    }

    /** Spring Boot 4.0.8 reloads an SSL bundle by adding a new SSLHostConfig of the same name. */
    @Test
    void aHostReplacedByOneOfTheSameNameKeepsItsInstaller(@TempDir Path base) throws Exception {
        Tomcat server = new Tomcat();
        server.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("SSLEnabled", "true");
        connector.addSslHostConfig(host("_default_"));
        java.util.concurrent.atomic.AtomicInteger installs = new java.util.concurrent.atomic.AtomicInteger();
        TomcatTickets.attach(connector, (context, certificate) -> installs.incrementAndGet());
        server.getService().addConnector(connector);
        server.start();
        try {
            assertEquals(1, installs.get());
            ((org.apache.coyote.http11.AbstractHttp11Protocol<?>) connector.getProtocolHandler())
                    .addSslHostConfig(host("_default_"), true);
            assertEquals(2, installs.get(), "the replacement's context got the installer");
            RuntimeException refused = assertThrows(RuntimeException.class, () -> connector.addSslHostConfig(host("other.example")));
            assertTrue((refused + " / " + refused.getCause()).contains("added after TomcatTickets.attach"));
        } finally {
            server.stop();
            server.destroy();
        }
    }

    @Test
    void theBorrowedHandlesLiveExactlyAsLongAsTomcatsContexts(@TempDir Path base) throws Exception {
        long before = io.github.ossltickets.OpenSsl.liveObjects().contextsWithCallbacks();
        Tomcat server = new Tomcat();
        server.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("SSLEnabled", "true");
        connector.addSslHostConfig(host("_default_"));
        TomcatTickets.attach(connector, (context, certificate) -> { });
        server.getService().addConnector(connector);
        server.start();
        try {
            assertEquals(before + 1, io.github.ossltickets.OpenSsl.liveObjects().contextsWithCallbacks(),
                    "one borrowed context");
        } finally {
            server.stop();
            server.destroy();
        }
        assertEquals(before, io.github.ossltickets.OpenSsl.liveObjects().contextsWithCallbacks(),
                "Tomcat destroyed its context, and our handle with it");
    }

    /**
     * 100 reloads whose installer's callbacks use the context they were handed: every replaced native
     * context is freed once Tomcat lets it go (it used to stay, kept by its own callbacks), and the
     * last one when Tomcat is destroyed.
     */
    @Test
    void reloadsFreeContextsWhoseCallbacksUseThem(@TempDir Path base) throws Exception {
        for (int gc = 0; gc < 10; gc++) { // what other tests left for the GC, gone before the baseline
            System.gc();
            Thread.sleep(20);
        }
        long before = io.github.ossltickets.OpenSsl.liveObjects().contextsWithCallbacks();
        Tomcat server = new Tomcat();
        server.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("SSLEnabled", "true");
        connector.addSslHostConfig(host("_default_"));
        TomcatTickets.attach(connector, (context, certificate) -> context.setTicketCallbacks(
                (ssl, session) -> context.ticketStats().ticketsGenerated() >= 0,
                (ssl, session, name, status) -> context.ticketStats().decrypts() > 0
                        ? io.github.ossltickets.TicketReturn.defaultFor(status)
                        : io.github.ossltickets.TicketReturn.ABORT));
        server.getService().addConnector(connector);
        server.start();
        try {
            var protocol = (org.apache.coyote.http11.AbstractHttp11Protocol<?>) connector.getProtocolHandler();
            for (int i = 0; i < 100; i++) {
                protocol.reloadSslHostConfigs();
            }
            for (int gc = 0; gc < 100 && liveWithCallbacks() > before + 1; gc++) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(before + 1, liveWithCallbacks(), "only the context in use is left after GC");
        } finally {
            server.stop();
            server.destroy();
        }
        for (int gc = 0; gc < 100 && liveWithCallbacks() > before; gc++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, liveWithCallbacks(), "and none after destroy");
    }

    private static long liveWithCallbacks() {
        return io.github.ossltickets.OpenSsl.liveObjects().contextsWithCallbacks();
    }

    private static SSLHostConfig host(String name) {
        SSLHostConfig host = new SSLHostConfig();
        host.setHostName(name);
        var certificate = new org.apache.tomcat.util.net.SSLHostConfigCertificate(host,
                org.apache.tomcat.util.net.SSLHostConfigCertificate.Type.RSA);
        certificate.setCertificateFile(directory.resolve("rsa-cert.pem").toString());
        certificate.setCertificateKeyFile(directory.resolve("rsa-key.pem").toString());
        host.addCertificate(certificate);
        return host;
    }

    @Test
    void anInstallerThatThrowsStopsTheConnectorFromStarting(@TempDir Path base) throws Exception {
        Tomcat failing = new Tomcat();
        failing.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("SSLEnabled", "true");
        SSLHostConfig host = new SSLHostConfig();
        var certificate = new org.apache.tomcat.util.net.SSLHostConfigCertificate(host,
                org.apache.tomcat.util.net.SSLHostConfigCertificate.Type.RSA);
        certificate.setCertificateFile(directory.resolve("rsa-cert.pem").toString());
        certificate.setCertificateKeyFile(directory.resolve("rsa-key.pem").toString());
        host.addCertificate(certificate);
        connector.addSslHostConfig(host);
        TomcatTickets.attach(connector, (context, cert) -> {
            throw new IllegalStateException("policy store unreachable");
        });
        failing.getService().addConnector(connector);
        try {
            failing.start();
            assertFalse(connector.getState().isAvailable(), "the connector started without its callbacks");
        } catch (LifecycleException refused) {
            // Tomcat may also say so by failing start(): either way nothing is served without callbacks
        } finally {
            failing.stop();
            failing.destroy();
        }
    }
}
