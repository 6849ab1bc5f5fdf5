package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Attach it to a server" code, read from README.md and compiled at test time, so that the
 * two cannot drift apart; then run against a real client.
 */
class ReadmeExampleTest {

    /** The first java block under the heading, exactly as the README shows it. */
    private static String readmeSnippet(String heading) throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## " + heading + "\n");
        assertTrue(section >= 0, "README has no section " + heading);
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    /** The snippet inside a class that supplies what it leaves to the reader; returns its {@code server}. */
    private static Class<?> compileSnippet(String snippet, Path outputDirectory) throws IOException {
        String source = String.join("\n",
                "package readme;",
                "import io.github.ossltickets.*;",
                "import static java.nio.charset.StandardCharsets.UTF_8;",
                "public final class Snippet {",
                "    public static final java.util.List<String> CHECKED = new java.util.ArrayList<>();",
                "    public static volatile boolean revoked;",
                "    static String tenantOf(Ssl connection) {",
                "        return connection.protocolVersion().equals(\"TLSv1.3\") ? \"acme\" : \"other\";",
                "    }",
                "    static boolean stillValid(byte[] appData) {",
                "        CHECKED.add(new String(appData, UTF_8));",
                "        return !revoked;",
                "    }",
                "    public static SslContext server(String certificatePem, String privateKeyPem) {",
                snippet,
                "        return server;",
                "    }",
                "}");
        Path file = outputDirectory.resolve("Snippet.java");
        Files.writeString(file, source);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int result = compiler.run(null, null, diagnostics, "-d", outputDirectory.toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                file.toString());
        assertEquals(0, result, "the README snippet does not compile:\n" + diagnostics + "\n" + source);
        ClassLoader loader = new URLClassLoader(new URL[] {outputDirectory.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader());
        try {
            return loader.loadClass("readme.Snippet");
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theReadmeServerIssuesChecksAndRevokesTickets(@TempDir Path classes) throws Exception {
        Class<?> snippet = compileSnippet(readmeSnippet("Attach it to a server"), classes);
        SslContext server = (SslContext) snippet.getMethod("server", String.class, String.class)
                .invoke(null, Tls.CERTIFICATE.certificatePem(), Tls.CERTIFICATE.privateKeyPem());
        @SuppressWarnings("unchecked")
        List<String> checked = (List<String>) snippet.getField("CHECKED").get(null);
        try (server; SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            SslSession ticket = Tls.firstSession(server, client);
            Tls.Outcome resumed = Tls.connect(server, client, ticket);
            assertTrue(resumed.reused);
            snippet.getField("revoked").setBoolean(null, true);
            Tls.Outcome refused = Tls.connect(server, client, resumed.session);
            assertTrue(refused.ok());
            assertFalse(refused.reused, "a revoked ticket gets a full handshake");
            assertEquals(2, refused.ticketsReceived, "and fresh tickets");
            assertEquals(List.of("tenant=acme", "tenant=acme"), checked);
            ticket.close();
            resumed.session.close();
            refused.session.close();
        }
    }

    @Test
    void applicationDataFlowsAndNewSessionTicketSendsOneMore() {
        int[] generated = {0};
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> ++generated[0] > 0,
                    (ssl, session, name, status) -> TicketReturn.defaultFor(status));
            try (InMemoryConnection connection = InMemoryConnection.open(server, client)) {
                connection.handshake();
                assertEquals("TLSv1.3", connection.server().protocolVersion());
                assertEquals(2, connection.clientLog().ticketsReceived());
                assertEquals("ping", new String(connection.send(true, "ping".getBytes(UTF_8)), UTF_8));
                connection.server().newSessionTicket();              // SSL_new_session_ticket
                assertEquals("pong", new String(connection.send(false, "pong".getBytes(UTF_8)), UTF_8));
                assertEquals(3, generated[0], "the generator ran for the extra ticket");
                assertEquals(3, connection.clientLog().ticketsReceived());
                assertEquals(3, connection.serverLog().ticketsSent());
                try (SslSession session = connection.client().session().orElseThrow()) {
                    assertTrue(session.isResumable());
                    assertEquals(TlsVersion.TLS1_3, session.protocolVersion());
                    assertTrue(session.encodedLength() > 0);
                }
            }
        }
    }
}
