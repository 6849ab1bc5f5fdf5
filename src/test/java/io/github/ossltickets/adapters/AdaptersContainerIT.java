package io.github.ossltickets.adapters;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real servers with our callbacks attached, in containers, resumed by {@code openssl s_client}
 * from outside: Tomcat 11 on its FFM OpenSSL in the sid image (JDK 25, OpenSSL 3.6), and Netty on
 * the dynamically linked netty-tcnative in the trixie image (OpenSSL 3.5). The example servers are
 * the test classes the images built (TomcatExample, NettyExample). Ports are published on 127.0.0.1.
 */
class AdaptersContainerIT {

    /**
     * The Tomcat example's class path in the images. The Tomcat adapter is compiled for Java 22 into
     * META-INF/versions/22, which only a jar reads as a version; a class directory needs it named.
     */
    static final String TOMCAT_CLASS_PATH = "target/test-classes:target/classes:target/classes/META-INF/versions/22:"
            + "target/tomcat/tomcat-coyote-ffm.jar:$(cat target/test.classpath)";
    /** The Netty example's: the OpenSSL build of tcnative instead of the BoringSSL one on the test class path. */
    static final String NETTY_CLASS_PATH = "target/test-classes:target/classes:target/netty-openssl/*:"
            + "$(tr : '\\n' < target/test.classpath | grep -v boringssl | paste -sd:)";
    private static final List<String> TLS12_RSA = List.of("-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
    private static final List<String> TLS12_EC = List.of("-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
    // A log record above INFO (java.util.logging's format, which Tomcat and Netty use here), or a stack
    // trace. Tomcat's FFM OpenSSL logs OpenSSL's "PEM routines::no start line" at INFO while it tries
    // the formats of a key file, with or without our callbacks: that is not trouble.
    private static final Pattern TROUBLE = Pattern.compile("^(SEVERE|WARNING|ERROR|FATAL)\\b|Exception|^\\s+at ");

    private static boolean docker;

    @BeforeAll
    static void docker() {
        docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.err.println("AdaptersContainerIT: no Docker engine; the Tomcat and Netty container tests are skipped");
        }
    }

    @BeforeEach
    void skipWithoutDocker() {
        assumeTrue(docker, "no Docker engine");
    }

    /** An example server's main class in a build image, with {@code ports} published on 127.0.0.1. */
    @SuppressWarnings("resource") // stopped by @AfterAll
    static GenericContainer<?> example(String suite, String classPath, String mainClass, int... ports) {
        List<PortBinding> bindings = new ArrayList<>();
        StringBuilder arguments = new StringBuilder();
        Integer[] exposed = new Integer[ports.length];
        for (int i = 0; i < ports.length; i++) {
            bindings.add(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(ports[i])));
            arguments.append(ports[i]).append(' ');
            exposed[i] = ports[i];
        }
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("ossl-tickets-test:" + suite))
                .withExposedPorts(exposed)
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(bindings))
                .withCommand("sh", "-c", "mkdir -p /tmp/example && exec java --enable-native-access=ALL-UNNAMED"
                        + " -cp " + classPath + " " + mainClass + " " + arguments + "/tmp/example")
                .waitingFor(Wait.forLogMessage("ready .*\\n", 1).withStartupTimeout(Duration.ofMinutes(4)));
        container.start();
        return container;
    }

    static void assertLogClean(GenericContainer<?> server) {
        List<String> trouble = server.getLogs().lines().filter(line -> TROUBLE.matcher(line).find()).toList();
        assertEquals(List.of(), trouble, "the server's log:\n" + server.getLogs());
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class TomcatInSid {
        private GenericContainer<?> tomcat;
        private int port;

        @BeforeAll
        void start() throws Exception {
            assumeTrue(docker, "no Docker engine");
            tomcat = example("sid", TOMCAT_CLASS_PATH,
                    "io.github.ossltickets.tomcat.TomcatExample", 8443, 8444);
            port = tomcat.getMappedPort(8443);
            long contexts = ResumptionChecks.get(port, "-tls1_3", "start.example", "/", List.of()).count("contexts");
            assertEquals(2, contexts, "one context per certificate (RSA, EC), each installed");
        }

        @AfterAll
        void stop() {
            if (tomcat != null) {
                tomcat.stop();
            }
        }

        @Test
        void resumesTls13AndTls12OnBothCertificatesWithTheirAppData(@TempDir Path dir) throws Exception {
            ResumptionChecks.resumes(port, "-tls1_3", "tls13.example", dir, "EC", List.of());
            ResumptionChecks.resumes(port, "-tls1_2", "rsa.example", dir, "RSA", TLS12_RSA);
            ResumptionChecks.resumes(port, "-tls1_2", "ec.example", dir, "EC", TLS12_EC);
            assertLogClean(tomcat);
        }

        @Test
        void afterAReloadNewTicketsCarryAppDataAndTheDecryptorRuns(@TempDir Path dir) throws Exception {
            long before = ResumptionChecks.get(port, "-tls1_3", "reload.example", "/", List.of()).count("contexts");
            ResumptionChecks.Answer reload = ResumptionChecks.get(port, "-tls1_3", "reload.example", "/reload", List.of());
            assertEquals(before + 2, reload.count("contexts"), "the reload made two contexts, both installed");
            ResumptionChecks.resumes(port, "-tls1_3", "after-reload.example", dir, "EC", List.of());
            ResumptionChecks.resumes(port, "-tls1_2", "after-reload-rsa.example", dir, "RSA", TLS12_RSA);
            assertLogClean(tomcat);
        }

        @Test
        void fourClientsResumeFiftyTimesEach(@TempDir Path dir) throws Exception {
            ResumptionChecks.load(port, "-tls1_3", 4, 50, dir);
            assertLogClean(tomcat);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class NettyInTrixie {
        private GenericContainer<?> netty;
        private int both;
        private int tls12Only;
        private int plain;
        private int sni;

        @BeforeAll
        void start() {
            assumeTrue(docker, "no Docker engine");
            netty = example("trixie", NETTY_CLASS_PATH,
                    "io.github.ossltickets.netty.NettyExample", 8443, 8444, 8445, 8446);
            both = netty.getMappedPort(8443);
            sni = netty.getMappedPort(8446);
            tls12Only = netty.getMappedPort(8444);
            plain = netty.getMappedPort(8445);
        }

        @AfterAll
        void stop() {
            if (netty != null) {
                netty.stop();
            }
        }

        @Test
        void resumesTls13AndTls12WithTheirAppData(@TempDir Path dir) throws Exception {
            ResumptionChecks.resumes(both, "-tls1_3", "tls13.example", dir, "RSA", List.of());
            ResumptionChecks.resumes(both, "-tls1_2", "tls12.example", dir, "RSA", List.of());
            assertLogClean(netty);
        }

        @Test
        void aTls12OnlyServerUsesTicketsOnceAttachEnablesThem(@TempDir Path dir) throws Exception {
            ResumptionChecks.resumes(tls12Only, "-tls1_2", "tls12-only.example", dir, "RSA-TLS12", List.of());
            assertLogClean(netty);
        }

        @Test
        void withoutAttachNettyResumesWithoutOurCallbacks(@TempDir Path dir) throws Exception {
            Path session = dir.resolve("plain.sess");
            ResumptionChecks.Answer full = ResumptionChecks.get(plain, "-tls1_3", "plain.example", "/",
                    List.of("-sess_out", session.toString()));
            ResumptionChecks.Answer resumed = ResumptionChecks.get(plain, "-tls1_3", "plain.example", "/",
                    List.of("-sess_in", session.toString()));
            assertFalse(full.reused());
            assertTrue(resumed.reused(), "\"Reused\" alone proves nothing: OpenSSL resumes without callbacks too");
            assertEquals("none", resumed.appData());
        }

        /**
         * Issue 17 on Netty: an SniHandler chooses among contexts with their own certificates on one key
         * ring. Without a binding (c, d) a ticket from c resumes at d: the h2o attack. With a
         * TicketBinding on each context (a, b: its listener id and the server name) the ticket from a gets
         * a full handshake at b, counted as a listener refusal by b's binding, and still resumes at a.
         */
        @Test
        void sniHandlerContextsWithABindingEachRefuseEachOthersTickets(@TempDir Path dir) throws Exception {
            for (String tls : List.of("-tls1_3", "-tls1_2")) {
                Path fromC = dir.resolve("c" + tls + ".sess");
                assertFalse(ResumptionChecks.get(sni, tls, "c.example", "/", List.of("-sess_out", fromC.toString())).reused());
                assertTrue(ResumptionChecks.get(sni, tls, "d.example", "/", List.of("-sess_in", fromC.toString())).reused(),
                        tls + ": without a binding, c's ticket resumes at d (the negative control)");

                Path fromA = dir.resolve("a" + tls + ".sess");
                ResumptionChecks.Answer issued = ResumptionChecks.get(sni, tls, "a.example", "/",
                        List.of("-sess_out", fromA.toString()));
                assertFalse(issued.reused());
                ResumptionChecks.Answer atB = ResumptionChecks.get(sni, tls, "b.example", "/",
                        List.of("-sess_in", fromA.toString()));
                assertFalse(atB.reused(), tls + ": a's ticket resumed at b:\n" + atB.output());
                assertEquals(issued.count("b.example-refused-listener") + 1, atB.count("b.example-refused-listener"),
                        atB.output());
                ResumptionChecks.Answer atA = ResumptionChecks.get(sni, tls, "a.example", "/",
                        List.of("-sess_in", fromA.toString()));
                assertTrue(atA.reused(), tls + ": a's ticket at a:\n" + atA.output());
                assertEquals(atB.count("a.example-accepted") + 1, atA.count("a.example-accepted"), atA.output());
            }
            assertLogClean(netty);
        }

        /**
         * Netty sets a connection's certificate in its certificate callback, which OpenSSL runs after the
         * ticket is decrypted: a binding on the certificate sees none at resumption and refuses even the
         * tickets of its own host (e.example). On Netty, bind the listener id and the server name instead.
         */
        @Test
        void onNettyABindingOnTheCertificateRefusesItsOwnTickets(@TempDir Path dir) throws Exception {
            Path fromE = dir.resolve("e.sess");
            ResumptionChecks.Answer issued = ResumptionChecks.get(sni, "-tls1_3", "e.example", "/",
                    List.of("-sess_out", fromE.toString()));
            ResumptionChecks.Answer again = ResumptionChecks.get(sni, "-tls1_3", "e.example", "/",
                    List.of("-sess_in", fromE.toString()));
            assertFalse(again.reused(), again.output());
            assertEquals(issued.count("e.example-refused-certificate") + 1, again.count("e.example-refused-certificate"),
                    again.output());
        }

        /** 100 Netty contexts whose callbacks use their handle, each released: none is left live. */
        @Test
        void releasedContextsAreFreedThoughTheirCallbacksUseThem(@TempDir Path dir) throws Exception {
            ResumptionChecks.Answer cycle = ResumptionChecks.get(both, "-tls1_3", "cycle.example", "/release-cycle",
                    List.of());
            assertEquals(100, cycle.count("rounds"), cycle.output());
            assertEquals(cycle.count("before"), cycle.count("after-release"), "freed by release(): " + cycle.output());
            assertLogClean(netty);
        }

        @Test
        void fourClientsResumeFiftyTimesEach(@TempDir Path dir) throws Exception {
            ResumptionChecks.load(both, "-tls1_3", 4, 50, dir);
            ResumptionChecks.load(tls12Only, "-tls1_2", 4, 10, dir);
            assertLogClean(netty);
        }
    }
}
