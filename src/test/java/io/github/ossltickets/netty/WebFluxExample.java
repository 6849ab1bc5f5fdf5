package io.github.ossltickets.netty;

import io.github.ossltickets.adapters.ExampleLogging;
import io.github.ossltickets.adapters.ExampleTickets;
import io.netty.handler.ssl.SslHandler;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.netty.Connection;
import reactor.netty.tcp.SslProvider;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Spring Boot 4 WebFlux application on Reactor Netty, its certificate from Spring's SSL bundle
 * {@code server} ({@code server.ssl.bundle}), the callbacks attached by a {@link NettyServerCustomizer}
 * bean to the Netty context Spring Boot built from that bundle. GET / answers with
 * {@link ExampleTickets#report}; GET /advance-policy makes the tickets issued so far stale.
 *
 * <pre>java ... io.github.ossltickets.netty.WebFluxExample PORT DIRECTORY</pre>
 */
public final class WebFluxExample implements AutoCloseable {
    private final ConfigurableApplicationContext application;

    private WebFluxExample(ConfigurableApplicationContext application) {
        this.application = application;
    }

    /** Starts the application on {@code port} (0 picks a free one), its certificate in {@code directory}. */
    static WebFluxExample start(Path directory, int port) throws IOException, InterruptedException {
        ExampleLogging.toJavaUtilLogging();
        Path key = directory.resolve("key.pem");
        Path cert = directory.resolve("cert.pem");
        Certificates.selfSigned(key, cert);
        SpringApplication spring = new SpringApplication(Application.class);
        spring.setWebApplicationType(WebApplicationType.REACTIVE);
        spring.setDefaultProperties(Map.of(
                "server.port", port,
                "server.address", "0.0.0.0",
                "server.ssl.bundle", "server",
                "spring.ssl.bundle.pem.server.keystore.certificate", "file:" + cert,
                "spring.ssl.bundle.pem.server.keystore.private-key", "file:" + key,
                "spring.ssl.bundle.pem.server.options.enabled-protocols", "TLSv1.2,TLSv1.3",
                // Tomcat is on this class path too (for the Spring Boot on Tomcat example): Reactor Netty here.
                "spring.autoconfigure.exclude", "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration",
                "spring.main.banner-mode", "off"));
        return new WebFluxExample(spring.run());
    }

    int port() {
        return ((WebServerApplicationContext) application).getWebServer().getPort();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Application {
        @Bean
        ExampleTickets exampleTickets() {
            return new ExampleTickets();
        }

        /**
         * Spring Boot secures the server from {@code server.ssl} before it runs the customizers: the Netty
         * context it built is the server's {@code sslProvider()}, and gets the callbacks in place.
         */
        @Bean
        NettyServerCustomizer attachTickets(ExampleTickets tickets) {
            return server -> {
                SslProvider ssl = server.configuration().sslProvider();
                if (ssl == null) {
                    throw new IllegalStateException("the server has no TLS: set server.ssl.bundle");
                }
                NettyTickets.attach(ssl.getSslContext(), context -> tickets.install(context, "WEBFLUX"));
                return server;
            };
        }

        @Bean
        RouterFunction<ServerResponse> report(ExampleTickets tickets) {
            return RouterFunctions.route().GET("/**", request -> {
                if (request.path().equals("/advance-policy")) {
                    tickets.advancePolicy();
                }
                Connection connection = ServerHttpRequestDecorator.getNativeRequest(request.exchange().getRequest());
                SSLSession session = connection.channel().pipeline().get(SslHandler.class).engine().getSession();
                return ServerResponse.ok().header("Connection", "close")
                        .bodyValue(tickets.report("webflux", session.getProtocol(), session.getId()));
            }).build();
        }
    }

    @Override
    public void close() {
        application.close();
    }

    public static void main(String[] args) throws Exception {
        WebFluxExample example = start(Path.of(args[1]), Integer.parseInt(args[0]));
        System.out.println("ready " + example.port());
        Thread.currentThread().join();
    }
}
