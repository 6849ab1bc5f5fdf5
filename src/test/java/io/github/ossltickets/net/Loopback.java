package io.github.ossltickets.net;

import io.github.ossltickets.SslContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Our client and our server connected over loopback, both through {@link TlsConnection}. */
final class Loopback implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    final SslContext serverContext;
    final SslContext clientContext;
    private final ServerSocket listener;

    Loopback() throws IOException {
        serverContext = SslContext.forServer().selfSignedCertificate().serverSessionCache(false).build();
        clientContext = SslContext.forClient().build();
        listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    }

    /** Two ends of one connection, each owning its Ssl and socket. */
    static final class Pair implements AutoCloseable {
        final TlsConnection client;
        final TlsConnection server;

        Pair(TlsConnection client, TlsConnection server) {
            this.client = client;
            this.server = server;
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    /** A connected pair whose handshake has finished on both ends. */
    Pair connect() throws Exception {
        return connect(TIMEOUT);
    }

    /** A connected pair whose handshake has finished on both ends, whose reads wait at most {@code readTimeout}. */
    Pair connect(Duration readTimeout) throws Exception {
        Pair pair = connectWithoutHandshake(readTimeout);
        CompletableFuture<Void> serverSide = Async.run(() -> {
            try {
                pair.server.handshake(TIMEOUT);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        pair.client.handshake(TIMEOUT);
        serverSide.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return pair;
    }

    /** A connected pair before its handshake. */
    Pair connectWithoutHandshake() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        return connectWithoutHandshake(TIMEOUT);
    }

    /** A connected pair before its handshake, whose reads wait at most {@code readTimeout}. */
    Pair connectWithoutHandshake(Duration readTimeout) throws IOException, InterruptedException, ExecutionException,
            TimeoutException {
        CompletableFuture<Socket> accepted = Async.supply(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Socket clientSocket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        TlsConnection client = TlsConnection.over(clientContext.newSsl(), clientSocket, readTimeout);
        TlsConnection server = TlsConnection.over(serverContext.newSsl(),
                accepted.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), readTimeout);
        return new Pair(client, server);
    }

    /** A plain socket whose peer accepted and stays silent; close the returned pair's sockets when done. */
    Socket[] silentPeer() throws Exception {
        CompletableFuture<Socket> accepted = Async.supply(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Socket clientSocket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        return new Socket[] {clientSocket, accepted.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)};
    }

    @Override
    public void close() throws IOException {
        listener.close();
        serverContext.close();
        clientContext.close();
    }
}
