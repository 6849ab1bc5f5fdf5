package io.github.ossltickets.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * serve's HTTP/1.1 as a careless or hostile client meets it, with the JDK's TLS over raw bytes: HEAD,
 * other methods, Transfer-Encoding, bad Content-Length, bare LF, absolute-form targets, the event line
 * of each answer but 200, and a peer that leaves while serve writes.
 */
@Timeout(60)
class ServeHttpTest {
    private final ByteArrayOutputStream events = new ByteArrayOutputStream();
    private Serve.Running serve;
    private SSLContext jdk;

    @BeforeEach
    void start() throws Exception {
        serve = Serve.start(Serve.Options.parse(new String[] {"--port", "0", "--read-timeout", "5"}),
                new PrintStream(events, true, StandardCharsets.UTF_8));
        jdk = SSLContext.getInstance("TLS");
        jdk.init(null, new TrustManager[] {new TrustingAnyCertificate()}, null);
    }

    @AfterEach
    void stop() {
        serve.close();
    }

    private String events() {
        return events.toString(StandardCharsets.UTF_8);
    }

    /** Sends {@code request} as it is and reads until serve closes the connection (or 10 s pass). */
    private String exchange(String request) throws IOException {
        try (SSLSocket socket = (SSLSocket) jdk.getSocketFactory().createSocket("127.0.0.1", serve.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void headGetsTheHeadAlone() throws Exception {
        String response = exchange("HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\n"), "a body after the head: " + response);
        int length = Integer.parseInt(response.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
        assertTrue(length > 100, "HEAD's Content-Length is that of GET's body: " + response);
        response = exchange("HEAD /nope HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 404 ") && response.endsWith("\r\n\r\n"), response);
    }

    @Test
    void otherMethodsGet405WithAllowAndAnEventLine() throws Exception {
        String response = exchange("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), response);
        assertTrue(response.contains("\r\nAllow: GET, HEAD\r\n"), response);
        assertTrue(response.contains("HTTP/1.1 200 OK"), "the body was skipped, the next request answered: "
                + response);
        assertTrue(events().contains("http 405 Method Not Allowed: connection "), events());
        assertTrue(events().contains(", POST /"), events());
    }

    @Test
    void transferEncodingGets501AndTheConnectionCloses() throws Exception {
        String response = exchange("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 501 Not Implemented\r\n"), response);
        assertTrue(response.contains("Connection: close"), response);
        assertEquals(1, response.split("HTTP/1.1 ", -1).length - 1, "one answer, then the close: " + response);
        assertFalse(events().contains("smuggled"), events());
        assertTrue(events().contains("http 501 Not Implemented: connection "), events());
    }

    @Test
    void repeatedOrSignedContentLengthGets400AndTheConnectionCloses() throws Exception {
        for (String lengths : new String[] {"Content-Length: 5\r\nContent-Length: 0\r\n", "Content-Length: +5\r\n",
                "Content-Length: 5, 5\r\n"}) {
            String response = exchange("POST / HTTP/1.1\r\n" + lengths + "\r\nhelloGET /smuggled HTTP/1.1\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), lengths + ": " + response);
            assertEquals(1, response.split("HTTP/1.1 ", -1).length - 1, lengths + ": " + response);
        }
        assertFalse(events().contains("smuggled"), events());
        assertEquals(3, events().split("http 400 Bad Request: connection ", -1).length - 1, events());
    }

    @Test
    void bareLineFeedsAreAccepted() throws Exception {
        long started = System.nanoTime();
        String response = exchange("GET /stats HTTP/1.1\nConnection: close\n\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n") && response.contains("handshakes: "), response);
        assertTrue(System.nanoTime() - started < 3_000_000_000L, "answered at once, not at the read timeout");
    }

    @Test
    void absoluteFormTargetsAreAccepted() throws Exception {
        String response = exchange("GET http://localhost/stats HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n") && response.contains("handshakes: "), response);
        response = exchange("GET HTTPS://localhost:8443 HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n") && response.contains("resumed: "), response);
    }

    @Test
    void errorAnswersAreEventLines() throws Exception {
        exchange("GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(events().contains("http 404 Not Found: connection "), events());
        assertTrue(events().contains(", GET /nope"), events());
        exchange("GET / HTTP/1.1\r\nX: " + "a".repeat(20_000) + "\r\n\r\n");
        assertTrue(events().contains("http 431 Request Header Fields Too Large: connection "), events());
        exchange("POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n");
        assertTrue(events().contains("http 413 Content Too Large: connection "), events());
        exchange("junk\r\n\r\n");
        assertTrue(events().contains("http 400 Bad Request: connection "), events());
    }

    /**
     * A peer that asks for many responses and resets (no close_notify) while serve writes them: in
     * connections-abandoned, not connections-failed.
     */
    @Test
    void aPeerLeavingMidResponseIsAbandonedNotFailed() throws Exception {
        for (int i = 0; i < 2; i++) {
            Socket raw = new Socket();
            raw.connect(new InetSocketAddress("127.0.0.1", serve.port()), 5000);
            SSLSocket tls = (SSLSocket) jdk.getSocketFactory().createSocket(raw, "localhost", serve.port(), false);
            tls.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".repeat(2000).getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            tls.getInputStream().readNBytes(100);
            if (i == 0) {
                raw.setSoLinger(true, 0); // RST
            } else {
                raw.shutdownOutput(); // FIN without close_notify, with responses unread
            }
            raw.close();
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!serve.stats().contains("connections-open: 0\n") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String stats = serve.stats();
        assertTrue(stats.contains("connections-open: 0\n"), stats);
        assertTrue(stats.contains("connections-failed: 0\n"), stats + events());
        assertTrue(stats.contains("connections-abandoned: 2\n"), stats + events());
    }

    /** Test only: serve's certificate is self-signed. */
    private static final class TrustingAnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
