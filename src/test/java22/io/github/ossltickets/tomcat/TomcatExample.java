package io.github.ossltickets.tomcat;

import io.github.ossltickets.adapters.ExampleTickets;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * An embedded Tomcat 11 with two HTTPS connectors on Tomcat's FFM OpenSSL, each with an RSA and an EC
 * certificate: one with {@link TomcatTickets} attached, one without (to compare). GET / answers with
 * {@link ExampleTickets#report}; GET /reload reloads the host configurations of the attached connector.
 *
 * With a KEY_FILE (nginx, 80 bytes) the attached connector joins serve's fleet on that key: its ring,
 * serve's session-ID context and app data that serve accepts ({@link ExampleTickets#install(
 * io.github.ossltickets.SslContext, String, io.github.ossltickets.keys.TicketKeyRing)}).
 *
 * <pre>java ... io.github.ossltickets.tomcat.TomcatExample PORT PLAIN_PORT DIRECTORY [KEY_FILE]</pre>
 */
public final class TomcatExample implements AutoCloseable {
    final ExampleTickets tickets;
    final Tomcat tomcat = new Tomcat();
    final Connector attached;
    final Connector plain;

    private TomcatExample(Path directory, int port, int plainPort, Path fleetKeys) throws IOException, LifecycleException {
        io.github.ossltickets.keys.TicketKeyRing ring = ExampleTickets.ring(fleetKeys);
        tickets = ring == null ? new ExampleTickets() : new ExampleTickets(ExampleTickets.SERVE_APP_DATA_PREFIX);
        Path rsaKey = directory.resolve("rsa-key.pem"), rsaCert = directory.resolve("rsa-cert.pem");
        Path ecKey = directory.resolve("ec-key.pem"), ecCert = directory.resolve("ec-cert.pem");
        certificate(rsaKey, rsaCert, "rsa:2048");
        certificate(ecKey, ecCert, "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
        tomcat.setBaseDir(Files.createDirectories(directory.resolve("tomcat")).toString());
        attached = connector(port, rsaKey, rsaCert, ecKey, ecCert);
        TomcatTickets.attach(attached, (context, certificate) -> tickets.install(context, certificate.getType().name(), ring));
        plain = connector(plainPort, rsaKey, rsaCert, ecKey, ecCert);
        plain.setProperty(TomcatTickets.IMPLEMENTATION_PROPERTY, TomcatTickets.TOMCAT_FFM);
        tomcat.getService().addConnector(attached);
        tomcat.getService().addConnector(plain);
        Context context = tomcat.addContext("", directory.toString());
        Tomcat.addServlet(context, "tickets", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                if (request.getRequestURI().equals("/reload")) {
                    ((AbstractHttp11Protocol<?>) attached.getProtocolHandler()).reloadSslHostConfigs();
                }
                String sessionId = (String) request.getAttribute("jakarta.servlet.request.ssl_session_id");
                String protocol = (String) request.getAttribute("org.apache.tomcat.util.net.secure_protocol_version");
                response.setContentType("text/plain");
                response.setHeader("Connection", "close");
                response.getOutputStream().write(tickets.report("tomcat", protocol,
                        sessionId == null ? new byte[0] : HexFormat.of().parseHex(sessionId)).getBytes(StandardCharsets.UTF_8));
            }
        });
        context.addServletMappingDecoded("/*", "tickets");
        tomcat.start();
    }

    /** Starts Tomcat; {@code 0} ports pick free ones. */
    static TomcatExample start(Path directory, int port, int plainPort) throws IOException, LifecycleException {
        return new TomcatExample(directory, port, plainPort, null);
    }

    /** Starts Tomcat with its attached connector on the ring of this nginx key file, as serve's fleet does. */
    static TomcatExample startWithKeyFile(Path directory, Path keyFile) throws IOException, LifecycleException {
        return new TomcatExample(directory, 0, 0, keyFile);
    }

    int port() {
        return attached.getLocalPort();
    }

    int plainPort() {
        return plain.getLocalPort();
    }

    private static Connector connector(int port, Path rsaKey, Path rsaCert, Path ecKey, Path ecCert) {
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(port);
        connector.setSecure(true);
        connector.setScheme("https");
        connector.setProperty("SSLEnabled", "true");
        connector.setProperty("address", "0.0.0.0");
        SSLHostConfig host = new SSLHostConfig();
        host.setProtocols("TLSv1.2+TLSv1.3");
        for (Object[] pair : new Object[][] {{SSLHostConfigCertificate.Type.RSA, rsaKey, rsaCert},
                {SSLHostConfigCertificate.Type.EC, ecKey, ecCert}}) {
            SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, (SSLHostConfigCertificate.Type) pair[0]);
            certificate.setCertificateKeyFile(pair[1].toString());
            certificate.setCertificateFile(pair[2].toString());
            host.addCertificate(certificate);
        }
        connector.addSslHostConfig(host);
        return connector;
    }

    private static void certificate(Path key, Path cert, String... keyOptions) throws IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl", "req", "-x509",
                "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key.toString(), "-out", cert.toString(),
                "-newkey"));
        command.addAll(java.util.List.of(keyOptions));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IOException("openssl req failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
    }

    public static void main(String[] args) throws Exception {
        TomcatExample example = new TomcatExample(Path.of(args[2]), Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                args.length > 3 ? Path.of(args[3]) : null);
        System.out.println("ready " + example.port() + " " + example.plainPort());
        Thread.currentThread().join();
    }
}
