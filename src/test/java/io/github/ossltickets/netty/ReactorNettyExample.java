package io.github.ossltickets.netty;

import io.github.ossltickets.adapters.ExampleLogging;
import io.github.ossltickets.adapters.ExampleTickets;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain Reactor Netty 1.3 HTTPS server: the Netty {@link SslContext} it is given
 * ({@code secure(spec -> spec.sslContext(context))}) is built with {@code SslProvider.OPENSSL} and passed
 * through {@link NettyTickets#attach} first. GET / answers with {@link ExampleTickets#report}; GET
 * /advance-policy makes the tickets issued so far stale.
 *
 * <pre>java ... io.github.ossltickets.netty.ReactorNettyExample PORT DIRECTORY</pre>
 */
public final class ReactorNettyExample implements AutoCloseable {
    final ExampleTickets tickets = new ExampleTickets();
    private final DisposableServer server;

    ReactorNettyExample(Path directory, int port) throws IOException, InterruptedException {
        ExampleLogging.toJavaUtilLogging();
        Path key = directory.resolve("key.pem");
        Path cert = directory.resolve("cert.pem");
        Certificates.selfSigned(key, cert);
        SslContext nettyContext = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .sslProvider(SslProvider.OPENSSL).protocols("TLSv1.2", "TLSv1.3").build();
        NettyTickets.attach(nettyContext, context -> tickets.install(context, "REACTOR"));
        server = HttpServer.create().host("0.0.0.0").port(port)
                .secure(spec -> spec.sslContext(nettyContext))
                .handle((request, response) -> {
                    if (request.uri().equals("/advance-policy")) {
                        tickets.advancePolicy();
                    }
                    AtomicReference<SSLSession> session = new AtomicReference<>();
                    request.withConnection(connection ->
                            session.set(connection.channel().pipeline().get(SslHandler.class).engine().getSession()));
                    String report = tickets.report("reactor-netty", session.get().getProtocol(), session.get().getId());
                    return response.header("Connection", "close").sendString(Mono.just(report));
                })
                .bindNow();
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
    }

    public static void main(String[] args) throws Exception {
        ReactorNettyExample example = new ReactorNettyExample(Path.of(args[1]), Integer.parseInt(args[0]));
        System.out.println("ready " + example.port());
        Thread.currentThread().join();
    }
}
