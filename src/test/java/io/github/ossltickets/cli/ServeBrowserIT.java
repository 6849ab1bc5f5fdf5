package io.github.ossltickets.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * serve as a browser and curl meet it: a close without close_notify after a whole response is no
 * failure, unknown paths get 404, the page explains its lines, and TLS 1.2 clients that send no
 * ticket (curl 7.88) resume from the session cache, which the page and /stats name.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeBrowserIT {
    private final ByteArrayOutputStream events = new ByteArrayOutputStream();
    private final PrintStream eventStream = new PrintStream(events, true, StandardCharsets.UTF_8);

    private Serve.Running serve(Peers.Certificate certificate, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--cert", certificate.certFile().toString(),
                "--key", certificate.keyFile().toString()));
        args.addAll(List.of(options));
        return Serve.start(Serve.Options.parse(args.toArray(new String[0])), eventStream);
    }

    private String events() {
        return events.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aCloseWithoutCloseNotifyAfterAWholeResponseIsNoFailure(String protocol, @TempDir Path dir) throws Exception {
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        try (Serve.Running server = serve(certificate)) {
            SSLContext jdk = trusting(certificate, protocol);
            for (int visit = 0; visit < 3; visit++) { // as a browser: keep-alive, whole response, then a bare TCP close
                Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port());
                SSLSocket tls = (SSLSocket) jdk.getSocketFactory().createSocket(plain, "localhost", server.port(), false);
                tls.setSoTimeout(10_000);
                OutputStream out = tls.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String response = readOneResponse(tls.getInputStream());
                assertTrue(response.startsWith("HTTP/1.1 200 OK") && response.contains("Connection: keep-alive"), response);
                plain.close(); // no close_notify, as Chromium closes
            }
            Map<String, String> stats = waitForNoConnection(server);
            assertEquals("0", stats.get("connections-failed"), stats + "\n" + events());
            assertEquals("3", stats.get("handshakes"), stats.toString());
            assertFalse(events().contains("unexpected eof"), events());
            assertFalse(events().contains("ended"), "nothing logged about the connections' end: " + events());
        }
    }

    @Test
    void unknownPathsGet404AndThePageSaysWhatEachLineMeans(@TempDir Path dir) throws Exception {
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        try (Serve.Running server = serve(certificate)) {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(certificate, "TLSv1.3"))
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            for (String path : List.of("/favicon.ico", "/nope", "/stats/x", "/robots.txt")) {
                HttpResponse<String> missing = get(client, server.port(), path);
                assertEquals(404, missing.statusCode(), path + ": " + missing.body());
                assertTrue(missing.body().contains("GET / shows"), missing.body());
            }
            HttpResponse<String> page = get(client, server.port(), "/?from=bookmark");
            assertEquals(200, page.statusCode());
            String body = page.body();
            assertTrue(body.startsWith("protocol: TLSv1.3\nresumed: no\nresumed-from: -\n"), body);
            assertTrue(body.contains("A dash (-) means there is nothing to show"), body);
            assertTrue(body.contains("resumed                yes when the handshake was a resumption"), body);
            for (String field : Peers.fields(body).keySet()) {
                assertTrue(body.contains("\n  " + field + " "), "the page explains " + field + ": " + body);
            }
            assertEquals(200, get(client, server.port(), "/stats").statusCode());
            assertTrue(Peers.sClient(server.port(), "-tls1_2").contains("resumed-from: -"));
        }
    }

    @Test
    void openSslWithoutTicketsResumesFromTheCacheAndWithTicketsFromATicket(@TempDir Path dir) throws Exception {
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        Path cached = dir.resolve("cached.pem");
        Path ticket = dir.resolve("ticket.pem");
        try (Serve.Running server = serve(certificate)) {
            Peers.sClient(server.port(), "-tls1_2", "-no_ticket", "-sess_out", cached.toString());
            Map<String, String> fromCache = Peers.fields(Peers.sClient(server.port(), "-tls1_2", "-no_ticket",
                    "-sess_in", cached.toString()));
            assertEquals("yes", fromCache.get("resumed"), fromCache.toString());
            assertEquals("cache", fromCache.get("resumed-from"), fromCache.toString());
            assertEquals("-", fromCache.get("ticket-status"), "no ticket was offered: " + fromCache);

            for (String tls : List.of("-tls1_2", "-tls1_3")) {
                Peers.sClient(server.port(), tls, "-sess_out", ticket.toString());
                Map<String, String> fromTicket = Peers.fields(Peers.sClient(server.port(), tls, "-sess_in",
                        ticket.toString()));
                assertEquals("yes", fromTicket.get("resumed"), fromTicket.toString());
                assertEquals("ticket", fromTicket.get("resumed-from"), tls + ": " + fromTicket);
            }
            Map<String, String> stats = Peers.fields(server.stats());
            assertEquals("1", stats.get("resumptions-from-cache"), stats.toString());
            assertEquals("2", stats.get("resumptions-from-ticket"), stats.toString());
        }
        try (Serve.Running server = serve(certificate, "--no-session-cache")) {
            Peers.sClient(server.port(), "-tls1_2", "-no_ticket", "-sess_out", cached.toString());
            Map<String, String> full = Peers.fields(Peers.sClient(server.port(), "-tls1_2", "-no_ticket",
                    "-sess_in", cached.toString()));
            assertEquals("no", full.get("resumed"), "without the cache a session ID resumes nothing: " + full);
        }
    }

    @Test
    void curlOnTls12ResumesTheSecondUrlFromTheCache(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(curlInstalled(), "curl is not installed; the openssl -no_ticket test covers the cache");
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        try (Serve.Running server = serve(certificate)) {
            List<Map<String, String>> pages = curlTwice(server.port(), certificate);
            assertEquals("no", pages.get(0).get("resumed"), pages.toString());
            assertEquals("TLSv1.2", pages.get(1).get("protocol"), pages.toString());
            assertEquals("yes", pages.get(1).get("resumed"), "curl resumed its second URL: " + pages);
            assertEquals("cache", pages.get(1).get("resumed-from"), pages.toString());
            assertEquals("-", pages.get(1).get("ticket-status"), "curl offered no ticket: " + pages);
            assertEquals("1", Peers.fields(server.stats()).get("resumptions-from-cache"));
        }
        try (Serve.Running server = serve(certificate, "--no-session-cache")) {
            assertEquals("no", curlTwice(server.port(), certificate).get(1).get("resumed"),
                    "without the cache curl cannot resume on TLS 1.2");
        }
    }

    /** One curl run, two URLs, each on its own connection (Connection: close); the two pages' fields. */
    private static List<Map<String, String>> curlTwice(int port, Peers.Certificate certificate) throws Exception {
        String base = "https://localhost:" + port;
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--tls-max", "1.2", "--cacert",
                certificate.certFile().toString(), "--resolve", "localhost:" + port + ":127.0.0.1",
                "-H", "Connection: close", "-w", "\n=====\n", base + "/", base + "/?second")
                .redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS), output);
        assertEquals(0, curl.exitValue(), output);
        String[] pages = output.split("\n=====\n");
        assertEquals(2, pages.length, output);
        return List.of(Peers.fields(pages[0]), Peers.fields(pages[1]));
    }

    private static boolean curlInstalled() {
        try {
            Process process = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The head and the Content-Length body of one response, leaving the connection open. */
    private static String readOneResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                fail("the server closed before the response head ended: " + head);
            }
            head.write(c);
        }
        Matcher length = Pattern.compile("Content-Length: (\\d+)").matcher(head.toString(StandardCharsets.ISO_8859_1));
        assertTrue(length.find(), head.toString(StandardCharsets.ISO_8859_1));
        byte[] body = in.readNBytes(Integer.parseInt(length.group(1)));
        return head.toString(StandardCharsets.ISO_8859_1) + new String(body, StandardCharsets.UTF_8);
    }

    private static Map<String, String> waitForNoConnection(Serve.Running server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, String> stats;
        while (!"0".equals((stats = Peers.fields(server.stats())).get("connections-open"))) {
            if (System.nanoTime() > deadline) {
                fail("the connections were never freed: " + stats);
            }
            Thread.sleep(20);
        }
        return stats;
    }

    private static SSLContext trusting(Peers.Certificate certificate, String protocol) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(certificate.pem().certificatePem().getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance(protocol);
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
