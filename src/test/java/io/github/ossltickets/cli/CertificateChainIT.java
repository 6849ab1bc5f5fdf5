package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.net.TlsServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A leaf followed by its intermediate in one PEM is served as a chain: clients that trust only the
 * root (openssl s_client, curl, the JDK) verify it, through the builder and through {@code serve --cert}.
 * The three-level chain is made at test time with the openssl command line tool.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CertificateChainIT {
    @TempDir
    static Path dir;
    static Path root;
    static Path fullChain;
    static Path leafKey;

    @BeforeAll
    static void makeChain() throws Exception {
        root = dir.resolve("root.pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=ossl-tickets test root", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Files.writeString(dir.resolve("ca.ext"), "basicConstraints=critical,CA:TRUE,pathlen:0\n"
                + "keyUsage=critical,keyCertSign,cRLSign\n");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "intermediate.key", "-out", "intermediate.csr", "-subj", "/CN=ossl-tickets test intermediate");
        openssl("x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "2",
                "-days", "2", "-extfile", "ca.ext", "-out", "intermediate.pem");
        Files.writeString(dir.resolve("leaf.ext"), "basicConstraints=critical,CA:FALSE\n"
                + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                + "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost");
        openssl("x509", "-req", "-in", "leaf.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key",
                "-set_serial", "3", "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.pem");
        fullChain = Files.writeString(dir.resolve("fullchain.pem"), Files.readString(dir.resolve("leaf.pem"))
                + Files.readString(dir.resolve("intermediate.pem")));
        leafKey = dir.resolve("leaf.key");
    }

    @Test
    void theBuilderServesTheWholeChainFromFiles() throws Exception {
        try (SslContext context = SslContext.forServer().certificate(fullChain, leafKey).build();
             TlsServer server = TlsServer.builder(context, connection -> new HttpRequests(connection,
                     Duration.ofSeconds(10)).respond(200, "OK", "chain served\n", false)).port(0).build()) {
            verifiedByEveryClient(server.port(), "chain served");
        }
    }

    @Test
    void serveServesTheWholeChain() throws Exception {
        PrintStream events = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Serve.Running server = Serve.start(Serve.Options.parse(new String[] {"--port", "0",
                "--cert", fullChain.toString(), "--key", leafKey.toString()}), events)) {
            verifiedByEveryClient(server.port(), "protocol: TLSv1.3");
        }
    }

    @Test
    void aDamagedIntermediateIsRefusedWithItsPosition() throws Exception {
        String chain = Files.readString(fullChain);
        int second = chain.indexOf("-----BEGIN CERTIFICATE-----", 1);
        String damaged = chain.substring(0, second + 40) + "!!!!" + chain.substring(second + 44);
        OpenSslException e = assertThrows(OpenSslException.class, () -> SslContext.forServer()
                .certificate(damaged, Files.readString(leafKey)).build());
        assertTrue(e.getMessage().contains("certificate 2 of the chain is damaged"), e.getMessage());
    }

    @Test
    void theKeyMustMatchTheFirstCertificate() throws Exception {
        String intermediateFirst = Files.readString(dir.resolve("intermediate.pem")) + Files.readString(dir.resolve("leaf.pem"));
        OpenSslException e = assertThrows(OpenSslException.class, () -> SslContext.forServer()
                .certificate(intermediateFirst, Files.readString(leafKey)).build());
        assertTrue(e.getMessage().contains("the first one in the certificate PEM"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.pem");
        IOException e = assertThrows(IOException.class, () -> SslContext.forServer().certificate(missing, leafKey));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    /** s_client with -verify_return_error, curl and the JDK's HttpClient, each trusting only the root. */
    private static void verifiedByEveryClient(int port, String expectedBody) throws Exception {
        String sClient = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-CAfile",
                root.toString(), "-verify_return_error", "-verify_hostname", "localhost", "-showcerts", "-ign_eof"),
                Peers.GET);
        assertTrue(sClient.contains("Verify return code: 0 (ok)"), sClient);
        assertTrue(sClient.contains("1 s:CN = ossl-tickets test intermediate"), "the intermediate was sent: " + sClient);
        assertTrue(sClient.contains(expectedBody), sClient);

        String curl = run(List.of("curl", "-sS", "--max-time", "20", "--cacert", root.toString(),
                "https://localhost:" + port + "/", "--resolve", "localhost:" + port + ":127.0.0.1"), "");
        assertTrue(curl.contains(expectedBody), "curl verified the chain: " + curl);

        HttpClient jdk = HttpClient.newBuilder().sslContext(trustingOnly(root)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = jdk.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains(expectedBody), response.body());
    }

    private static SSLContext trustingOnly(Path rootPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(rootPem)) {
            trust.setCertificateEntry("root", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }

    private static void openssl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        run(command, null);
    }

    /** Runs {@code command} in {@link #dir} with {@code input} on stdin; fails unless it exits 0. */
    private static String run(List<String> command, String input) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.US_ASCII));
            }
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish: " + output);
        }
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }
}
