package io.github.ossltickets.tomcat;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TomcatTickets} used the wrong way: each must fail loudly, never leave Tomcat serving tickets
 * without the callbacks the user believes are installed.
 */
@Timeout(60)
class TomcatHostileTest {
    @TempDir
    static Path directory;

    @BeforeAll
    static void certificate() throws Exception {
        Process req = new ProcessBuilder("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-keyout", directory.resolve("key.pem").toString(), "-out", directory.resolve("cert.pem").toString(),
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256").redirectErrorStream(true).start();
        req.getInputStream().readAllBytes();
        assertEquals(0, req.waitFor());
    }

    private static Connector connector() {
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("SSLEnabled", "true");
        connector.setProperty("address", "127.0.0.1");
        SSLHostConfig host = new SSLHostConfig();
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.EC);
        certificate.setCertificateFile(directory.resolve("cert.pem").toString());
        certificate.setCertificateKeyFile(directory.resolve("key.pem").toString());
        host.addCertificate(certificate);
        connector.addSslHostConfig(host);
        return connector;
    }

    /**
     * Tomcat makes its SSL contexts when the connector is initialised (it binds on init), not when it
     * starts: an attach after {@code init()} set the implementation too late, and the connector then
     * served on contexts that never saw the installer.
     */
    @Test
    void attachAfterTheConnectorWasInitialisedIsRefused(@TempDir Path base) throws Exception {
        Tomcat server = new Tomcat();
        server.setBaseDir(base.toString());
        Connector connector = connector();
        server.getService().addConnector(connector);
        AtomicInteger installs = new AtomicInteger();
        try {
            server.init();
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> TomcatTickets.attach(connector, (context, certificate) -> installs.incrementAndGet()));
            assertTrue(refused.getMessage().contains("INITIALIZED"), refused.getMessage());
            server.start();
            assertEquals(0, installs.get());
        } finally {
            server.stop();
            server.destroy();
        }
    }

    /**
     * SslContext is AutoCloseable, so {@code try (context) {...}} in an installer looks right; closing
     * a borrowed handle removes what it installed, and the connector then served tickets under
     * OpenSSL's own keys without a word. The connector must not start.
     */
    @Test
    void anInstallerThatClosesItsContextStopsTheConnectorFromStarting(@TempDir Path base) throws Exception {
        Tomcat server = new Tomcat();
        server.setBaseDir(base.toString());
        Connector connector = connector();
        TomcatTickets.attach(connector, (context, certificate) -> {
            try (context) {
                context.setTicketKeyCallback(io.github.ossltickets.keys.TicketKeyRing.of(
                        io.github.ossltickets.keys.KeySet.of(io.github.ossltickets.TicketKey.random())));
            }
        });
        server.getService().addConnector(connector);
        try {
            try {
                server.start();
            } catch (LifecycleException refused) {
                // Tomcat may say so by failing start(): either way nothing is served without callbacks
            }
            assertFalse(connector.getState().isAvailable(), "the connector started without its callbacks");
        } finally {
            server.stop();
            server.destroy();
        }
    }
    /**
     * An installer that uses its connector (to log its port, say): once Tomcat is destroyed and dropped,
     * the connector is collected. TomcatTickets keeps installers in a static map with weak keys (the
     * host configurations), whose values, the installers, kept the connector and through it the keys:
     * every connector attached so stayed for the life of the JVM.
     */
    @Test
    void aDestroyedConnectorIsNotKeptByAnInstallerThatUsesIt(@TempDir Path base) throws Exception {
        java.lang.ref.WeakReference<Connector> dropped = startAndDestroy(base);
        for (int gc = 0; gc < 50 && dropped.get() != null; gc++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(null, dropped.get(), "the destroyed connector is still reachable");
    }

    private static java.lang.ref.WeakReference<Connector> startAndDestroy(Path base) throws Exception {
        Tomcat server = new Tomcat();
        server.setBaseDir(base.toString());
        Connector connector = connector();
        AtomicInteger installs = new AtomicInteger();
        TomcatTickets.attach(connector, (context, certificate) -> installs.addAndGet(connector.getPort() == 0 ? 1 : 1));
        server.getService().addConnector(connector);
        server.start();
        server.stop();
        server.destroy();
        assertEquals(1, installs.get());
        return new java.lang.ref.WeakReference<>(connector);
    }
}
