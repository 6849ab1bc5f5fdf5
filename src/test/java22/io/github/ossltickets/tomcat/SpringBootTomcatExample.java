package io.github.ossltickets.tomcat;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.adapters.ExampleLogging;
import io.github.ossltickets.adapters.ExampleTickets;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A Spring Boot 4 application on Tomcat 11 with its FFM OpenSSL (JDK 22+), the ticket callbacks attached
 * through a {@link TomcatConnectorCustomizer} bean. The certificate is Spring Boot's: the PEM SSL bundle
 * {@code server} ({@code spring.ssl.bundle.pem.server.*}, {@code server.ssl.bundle=server}), reloaded when
 * its files change. Every context gets the same {@link TicketKeyRing}, so tickets outlive a reload.
 * GET / answers with {@link ExampleTickets#report}; GET /advance-policy makes the tickets issued so far
 * stale; GET /rotate-certificate writes a new key and certificate over the bundle's files.
 *
 * <pre>java ... io.github.ossltickets.tomcat.SpringBootTomcatExample PORT DIRECTORY</pre>
 */
public final class SpringBootTomcatExample implements AutoCloseable {
    private final ConfigurableApplicationContext application;

    private SpringBootTomcatExample(ConfigurableApplicationContext application) {
        this.application = application;
    }

    /** Starts the application on {@code port} (0 picks a free one), its certificate in {@code directory}. */
    static SpringBootTomcatExample start(Path directory, int port) throws IOException {
        Path key = directory.resolve("key.pem");
        Path cert = directory.resolve("cert.pem");
        Certificates.write(key, cert);
        ExampleLogging.toJavaUtilLogging();
        SpringApplication spring = new SpringApplication(Application.class);
        spring.setWebApplicationType(WebApplicationType.SERVLET);
        spring.setDefaultProperties(Map.of(
                "server.port", port,
                "server.address", "0.0.0.0",
                "server.ssl.bundle", "server",
                "spring.ssl.bundle.pem.server.keystore.certificate", "file:" + cert,
                "spring.ssl.bundle.pem.server.keystore.private-key", "file:" + key,
                "spring.ssl.bundle.pem.server.options.enabled-protocols", "TLSv1.2,TLSv1.3",
                "spring.ssl.bundle.pem.server.reload-on-update", true,
                "spring.ssl.bundle.watch.file.quiet-period", "200ms",
                "spring.main.banner-mode", "off",
                "example.directory", directory.toString()));
        return new SpringBootTomcatExample(spring.run());
    }

    int port() {
        return ((WebServerApplicationContext) application).getWebServer().getPort();
    }

    /** The application: what a user of Spring Boot copies is {@link #attachTickets}. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Application {
        @Bean
        ExampleTickets exampleTickets() {
            return new ExampleTickets();
        }

        @Bean
        TicketKeyRing ticketKeys() {
            return TicketKeyRing.of(KeySet.of(TicketKey.random()));
        }

        /**
         * Spring Boot adds the SSL host configuration from {@code server.ssl} before it calls the
         * connector customizers, and reuses it when the bundle reloads: every context Tomcat makes, then
         * and after each reload, gets the callbacks.
         */
        @Bean
        TomcatConnectorCustomizer attachTickets(ExampleTickets tickets, TicketKeyRing keys) {
            return connector -> TomcatTickets.attach(connector, (context, certificate) -> {
                context.setTicketKeyCallback(keys);
                tickets.install(context, "SPRING");
            });
        }

        @Bean
        ServletRegistrationBean<HttpServlet> report(ExampleTickets tickets,
                                                   org.springframework.core.env.Environment environment) {
            Path directory = Path.of(environment.getRequiredProperty("example.directory"));
            HttpServlet servlet = new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    switch (request.getRequestURI()) {
                        case "/advance-policy" -> tickets.advancePolicy();
                        case "/rotate-certificate" -> Certificates.write(directory.resolve("key.pem"),
                                directory.resolve("cert.pem"));
                        default -> { }
                    }
                    String sessionId = (String) request.getAttribute("jakarta.servlet.request.ssl_session_id");
                    String protocol = (String) request.getAttribute("org.apache.tomcat.util.net.secure_protocol_version");
                    response.setContentType("text/plain");
                    response.setHeader("Connection", "close");
                    response.getOutputStream().write(tickets.report("spring-boot-tomcat", protocol,
                            sessionId == null ? new byte[0] : HexFormat.of().parseHex(sessionId))
                            .getBytes(StandardCharsets.UTF_8));
                }
            };
            return new ServletRegistrationBean<>(servlet, "/*");
        }
    }

    /** A self-signed certificate for localhost, written whole (renamed into place) for the bundle's watcher. */
    static final class Certificates {
        private Certificates() {
        }

        static synchronized void write(Path key, Path cert) throws IOException {
            Path newKey = key.resolveSibling(key.getFileName() + ".new");
            Path newCert = cert.resolveSibling(cert.getFileName() + ".new");
            Process process = new ProcessBuilder(List.of("openssl", "req", "-x509", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-keyout", newKey.toString(), "-out", newCert.toString())).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (process.waitFor() != 0) {
                    throw new IOException("openssl req failed: " + output);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            Files.move(newKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(newCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    @Override
    public void close() {
        application.close();
    }

    public static void main(String[] args) throws Exception {
        SpringBootTomcatExample example = start(Path.of(args[1]), Integer.parseInt(args[0]));
        System.out.println("ready " + example.port());
        Thread.currentThread().join();
    }
}
