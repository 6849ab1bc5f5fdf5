package io.github.ossltickets.netty;

import io.github.ossltickets.adapters.ExampleLogging;
import io.github.ossltickets.adapters.ExampleTickets;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.spi.tls.SslContextFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A Vert.x 5 HTTPS server on OpenSSL ({@link OpenSSLEngineOptions}), the callbacks attached through
 * Vert.x's public SSL-context SPI: {@link TicketsEngineOptions} wraps the {@link SslContextFactory}
 * Vert.x asks the engine options for, and passes each server context it makes through
 * {@link NettyTickets#attach}. GET / answers with {@link ExampleTickets#report}; GET /advance-policy
 * makes the tickets issued so far stale.
 *
 * <pre>java ... io.github.ossltickets.netty.VertxExample PORT DIRECTORY</pre>
 */
public final class VertxExample implements AutoCloseable {
    final ExampleTickets tickets = new ExampleTickets();
    private final Vertx vertx;
    private final HttpServer server;

    /**
     * Vert.x's OpenSSL engine, whose server contexts get the callbacks. Vert.x copies its options, and
     * makes a context per configuration (and per server name with SNI), each through a fresh factory.
     */
    public static final class TicketsEngineOptions extends OpenSSLEngineOptions {
        private final Consumer<io.github.ossltickets.SslContext> installer;

        public TicketsEngineOptions(Consumer<io.github.ossltickets.SslContext> installer) {
            this.installer = installer;
        }

        private TicketsEngineOptions(TicketsEngineOptions other) {
            super(other);
            this.installer = other.installer;
        }

        @Override
        public TicketsEngineOptions copy() {
            return new TicketsEngineOptions(this);
        }

        @Override
        public SslContextFactory sslContextFactory() {
            SslContextFactory vertx = super.sslContextFactory();
            return new SslContextFactory() {
                private boolean client;

                @Override
                public SslContextFactory useAlpn(boolean useAlpn) {
                    vertx.useAlpn(useAlpn);
                    return this;
                }

                @Override
                public SslContextFactory clientAuth(ClientAuth clientAuth) {
                    vertx.clientAuth(clientAuth);
                    return this;
                }

                @Override
                public SslContextFactory forClient(boolean forClient) {
                    client = forClient;
                    vertx.forClient(forClient);
                    return this;
                }

                @Override
                public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
                    vertx.keyMananagerFactory(kmf);
                    return this;
                }

                @Override
                public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
                    vertx.trustManagerFactory(tmf);
                    return this;
                }

                @Override
                public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
                    vertx.enabledCipherSuites(enabledCipherSuites);
                    return this;
                }

                @Override
                public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
                    vertx.applicationProtocols(applicationProtocols);
                    return this;
                }

                @Override
                public SslContextFactory serverName(String serverName) {
                    vertx.serverName(serverName);
                    return this;
                }

                @Override
                public SslContext create() throws SSLException {
                    SslContext context = vertx.create();
                    if (!client) {
                        NettyTickets.attach(context, installer); // throws, and Vert.x fails the listen, if it cannot
                    }
                    return context;
                }
            };
        }
    }

    VertxExample(Path directory, int port) throws Exception {
        ExampleLogging.toJavaUtilLogging();
        Path key = directory.resolve("key.pem");
        Path cert = directory.resolve("cert.pem");
        Certificates.selfSigned(key, cert);
        vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setHost("0.0.0.0").setPort(port).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(key.toString()).setCertPath(cert.toString()))
                .setSslEngineOptions(new TicketsEngineOptions(context -> tickets.install(context, "VERTX")));
        try {
            server = vertx.createHttpServer(options).requestHandler(request -> {
                if (request.path().equals("/advance-policy")) {
                    tickets.advancePolicy();
                }
                SSLSession session = request.connection().sslSession();
                request.response().putHeader("Connection", "close")
                        .end(tickets.report("vertx", session.getProtocol(), session.getId()));
            }).listen().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    int port() {
        return server.actualPort();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    public static void main(String[] args) throws Exception {
        VertxExample example = new VertxExample(Path.of(args[1]), Integer.parseInt(args[0]));
        System.out.println("ready " + example.port());
        Thread.currentThread().join();
    }
}
