package io.github.ossltickets.cli;

import io.github.ossltickets.SelfSignedCertificate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Real peers we did not write: the openssl command line tool as client and server; and response parsing. */
final class Peers {
    private Peers() {}

    static final String GET = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    /** {@code openssl s_client}: sends one request and returns everything the server answered. */
    static String sClient(int port, String tls, String... sessionArguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", tls, "-quiet"));
        command.addAll(List.of(sessionArguments));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(GET.getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("openssl s_client did not finish: " + output);
        }
        return output;
    }

    /** Sends {@code request} over our client's connection and reads the answer until the server closes; then closes. */
    static String request(io.github.ossltickets.net.TlsConnection connection, String request) throws IOException {
        try (connection) {
            connection.write(request.getBytes(StandardCharsets.US_ASCII));
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = connection.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /** The {@code key: value} lines of a serve response body. */
    static Map<String, String> fields(String response) {
        Map<String, String> fields = new HashMap<>();
        int body = response.indexOf("\r\n\r\n");
        for (String line : response.substring(body < 0 ? 0 : body + 4).split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 2).trim());
            }
        }
        return fields;
    }

    /** A certificate and key in PEM files under {@code directory}, for servers and for trust. */
    record Certificate(SelfSignedCertificate pem, Path certFile, Path keyFile) {
        static Certificate in(Path directory) throws IOException {
            SelfSignedCertificate pem = SelfSignedCertificate.generate("localhost");
            Path cert = Files.writeString(directory.resolve("cert.pem"), pem.certificatePem());
            Path key = Files.writeString(directory.resolve("key.pem"), pem.privateKeyPem());
            return new Certificate(pem, cert, key);
        }
    }

    /** {@code openssl s_server -www} on a free port; closed with {@link #close()}. */
    static final class SServer implements AutoCloseable {
        final Process process;
        final int port;

        SServer(Certificate certificate, String tls) throws IOException, InterruptedException {
            this.port = freePort();
            this.process = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-www", tls,
                    "-cert", certificate.certFile().toString(), "-key", certificate.keyFile().toString())
                    .redirectErrorStream(true).start();
            InputStream out = process.getInputStream();
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!seen.toString().contains("ACCEPT")) {
                int c = out.read();
                if (c < 0 || System.nanoTime() > deadline) {
                    close();
                    fail("openssl s_server did not start: " + seen);
                }
                seen.append((char) c);
            }
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            drain.setDaemon(true);
            drain.start();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS) || process.destroyForcibly().waitFor(5, TimeUnit.SECONDS));
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
