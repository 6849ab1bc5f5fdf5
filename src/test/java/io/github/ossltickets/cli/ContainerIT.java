package io.github.ossltickets.cli;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.net.TlsClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The project in containers, on the OpenSSL each Debian suite ships: serve in the bookworm runtime
 * image with clients outside, restarts and a fleet sharing ticket keys, and in every suite's build
 * image the C and Java matrices and the whole test suite. The images come from scripts/docker-images;
 * without a Docker engine these tests skip, saying so. Ports are published on 127.0.0.1 only.
 */
class ContainerIT {
    private static final List<String> SUITES = List.of("bookworm", "trixie", "forky", "sid");

    private static boolean docker;

    @BeforeAll
    static void dockerAndImages() {
        docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.err.println("ContainerIT: no Docker engine; the container tests are skipped");
            return; // and each test reports itself skipped, with the reason
        }
        List<String> missing = new ArrayList<>();
        for (String suite : SUITES) {
            for (String image : List.of("ossl-tickets:" + suite, "ossl-tickets-test:" + suite)) {
                if (!imageExists(image)) {
                    missing.add(image);
                }
            }
        }
        assertEquals(List.of(), missing, "make the images first: scripts/docker-images");
    }

    @BeforeEach
    void skipWithoutDocker() {
        assumeTrue(docker, "no Docker engine");
    }

    private static boolean imageExists(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return true;
        } catch (RuntimeException notFound) {
            return false;
        }
    }

    /** serve in the runtime image of {@code suite}, published on 127.0.0.1, with the keys mounted. */
    @SuppressWarnings("resource") // closed by the callers' try-with-resources
    private static GenericContainer<?> serve(String suite, Path keys, String... options) {
        List<String> command = new ArrayList<>(List.of("--ticket-keys", "/keys/ticket.keys"));
        command.addAll(List.of(options));
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("ossl-tickets:" + suite))
                .withExposedPorts(8443)
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(8443))))
                .withFileSystemBind(keys.toString(), "/keys/ticket.keys", BindMode.READ_ONLY)
                .withCommand(command.toArray(new String[0]))
                .waitingFor(Wait.forLogMessage(".*ossl-tickets serve on .*", 1)
                        .withStartupTimeout(Duration.ofMinutes(1)));
        container.start();
        return container;
    }

    private static Path keys(Path dir) throws IOException {
        return Files.write(dir.resolve("ticket.keys"), new SecureRandom().generateSeed(80));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void serveInAContainerResumesForClientsOutside(String tls, @TempDir Path dir) throws Exception {
        Path session = dir.resolve("session.pem");
        try (GenericContainer<?> server = serve("bookworm", keys(dir))) {
            int port = server.getMappedPort(8443);
            Map<String, String> first = Peers.fields(Peers.sClient(port, tls, "-sess_out", session.toString()));
            Map<String, String> second = Peers.fields(Peers.sClient(port, tls, "-sess_in", session.toString()));
            assertEquals("yes", second.get("resumed"), second.toString());
            assertEquals(first.get("ticket-issued-appdata"), second.get("ticket-appdata"));
            assertTrue(server.getLogs().contains("ticket decrypted: connection"), "events on the container's stderr");
            try (SslContext context = SslContext.forClient().build();
                 TlsClient client = new TlsClient(context, Duration.ofSeconds(20))) {
                List<String> resumed = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    resumed.add(Peers.fields(Peers.request(client.connect("127.0.0.1", port), Peers.GET)).get("resumed"));
                }
                assertEquals(List.of("no", "yes", "yes"), resumed, "our client, outside");
            }
        }
    }

    @Test
    void aRestartedContainerWithTheSameKeysResumesAndANewGenerationRenews(@TempDir Path dir) throws Exception {
        Path keys = keys(dir);
        Path session = dir.resolve("session.pem");
        String issued;
        try (GenericContainer<?> server = serve("bookworm", keys)) {
            issued = Peers.fields(Peers.sClient(server.getMappedPort(8443), "-tls1_3", "-sess_out", session.toString()))
                    .get("ticket-issued-appdata");
        }
        try (GenericContainer<?> restarted = serve("bookworm", keys)) {
            Map<String, String> resumed = Peers.fields(Peers.sClient(restarted.getMappedPort(8443), "-tls1_3",
                    "-sess_in", session.toString()));
            assertEquals("yes", resumed.get("resumed"), resumed.toString());
            assertEquals(issued, resumed.get("ticket-appdata"), "the app data from before the restart");
        }
        try (GenericContainer<?> next = serve("bookworm", keys, "--generation", "2")) {
            Map<String, String> renewed = Peers.fields(Peers.sClient(next.getMappedPort(8443), "-tls1_3",
                    "-sess_in", session.toString()));
            assertEquals("no", renewed.get("resumed"));
            assertEquals("IGNORE_RENEW", renewed.get("ticket-return"));
        }
    }

    @Test
    void twoContainersWithOneKeyFileAcceptEachOthersTickets(@TempDir Path dir) throws Exception {
        Path keys = keys(dir);
        Path session = dir.resolve("session.pem");
        try (GenericContainer<?> one = serve("bookworm", keys); GenericContainer<?> two = serve("bookworm", keys)) {
            String issued = Peers.fields(Peers.sClient(one.getMappedPort(8443), "-tls1_2", "-sess_out",
                    session.toString())).get("ticket-issued-appdata");
            Map<String, String> atTheOther = Peers.fields(Peers.sClient(two.getMappedPort(8443), "-tls1_2", "-sess_in",
                    session.toString()));
            assertEquals("yes", atTheOther.get("resumed"), atTheOther.toString());
            assertEquals(issued, atTheOther.get("ticket-appdata"));
        }
    }

    /**
     * In each suite's build image: the C and Java matrices are identical, row for row, and identical to
     * this machine's; the app-data limits are as docs/openssl-behaviour.md records per version; and the
     * whole test suite passes on that OpenSSL and JDK.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "forky", "sid"})
    void everySuiteMatchesTheCMatrixAndPassesItsTests(String suite) throws Exception {
        String hostMatrix = run(List.of(Path.of("native", "build", "ticket_matrix").toString()));
        try (GenericContainer<?> image = new GenericContainer<>(DockerImageName.parse("ossl-tickets-test:" + suite))
                .withCommand("sleep", "infinity")) {
            image.start();
            String version = exec(image, "openssl", "version").trim();
            String c = exec(image, "native/build/ticket_matrix");
            String java = exec(image, "scripts/ossl-tickets", "matrix");
            assertEquals(c, java, suite + " (" + version + "): the Java matrix differs from the C one");
            assertEquals(hostMatrix, c, suite + " (" + version + "): the matrix differs from this machine's");

            String limits = exec(image, "sh", "-c", "java --enable-native-access=ALL-UNNAMED -cp"
                    + " target/test-classes:target/classes:target/classes/META-INF/versions/22:target/lib/* io.github.ossltickets.AppDataLimits");
            assertTrue(limits.contains("TLSv1.2\tlargest app data that resumes: 65177"), suite + ": " + limits);
            int tls13 = Integer.parseInt(limits.replaceAll("(?s).*TLSv1.3\tlargest app data that resumes: (\\d+).*", "$1"));
            boolean largerKeyShares = !version.startsWith("OpenSSL 3.0.");
            assertTrue(largerKeyShares ? tls13 > 63_700 && tls13 < 64_000 : tls13 > 65_000 && tls13 < 65_200,
                    suite + " (" + version + "): TLS 1.3 limit " + tls13);

            Container.ExecResult tests = image.execInContainer("sh", "-c", "mvn -B -o test 2>&1 | tail -40");
            assertTrue(tests.getStdout().contains("BUILD SUCCESS"), suite + " (" + version + "):\n" + tests.getStdout());
        }
    }

    private static String exec(GenericContainer<?> container, String... command) throws Exception {
        Container.ExecResult result = container.execInContainer(command);
        assertEquals(0, result.getExitCode(), String.join(" ", command) + ": " + result.getStderr());
        return result.getStdout();
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor());
        return output;
    }
}
