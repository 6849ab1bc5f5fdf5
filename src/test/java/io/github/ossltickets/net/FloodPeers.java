package io.github.ossltickets.net;

import io.github.ossltickets.NetworkBio;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hostile side of the flood test, in a process of its own so that its sockets do not count against
 * the server's file descriptors: opens {@code idle} connections that send nothing and {@code slow} ones
 * that send a real ClientHello one byte every 100 ms (never its last byte), spread over source addresses
 * 127.0.1.1, 127.0.1.2, ... with {@code perAddress} connections each. Prints {@code READY n} when all are
 * open, and closes them all when its standard input ends.
 *
 * <pre>java ... io.github.ossltickets.net.FloodPeers PORT IDLE SLOW PER_ADDRESS</pre>
 */
public final class FloodPeers {
    private FloodPeers() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int idle = Integer.parseInt(args[1]);
        int slow = Integer.parseInt(args[2]);
        int perAddress = Integer.parseInt(args[3]);
        byte[] hello = clientHello();
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        List<SocketChannel> quiet = new ArrayList<>();
        List<SocketChannel> crawling = new ArrayList<>();
        for (int i = 0; i < idle + slow; i++) {
            SocketChannel channel = SocketChannel.open();
            channel.bind(new InetSocketAddress("127.0.1." + (1 + i / perAddress), 0));
            channel.connect(server);
            (i < idle ? quiet : crawling).add(channel);
        }
        System.out.println("READY " + (quiet.size() + crawling.size()));
        System.out.flush();
        Thread crawl = new Thread(() -> crawl(crawling, hello), "slowloris");
        crawl.setDaemon(true);
        crawl.start();
        while (System.in.read() >= 0) {
            // until the parent closes our standard input
        }
        System.exit(0); // closes every socket
    }

    /** One more byte of the ClientHello on every slow connection, every 100 ms, never the last one. */
    private static void crawl(List<SocketChannel> channels, byte[] hello) {
        int cut = 0;
        for (int sent = 0; sent < hello.length - 1; sent++) {
            for (SocketChannel channel : channels) {
                if (!channel.isOpen()) {
                    continue;
                }
                try {
                    channel.write(ByteBuffer.wrap(hello, sent, 1));
                } catch (IOException closedByServer) {
                    cut++;
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // gone already
                    }
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
        System.err.println("slowloris: " + cut + " connections cut by the server");
    }

    /** A real ClientHello from OpenSSL, taken from an in-memory handshake that goes no further. */
    private static byte[] clientHello() {
        try (SslContext context = SslContext.forClient().build(); Ssl ssl = context.newSsl();
             NetworkBio network = ssl.attachNetworkBio(0)) {
            ssl.handshake();
            byte[] buffer = new byte[17 * 1024];
            return Arrays.copyOf(buffer, network.read(buffer));
        }
    }
}
