package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.TlsClient;
import io.github.ossltickets.net.TlsConnection;
import org.junit.jupiter.api.Test;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The serve command on real sockets against peers we did not write: openssl s_client and s_server,
 * the JDK's own TLS client, and clients that misbehave on purpose. All traffic stays on 127.0.0.1.
 */
class ServeInteropIT {
    private static final String[] TLS_FLAGS = {"-tls1_2", "-tls1_3"};

    private final ByteArrayOutputStream events = new ByteArrayOutputStream();
    private final PrintStream eventStream = new PrintStream(events, true, StandardCharsets.UTF_8);

    private Serve.Running serve(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        args.addAll(List.of(options));
        return Serve.start(Serve.Options.parse(args.toArray(new String[0])), eventStream);
    }

    private String events() {
        return events.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void openSslClientResumesAndReadsBackItsTicketsAppData(String tls, @TempDir Path dir) throws Exception {
        Path session = dir.resolve("session.pem");
        try (Serve.Running server = serve()) {
            Map<String, String> first = Peers.fields(Peers.sClient(server.port(), tls, "-sess_out", session.toString()));
            assertEquals("no", first.get("resumed"), first.toString());
            assertTrue(Integer.parseInt(first.get("tickets-issued")) >= 1, first.toString());
            Map<String, String> second = Peers.fields(Peers.sClient(server.port(), tls, "-sess_in", session.toString()));
            assertEquals("yes", second.get("resumed"), second.toString());
            assertEquals(first.get("ticket-issued-appdata"), second.get("ticket-appdata"),
                    "the app data of the ticket the first connection received");
            assertEquals(tls.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2", second.get("protocol"));
            assertTrue(events().contains("ticket decrypted: connection"), events());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void aRestartWithTheSameKeysResumesAndANewGenerationRenews(String tls, @TempDir Path dir) throws Exception {
        Path keys = Files.write(dir.resolve("ticket.keys"), new SecureRandom().generateSeed(80));
        Path session = dir.resolve("session.pem");
        String issued;
        try (Serve.Running server = serve("--ticket-keys", keys.toString())) {
            issued = Peers.fields(Peers.sClient(server.port(), tls, "-sess_out", session.toString()))
                    .get("ticket-issued-appdata");
        }
        try (Serve.Running restarted = serve("--ticket-keys", keys.toString())) {
            Map<String, String> resumed = Peers.fields(Peers.sClient(restarted.port(), tls, "-sess_in", session.toString()));
            assertEquals("yes", resumed.get("resumed"), "a ticket from before the restart: " + resumed);
            assertEquals(issued, resumed.get("ticket-appdata"));
        }
        try (Serve.Running nextGeneration = serve("--ticket-keys", keys.toString(), "--generation", "2")) {
            Map<String, String> renewed = Peers.fields(Peers.sClient(nextGeneration.port(), tls, "-sess_in",
                    session.toString()));
            assertEquals("no", renewed.get("resumed"), renewed.toString());
            assertEquals("IGNORE_RENEW", renewed.get("ticket-return"));
            assertEquals(issued, renewed.get("ticket-appdata"), "the old ticket was read, then refused");
            assertTrue(Integer.parseInt(renewed.get("tickets-issued")) >= 1, "and a fresh ticket: " + renewed);
            assertTrue(renewed.get("ticket-issued-appdata").startsWith("generation=2;"), renewed.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void theJdkClientResumes(String protocol, @TempDir Path dir) throws Exception {
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        SSLContext jdk = jdkClient(certificate, protocol);
        try (Serve.Running server = serve("--cert", certificate.certFile().toString(), "--key",
                certificate.keyFile().toString())) {
            Map<String, String> first = Peers.fields(jdkRequest(jdk, server.port(), protocol));
            assertEquals("no", first.get("resumed"), first.toString());
            Map<String, String> second = Peers.fields(jdkRequest(jdk, server.port(), protocol));
            assertEquals("yes", second.get("resumed"), "the JDK offers the ticket it received: " + second);
            assertNotEquals("-", second.get("ticket-appdata"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void ourClientResumesAgainstOpenSslServer(String tls, @TempDir Path dir) throws Exception {
        Peers.Certificate certificate = Peers.Certificate.in(dir);
        try (Peers.SServer sServer = new Peers.SServer(certificate, tls);
             SslContext context = SslContext.forClient().build();
             TlsClient client = new TlsClient(context, Duration.ofSeconds(10))) {
            List<Boolean> resumed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TlsConnection connection = client.connect("127.0.0.1", sServer.port);
                assertEquals(tls.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2", connection.ssl().protocolVersion());
                resumed.add(connection.ssl().isSessionReused());
                String page = Peers.request(connection, "GET / HTTP/1.0\r\n\r\n"); // and close, keeping the session
                assertTrue(page.contains("HTTP/1.0 200 ok"), page);
            }
            assertEquals(List.of(false, true, true), resumed);
        }
    }

    @Test
    void quietPrintsNoLinePerTicketOrRequestButStillReportsFailures(@TempDir Path dir) throws Exception {
        Path session = dir.resolve("session.pem");
        try (Serve.Running server = serve("--quiet");
             SslContext context = SslContext.forClient().build();
             TlsClient client = new TlsClient(context, Duration.ofSeconds(10))) {
            int port = server.port();
            Map<String, String> first = Peers.fields(Peers.sClient(port, "-tls1_2", "-sess_out", session.toString()));
            Map<String, String> resumed = Peers.fields(Peers.sClient(port, "-tls1_2", "-sess_in", session.toString()));
            assertEquals("yes", resumed.get("resumed"), "--quiet changes what is printed, not what is done: " + resumed);
            assertEquals(first.get("ticket-issued-appdata"), resumed.get("ticket-appdata"));
            String notFound = Peers.request(client.connect("127.0.0.1", port),
                    "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(notFound.startsWith("HTTP/1.1 404"), notFound);
            assertClosedByServer(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            String log = events();
            assertFalse(log.contains("ticket issued") || log.contains("ticket decrypted")
                    || log.contains("ticket return") || log.contains("http 404"), "a line per ticket or request: " + log);
            assertTrue(log.contains("SSL_do_handshake failed"), "a failure still prints: " + log);
        }
    }

    @Test
    void misbehavingClientsAreDroppedAndLeakNothing(@TempDir Path dir) throws Exception {
        try (Serve.Running server = serve("--handshake-timeout", "1", "--read-timeout", "1");
             SslContext context = SslContext.forClient().build();
             TlsClient good = new TlsClient(context, Duration.ofSeconds(10))) {
            int port = server.port();
            assertEquals("no", Peers.fields(Peers.request(good.connect("127.0.0.1", port), Peers.GET)).get("resumed"));
            Baseline before = Baseline.take(server);

            assertClosedByServer(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertClosedByServer(port, new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01}); // half a ClientHello
            assertClosedByServer(port, new byte[0]); // silence
            Path session = dir.resolve("session.pem");
            Peers.sClient(port, "-tls1_2", "-sess_out", session.toString());
            for (boolean truncate : new boolean[] {false, true}) {
                Path tampered = Files.writeString(dir.resolve("tampered.pem"), tamperTicket(Files.readString(session), truncate));
                Map<String, String> refused = Peers.fields(Peers.sClient(port, "-tls1_2", "-sess_in", tampered.toString()));
                assertEquals("NO_DECRYPT", refused.get("ticket-status"), "truncated " + truncate + ": " + refused);
                assertEquals("no", refused.get("resumed"));
            }
            closeWithoutCloseNotify(port, context);

            assertEquals("yes", Peers.fields(Peers.request(good.connect("127.0.0.1", port), Peers.GET)).get("resumed"),
                    "the server still serves, and resumes");
            before.assertNothingLeaked(server);
            String log = events();
            assertTrue(log.contains("SSL_do_handshake failed"), "the garbage was logged: " + log);
            assertTrue(log.contains("did not finish within 1000 ms"), "the stalled handshakes were logged: " + log);
            assertFalse(log.contains("unexpected eof"), "a close without close_notify after a whole response is"
                    + " no failure (ServeBrowserIT): " + log);
        }
    }

    @Test
    void oversizedAndSlowRequestsAreRefusedOrCut() throws Exception {
        try (Serve.Running server = serve("--read-timeout", "1");
             SslContext context = SslContext.forClient().build();
             TlsClient client = new TlsClient(context, Duration.ofSeconds(10))) {
            String huge = "GET / HTTP/1.1\r\nX: " + "a".repeat(20_000) + "\r\n\r\n";
            String tooLarge = Peers.request(client.connect("127.0.0.1", server.port()), huge);
            assertTrue(tooLarge.startsWith("HTTP/1.1 431 Request Header Fields Too Large"), tooLarge);
            String bigBody = "POST / HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n";
            String refused = Peers.request(client.connect("127.0.0.1", server.port()), bigBody);
            assertTrue(refused.startsWith("HTTP/1.1 413 Content Too Large"), refused);
            try (TlsConnection slow = client.connect("127.0.0.1", server.port())) {
                long start = System.nanoTime();
                boolean cut = false;
                for (int i = 0; i < 40 && !cut; i++) { // one byte every 200 ms: each read is quick, the request is not
                    try {
                        slow.write(new byte[] {'G'});
                        Thread.sleep(200);
                    } catch (IOException | RuntimeException closedByServer) {
                        cut = true;
                    }
                }
                assertTrue(cut, "the server cut the slow request");
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            }
            assertTrue(events().contains("a request took longer than 1000 ms to arrive"), events());
        }
    }

    @Test
    void eightClientsResume2000TimesAndEachReadsBackItsOwnTicket() throws Exception {
        int threads = 8;
        int perThread = 250;
        try (Serve.Running server = serve("--tls", "1.3", "--num-tickets", "1")) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> resumeInARow(server.port(), perThread)));
            }
            int resumed = 0;
            for (Future<Integer> result : results) {
                resumed += result.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(threads * perThread, resumed);
        }
    }

    /** A full handshake, then {@code count} resumptions, each offering the ticket the previous one got. */
    private static int resumeInARow(int port, int count) throws IOException {
        try (SslContext context = SslContext.forClient().protocol(TlsVersion.TLS1_3).build();
             TlsClient client = new TlsClient(context, Duration.ofSeconds(20))) {
            String expected = Peers.fields(Peers.request(client.connect("127.0.0.1", port), Peers.GET)).get("ticket-issued-appdata");
            int resumed = 0;
            for (int i = 0; i < count; i++) {
                Map<String, String> response = Peers.fields(Peers.request(client.connect("127.0.0.1", port), Peers.GET));
                assertEquals("yes", response.get("resumed"), response.toString());
                assertEquals(expected, response.get("ticket-appdata"), "the app data of the ticket this client offered");
                expected = response.get("ticket-issued-appdata");
                resumed++;
            }
            return resumed;
        }
    }

    /** Connects with a raw socket, sends {@code bytes}, and expects the server to close the connection. */
    private static void assertClosedByServer(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes);
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // an alert, then the end
            }
        }
    }

    /** A JDK client that finishes a request, then drops the TCP connection without close_notify. */
    private static void closeWithoutCloseNotify(int port, SslContext unused) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new TrustEveryServer()}, null);
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        SSLSocket tls = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "localhost", port, false);
        tls.startHandshake();
        tls.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        tls.getOutputStream().flush();
        byte[] some = new byte[64];
        assertTrue(tls.getInputStream().read(some) > 0, "a response starts");
        plain.close(); // no close_notify: the server's next read ends with the stream
    }

    private static String jdkRequest(SSLContext jdk, int port, String protocol) throws IOException {
        try (SSLSocket socket = (SSLSocket) jdk.getSocketFactory().createSocket("localhost", port)) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(Peers.GET.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The JDK's client, trusting exactly our certificate. */
    private static SSLContext jdkClient(Peers.Certificate certificate, String protocol) throws Exception {
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

    /**
     * The session PEM of openssl s_client with its ticket corrupted (the middle bytes flipped) or cut to
     * 20 bytes. The ticket is the OCTET STRING inside the [10] field of the session's DER SEQUENCE.
     */
    static String tamperTicket(String pem, boolean truncate) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        Der session = Der.at(der, 0);
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        boolean found = false;
        for (int at = session.valueStart; at < session.end(); ) {
            Der field = Der.at(der, at);
            byte[] encoded = Arrays.copyOfRange(der, at, field.end());
            if ((field.tag & 0xff) == 0xaa) {
                Der ticket = Der.at(der, field.valueStart);
                byte[] value = Arrays.copyOfRange(der, ticket.valueStart, ticket.end());
                if (truncate) {
                    value = Arrays.copyOf(value, 20);
                } else {
                    for (int i = value.length / 2; i < value.length / 2 + 8; i++) {
                        value[i] ^= (byte) 0xff;
                    }
                }
                encoded = Der.encode(0xaa, Der.encode(0x04, value));
                found = true;
            }
            fields.writeBytes(encoded);
            at = field.end();
        }
        assertTrue(found, "the session has a ticket");
        String out = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(Der.encode(0x30, fields.toByteArray()));
        return "-----BEGIN SSL SESSION PARAMETERS-----\n" + out + "\n-----END SSL SESSION PARAMETERS-----\n";
    }

    /** One DER tag-length-value: where its value starts and how long it is. */
    private record Der(int tag, int valueStart, int length) {
        int end() {
            return valueStart + length;
        }

        static Der at(byte[] der, int offset) {
            int first = der[offset + 1] & 0xff;
            if (first < 0x80) {
                return new Der(der[offset], offset + 2, first);
            }
            int bytes = first & 0x7f;
            int length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[offset + 2 + i] & 0xff);
            }
            return new Der(der[offset], offset + 2 + bytes, length);
        }

        static byte[] encode(int tag, byte[] value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(tag);
            if (value.length < 0x80) {
                out.write(value.length);
            } else if (value.length < 0x100) {
                out.write(0x81);
                out.write(value.length);
            } else {
                out.write(0x82);
                out.write(value.length >> 8);
                out.write(value.length & 0xff);
            }
            out.writeBytes(value);
            return out.toByteArray();
        }
    }

    /**
     * What the leak check compares: native objects, and the file descriptors and threads (other than the
     * pool's) opened since the baseline and still open. It compares what appeared, not counts: in a shared
     * test JVM another test's threads and sockets may end during this one, which is no leak.
     */
    private record Baseline(OpenSsl.LiveObjects natives, Map<String, String> fileDescriptors, Set<Thread> threads) {
        static Baseline take(Serve.Running server) throws Exception {
            waitUntilIdle(server);
            return new Baseline(OpenSsl.liveObjects(), ProcessChecks.fileDescriptorTable(), otherThreads());
        }

        void assertNothingLeaked(Serve.Running server) throws Exception {
            waitUntilIdle(server);
            String leaked = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                leaked = leakedSince();
                if (leaked.isEmpty()) {
                    return;
                }
                System.gc(); // a client connection this test dropped is freed by its Cleaner
                Thread.sleep(100);
            }
            fail("native objects, file descriptors or threads leaked: " + leaked);
        }

        /** Empty when nothing leaked; otherwise what did. */
        private String leakedSince() throws IOException {
            StringBuilder leaked = new StringBuilder();
            OpenSsl.LiveObjects nativesNow = OpenSsl.liveObjects();
            if (!nativesNow.equals(natives)) {
                leaked.append("natives before ").append(natives).append(", after ").append(nativesNow).append("; ");
            }
            Map<String, String> newFileDescriptors = ProcessChecks.openedSince(fileDescriptors);
            if (!newFileDescriptors.isEmpty()) {
                leaked.append("file descriptors opened and not closed ").append(newFileDescriptors).append("; ");
            }
            List<String> newThreads = otherThreads().stream().filter(thread -> !threads.contains(thread))
                    .map(Thread::getName).toList();
            if (!newThreads.isEmpty()) {
                leaked.append("threads started and still running ").append(newThreads);
            }
            return leaked.toString();
        }

        private static void waitUntilIdle(Serve.Running server) throws InterruptedException {
            for (int i = 0; i < 100 && !server.stats().contains("connections-open: 0"); i++) {
                Thread.sleep(50);
            }
            assertTrue(server.stats().contains("connections-open: 0"), server.stats());
        }

        private static Set<Thread> otherThreads() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> !thread.getName().startsWith("ossl-tickets-worker-")
                            && !thread.getName().startsWith("process reaper")
                            && !thread.getName().startsWith("Common-Cleaner")
                            && !thread.getName().startsWith("Attach Listener")
                            // process-wide, one at most, ending 10 s after the last write it timed
                            && !thread.getName().equals("TlsConnection write timer"))
                    .collect(Collectors.toSet());
        }
    }

    /** For the misbehaving client only: it never looks at the server's certificate. */
    private static final class TrustEveryServer implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }
}
