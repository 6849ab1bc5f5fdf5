package io.github.ossltickets.netty;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.adapters.ExampleTickets;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import io.github.ossltickets.policy.TicketBinding;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Netty 4.2 HTTPS server on tcnative's OpenSSL, with three listeners: TLS 1.2 and 1.3 with
 * {@link NettyTickets} attached; TLS 1.2 only, attached with {@code WhenTicketsOff.ENABLE}; and TLS 1.2
 * and 1.3 without it (to compare). GET / answers with {@link ExampleTickets#report}; GET /release-cycle
 * runs {@link NettyReleaseCycle}.
 *
 * With a KEY_FILE (nginx, 80 bytes) the first listener joins serve's fleet on that key (its ring,
 * serve's session-ID context, app data that serve accepts), and the TLS 1.2 one gets the ring alone.
 *
 * <pre>java ... io.github.ossltickets.netty.NettyExample PORT TLS12_PORT PLAIN_PORT [SNI_PORT] DIRECTORY [KEY_FILE]</pre>
 */
public final class NettyExample implements AutoCloseable {
    final ExampleTickets tickets;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();
    private final Path key;
    private final Path cert;
    /** The bindings of the SNI listener's bound hosts, by host name. */
    final Map<String, TicketBinding> bindings = Map.of(
            "a.example", TicketBinding.builder().listenerId("a.example")
                    .bind(TicketBinding.Field.LISTENER, TicketBinding.Field.SERVER_NAME).build(),
            "b.example", TicketBinding.builder().listenerId("b.example")
                    .bind(TicketBinding.Field.LISTENER, TicketBinding.Field.SERVER_NAME).build(),
            // Bound on the certificate alone: Netty sets a connection's certificate in its certificate
            // callback, which OpenSSL runs after the ticket is decrypted (and not at all on resumption).
            "e.example", TicketBinding.builder().bind(TicketBinding.Field.CERTIFICATE).build());

    NettyExample(Path directory, int port, int tls12Port, int plainPort, Path fleetKeys)
            throws IOException, InterruptedException {
        this(directory, port, tls12Port, plainPort, -1, fleetKeys);
    }

    NettyExample(Path directory, int port, int tls12Port, int plainPort, int sniPort, Path fleetKeys)
            throws IOException, InterruptedException {
        TicketKeyRing ring = ExampleTickets.ring(fleetKeys);
        tickets = ring == null ? new ExampleTickets() : new ExampleTickets(ExampleTickets.SERVE_APP_DATA_PREFIX);
        key = directory.resolve("key.pem");
        cert = directory.resolve("cert.pem");
        certificate(key, cert, "localhost", "rsa:2048");
        SslContext both = context(key, cert, "TLSv1.2", "TLSv1.3");
        NettyTickets.attach(both, context -> tickets.install(context, "RSA", ring));
        SslContext tls12 = context(key, cert, "TLSv1.2");
        if (ring == null) {
            NettyTickets.attach(tls12, context -> tickets.install(context, "RSA-TLS12"), NettyTickets.WhenTicketsOff.ENABLE);
        } else {
            NettyTickets.attach(tls12, ring, NettyTickets.WhenTicketsOff.ENABLE); // the key ring alone
        }
        listen(port, both);
        listen(tls12Port, tls12);
        listen(plainPort, context(key, cert, "TLSv1.2", "TLSv1.3"));
        if (sniPort >= 0) {
            listenWithSni(directory, sniPort);
        }
    }

    /** The SNI listener: five hosts, five certificates, one key ring; a, b and e bound, c and d not. */
    private void listenWithSni(Path directory, int sniPort) throws IOException, InterruptedException {
        TicketKeyRing ring = TicketKeyRing.of(KeySet.of(TicketKey.random()));
        DomainWildcardMappingBuilder<SslContext> hosts = new DomainWildcardMappingBuilder<>(context(key, cert, "TLSv1.2"));
        for (String host : List.of("a.example", "b.example", "c.example", "d.example", "e.example")) {
            Path hostKey = directory.resolve(host + ".key.pem");
            Path hostCert = directory.resolve(host + ".cert.pem");
            certificate(hostKey, hostCert, host, "ec");
            SslContext context = context(hostKey, hostCert, "TLSv1.2", "TLSv1.3");
            TicketBinding binding = bindings.get(host);
            NettyTickets.attach(context, tickets -> {
                tickets.setTicketKeyCallback(ring);
                if (binding != null) {
                    binding.install(tickets);
                }
            });
            hosts.add(host, context);
        }
        Mapping<String, SslContext> mapping = hosts.build();
        channels.add(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new SniHandler(mapping), new HttpServerCodec(),
                                new HttpObjectAggregator(65536), new BindingReport());
                    }
                }).bind(sniPort).sync().channel());
    }

    /** A self-signed certificate for {@code name}; {@code algorithm} is rsa:2048 or ec (P-256). */
    private static void certificate(Path key, Path cert, String name, String algorithm)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-nodes", "-days", "2",
                "-subj", "/CN=" + name, "-keyout", key.toString(), "-out", cert.toString(), "-newkey", algorithm));
        if (algorithm.equals("ec")) {
            command.addAll(List.of("-pkeyopt", "ec_paramgen_curve:P-256"));
        }
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IOException("openssl req failed for " + cert + ": " + output);
        }
    }

    private static SslContext context(Path key, Path cert, String... protocols) throws IOException {
        return SslContextBuilder.forServer(cert.toFile(), key.toFile()).sslProvider(SslProvider.OPENSSL)
                .protocols(protocols).build();
    }

    private void listen(int port, SslContext sslContext) throws InterruptedException {
        Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(sslContext.newHandler(channel.alloc()), new HttpServerCodec(),
                                new HttpObjectAggregator(65536), new Report());
                    }
                }).bind(port).sync().channel();
        channels.add(channel);
    }

    int port(int index) {
        return ((InetSocketAddress) channels.get(index).localAddress()).getPort();
    }

    private final class Report extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
            SSLSession session = context.pipeline().get(SslHandler.class).engine().getSession();
            String report;
            try {
                report = request.uri().equals("/release-cycle") ? NettyReleaseCycle.run(key, cert, 100)
                        : tickets.report("netty", session.getProtocol(), session.getId());
            } catch (Exception e) {
                report = "server: netty\nerror: " + e + "\n";
            }
            byte[] body = report.getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length).set(HttpHeaderNames.CONNECTION, "close");
            context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The SNI listener's answer: the protocol, and each binding's counters ({@code a.example-refused-...}). */
    private final class BindingReport extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
            SSLSession session = context.pipeline().get(SslHandler.class).engine().getSession();
            StringBuilder report = new StringBuilder("server: netty-sni\nprotocol: " + session.getProtocol() + "\n");
            bindings.forEach((host, binding) -> {
                TicketBinding.Stats stats = binding.stats();
                report.append(host).append("-issued: ").append(stats.issued()).append('\n')
                        .append(host).append("-accepted: ").append(stats.accepted()).append('\n');
                stats.refused().forEach((reason, count) -> report.append(host).append("-refused-")
                        .append(reason.name().toLowerCase(Locale.ROOT)).append(": ").append(count).append('\n'));
            });
            byte[] body = report.toString().getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length).set(HttpHeaderNames.CONNECTION, "close");
            context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void close() {
        channels.forEach(Channel::close);
        group.shutdownGracefully();
    }

    public static void main(String[] args) throws Exception {
        // PORT TLS12_PORT PLAIN_PORT [SNI_PORT] DIRECTORY [KEY_FILE]: the optional SNI_PORT is the fourth number.
        int sniPort = args.length > 3 && args[3].matches("[0-9]+") ? Integer.parseInt(args[3]) : -1;
        int rest = sniPort >= 0 ? 4 : 3;
        NettyExample example = new NettyExample(Path.of(args[rest]), Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), sniPort, args.length > rest + 1 ? Path.of(args[rest + 1]) : null);
        System.out.println("ready " + example.port(0) + " " + example.port(1) + " " + example.port(2)
                + (sniPort >= 0 ? " " + example.port(3) : ""));
        Thread.currentThread().join();
    }
}
