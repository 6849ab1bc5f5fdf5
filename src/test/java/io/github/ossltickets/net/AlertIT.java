package io.github.ossltickets.net;

import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketDecryptor;
import io.github.ossltickets.TicketGenerator;
import io.github.ossltickets.TicketReturn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * When a ticket callback fails the handshake, the peer receives the alert OpenSSL chose
 * (internal_error: level 2, description 80), as {@code openssl s_client -msg} shows it; before,
 * {@link TlsConnection#handshake} threw without sending it, and s_client saw an unexpected EOF
 * (TLS 1.2) or nothing (TLS 1.3).
 */
class AlertIT {
    private static final TicketGenerator KEEP_GOING = (connection, session) -> true;
    private static final TicketDecryptor AS_OPENSSL_WOULD = (connection, session, keyName, status) ->
            TicketReturn.defaultFor(status);

    /** Our server over TCP: each connection runs its handshake, then closes; failures are kept. */
    private static final class Server implements AutoCloseable {
        final SslContext context = SslContext.forServer().selfSignedCertificate().serverSessionCache(false).build();
        final ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        final Thread acceptor = new Thread(this::serve, "alert-server");

        Server() throws IOException {
            acceptor.start();
        }

        private void serve() {
            while (!listener.isClosed()) {
                try (TlsConnection connection = TlsConnection.over(context.newSsl(), listener.accept(),
                        Duration.ofSeconds(10))) {
                    connection.handshake(Duration.ofSeconds(10));
                } catch (IOException | RuntimeException e) {
                    if (!listener.isClosed()) {
                        failures.add(e);
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            listener.close();
            acceptor.join(10_000);
            context.close();
        }
    }

    /** {@code openssl s_client -msg}: connects, stays until the server closes, returns what it printed. */
    private static String sClient(int port, String tls, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", tls, "-msg", "-ign_eof"));
        command.addAll(List.of(more));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("openssl s_client did not finish:\n" + output);
        }
        return output;
    }

    /** The alert as s_client -msg prints a received one: its description, then its two bytes (02 = fatal, 50 = 80). */
    private static void assertInternalErrorReceived(String output, String tls) {
        String version = tls.equals("-tls1_2") ? "TLS 1.2" : "TLS 1.3";
        String alert = "<<< " + version + ", Alert [length 0002], fatal internal_error";
        int at = output.indexOf(alert);
        assertTrue(at >= 0, "s_client received no internal_error alert:\n" + output);
        assertTrue(output.startsWith("    02 50", output.indexOf('\n', at) + 1),
                "the alert's bytes are level 2 (fatal), description 80 (internal_error):\n" + output);
    }

    private static void assertHandshakeFailedOnTheServer(Server server) throws InterruptedException {
        for (int wait = 0; wait < 100 && server.failures.isEmpty(); wait++) {
            Thread.sleep(50);
        }
        assertEquals(1, server.failures.size(), "the server's handshake failed once: " + server.failures);
        assertInstanceOf(OpenSslException.class, server.failures.peek());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    @Timeout(60)
    void aDecryptorThatAbortsAResumptionSendsInternalError(String tls, @TempDir Path directory) throws Exception {
        try (Server server = new Server()) {
            server.context.setTicketCallbacks(KEEP_GOING, AS_OPENSSL_WOULD);
            Path session = directory.resolve("session.pem");
            String first = sClient(server.listener.getLocalPort(), tls, "-sess_out", session.toString());
            assertTrue(server.failures.isEmpty(), "the first handshake worked: " + server.failures + "\n" + first);
            server.context.setTicketCallbacks(KEEP_GOING, (connection, offered, keyName, status) -> TicketReturn.ABORT);
            String second = sClient(server.listener.getLocalPort(), tls, "-sess_in", session.toString());
            assertHandshakeFailedOnTheServer(server);
            assertInternalErrorReceived(second, tls);
        }
    }

    /**
     * A handshake that fails on TlsServer's selector thread (TLS 1.1) sends its alert too; before, the
     * alert stayed in the BIO and s_client saw only the close.
     */
    @Test
    @Timeout(60)
    void theServersSelectorSendsTheAlertOfAFailedHandshake() throws Exception {
        try (SslContext context = SslContext.forServer().selfSignedCertificate().build();
             TlsServer server = TlsServer.builder(context, connection -> { }).port(0).build()) {
            String output = sClient(server.port(), "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
            // OpenSSL at the server chooses the alert (internal_error: no signature algorithm for TLS 1.1)
            assertTrue(output.contains("<<< TLS 1.1, Alert [length 0002], fatal"),
                    "s_client received the server's fatal alert:\n" + output);
            for (int wait = 0; wait < 100 && server.stats().connectionsFailed() == 0; wait++) {
                Thread.sleep(50);
            }
            assertEquals(1, server.stats().connectionsFailed(), "the server counted the failed handshake");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    @Timeout(60)
    void aGeneratorThatThrowsSendsInternalError(String tls) throws Exception {
        try (Server server = new Server()) {
            server.context.setTicketCallbacks((connection, session) -> {
                throw new IllegalStateException("a generator that fails");
            }, AS_OPENSSL_WOULD);
            String output = sClient(server.listener.getLocalPort(), tls);
            assertHandshakeFailedOnTheServer(server);
            assertInternalErrorReceived(output, tls);
        }
    }
}
