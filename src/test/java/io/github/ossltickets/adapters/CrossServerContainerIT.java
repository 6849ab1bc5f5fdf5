package io.github.ossltickets.adapters;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.keys.TicketKeyFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitAllStrategy;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One ticket key file, three kinds of server (issue 16): Tomcat 11 (sid image) and Netty (trixie image),
 * each beside {@code serve} in the same container, all on the same nginx key file; a ticket from either
 * resumes at the other, with its app data. What makes it work besides the key: the example servers set
 * serve's session-ID context (OpenSSL compares it on resumption; Tomcat's own is "default", Netty's
 * "netty": see SessionIdContextTest), and their app data starts with what serve's policy accepts.
 * Clients are {@code openssl s_client} outside; ports are published on 127.0.0.1.
 */
class CrossServerContainerIT {
    private static final int SERVE_PORT = 9443;
    private static boolean docker;
    @TempDir
    static Path shared;
    private static Path keyFile;

    @BeforeAll
    static void dockerAndKey() throws Exception {
        docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.err.println("CrossServerContainerIT: no Docker engine; the cross-server tests are skipped");
            return;
        }
        keyFile = shared.resolve("ticket.keys");
        TicketKeyFiles.write(keyFile, TicketKeyFiles.nginxBytes(TicketKey.random())); // 0600; the image runs as root
    }

    @BeforeEach
    void skipWithoutDocker() {
        assumeTrue(docker, "no Docker engine");
    }

    /**
     * An example server of a build image with the key file mounted and given to it, and serve beside it
     * on {@link #SERVE_PORT} with the same file; {@code ports} and serve's published on 127.0.0.1.
     */
    @SuppressWarnings("resource") // stopped by @AfterAll
    static GenericContainer<?> exampleBesideServe(String suite, String classPath, String mainClass, int... ports) {
        List<PortBinding> bindings = new ArrayList<>();
        List<Integer> exposed = new ArrayList<>();
        StringBuilder arguments = new StringBuilder();
        for (int port : ports) {
            arguments.append(port).append(' ');
        }
        for (int port : concat(ports, SERVE_PORT)) {
            bindings.add(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(port)));
            exposed.add(port);
        }
        String java = "java --enable-native-access=ALL-UNNAMED";
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("ossl-tickets-test:" + suite))
                .withExposedPorts(exposed.toArray(new Integer[0]))
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(bindings))
                .withFileSystemBind(keyFile.toString(), "/keys/ticket.keys", BindMode.READ_ONLY)
                .withCommand("sh", "-c", "mkdir -p /tmp/example && { " + java + " -jar target/ossl-tickets.jar serve"
                        + " --bind 0.0.0.0 --port " + SERVE_PORT + " --ticket-keys /keys/ticket.keys & }"
                        + " && exec " + java + " -cp " + classPath + " " + mainClass + " " + arguments
                        + "/tmp/example /keys/ticket.keys")
                .waitingFor(new WaitAllStrategy().withStartupTimeout(Duration.ofMinutes(2))
                        .withStrategy(Wait.forLogMessage("ready .*\\n", 1))
                        .withStrategy(Wait.forLogMessage(".*ossl-tickets serve on .*", 1)));
        container.start();
        return container;
    }

    /** The key file's key name in hex: its first 16 bytes (nginx's layout). */
    static String keyName() throws java.io.IOException {
        return java.util.HexFormat.of().formatHex(java.nio.file.Files.readAllBytes(keyFile), 0, 16);
    }

    private static int[] concat(int[] ports, int port) {
        int[] all = java.util.Arrays.copyOf(ports, ports.length + 1);
        all[ports.length] = port;
        return all;
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class TomcatAndServeInSid {
        private GenericContainer<?> container;
        private int tomcat;
        private int serve;

        @BeforeAll
        void start() {
            assumeTrue(docker, "no Docker engine");
            container = exampleBesideServe("sid", AdaptersContainerIT.TOMCAT_CLASS_PATH, "io.github.ossltickets.tomcat.TomcatExample", 8443, 8444);
            tomcat = container.getMappedPort(8443);
            serve = container.getMappedPort(SERVE_PORT);
        }

        @AfterAll
        void stop() {
            if (container != null) {
                container.stop();
            }
        }

        @Test
        @Timeout(60)
        void aTicketFromTomcatResumesOnServeAndTheOtherWayRound(@TempDir Path dir) throws Exception {
            CrossServerChecks.fromExampleToServe(keyName(), tomcat, serve, "-tls1_3", List.of(), "EC", dir);
            // serve's certificate is EC: in TLS 1.2 a suite both can use, so Tomcat answers with its EC context.
            List<String> ecdsa = List.of("-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
            CrossServerChecks.fromExampleToServe(keyName(), tomcat, serve, "-tls1_2", ecdsa, "EC", dir);
            CrossServerChecks.fromServeToExample(keyName(), serve, tomcat, "-tls1_3", List.of(), dir);
            CrossServerChecks.fromServeToExample(keyName(), serve, tomcat, "-tls1_2", ecdsa, dir);
            AdaptersContainerIT.assertLogClean(container);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class NettyAndServeInTrixie {
        private GenericContainer<?> container;
        private int netty;
        private int nettyRingOnly;
        private int serve;

        @BeforeAll
        void start() {
            assumeTrue(docker, "no Docker engine");
            container = exampleBesideServe("trixie", AdaptersContainerIT.NETTY_CLASS_PATH,
                    "io.github.ossltickets.netty.NettyExample", 8443, 8444, 8445);
            netty = container.getMappedPort(8443);
            nettyRingOnly = container.getMappedPort(8444);
            serve = container.getMappedPort(SERVE_PORT);
        }

        @AfterAll
        void stop() {
            if (container != null) {
                container.stop();
            }
        }

        @Test
        @Timeout(60)
        void aTicketFromNettyResumesOnServeAndTheOtherWayRound(@TempDir Path dir) throws Exception {
            // A TLS 1.3 ticket resumes only where the handshake's cipher suite has the session's hash.
            // Netty prefers TLS_AES_128_GCM_SHA256 (SHA-256), serve takes the client's first choice,
            // s_client's TLS_AES_256_GCM_SHA384: offered both, a Netty ticket gets a full handshake at
            // serve although it decrypts. A fleet agrees on its TLS 1.3 suites; here the client offers one.
            List<String> sha256 = List.of("-ciphersuites", "TLS_AES_128_GCM_SHA256");
            CrossServerChecks.fromExampleToServe(keyName(), netty, serve, "-tls1_3", sha256, "RSA", dir);
            CrossServerChecks.fromServeToExample(keyName(), serve, netty, "-tls1_3", sha256, dir);
            CrossServerChecks.fromExampleToServe(keyName(), netty, serve, "-tls1_2", List.of(), "RSA", dir);
            CrossServerChecks.fromServeToExample(keyName(), serve, netty, "-tls1_2", List.of(), dir);
            AdaptersContainerIT.assertLogClean(container);
        }

        /** NettyTickets.attach(context, ring, ENABLE), with no other callback: the ring alone resumes. */
        @Test
        @Timeout(60)
        void aRingAttachedAloneResumesTls12Tickets(@TempDir Path dir) throws Exception {
            CrossServerChecks.issueThenResume(keyName(), nettyRingOnly, nettyRingOnly, "-tls1_2", List.of(), dir);
            AdaptersContainerIT.assertLogClean(container);
        }
    }
}
