package io.github.ossltickets.netty;

import io.github.ossltickets.adapters.ExampleTickets;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Netty 4.2 HTTPS server on tcnative's OpenSSL, with three listeners: TLS 1.2 and 1.3 with
 * {@link NettyTickets} attached; TLS 1.2 only, attached with {@code WhenTicketsOff.ENABLE}; and TLS 1.2
 * and 1.3 without it (to compare). GET / answers with {@link ExampleTickets#report}; GET /release-cycle
 * runs {@link NettyReleaseCycle}.
 *
 * With a KEY_FILE (nginx, 80 bytes) the first listener joins serve's fleet on that key (its ring,
 * serve's session-ID context, app data that serve accepts), and the TLS 1.2 one gets the ring alone.
 *
 * <pre>java ... io.github.ossltickets.netty.NettyExample PORT TLS12_PORT PLAIN_PORT DIRECTORY [KEY_FILE]</pre>
 */
public final class NettyExample implements AutoCloseable {
    final ExampleTickets tickets;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();
    private final Path key;
    private final Path cert;

    NettyExample(Path directory, int port, int tls12Port, int plainPort, Path fleetKeys)
            throws IOException, InterruptedException {
        io.github.ossltickets.keys.TicketKeyRing ring = ExampleTickets.ring(fleetKeys);
        tickets = ring == null ? new ExampleTickets() : new ExampleTickets(ExampleTickets.SERVE_APP_DATA_PREFIX);
        key = directory.resolve("key.pem");
        cert = directory.resolve("cert.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-newkey", "rsa:2048", "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IOException("openssl req failed: " + output);
        }
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

    @Override
    public void close() {
        channels.forEach(Channel::close);
        group.shutdownGracefully();
    }

    public static void main(String[] args) throws Exception {
        NettyExample example = new NettyExample(Path.of(args[3]), Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), args.length > 4 ? Path.of(args[4]) : null);
        System.out.println("ready " + example.port(0) + " " + example.port(1) + " " + example.port(2));
        Thread.currentThread().join();
    }
}
