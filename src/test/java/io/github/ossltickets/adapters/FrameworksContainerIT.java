package io.github.ossltickets.adapters;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The example applications of the frameworks users build servers with, each started once in a build
 * image and resumed by {@code openssl s_client} from outside, reading the app data back through the
 * application's own HTTP endpoint: Spring Boot on Tomcat's FFM OpenSSL in the sid image (JDK 25,
 * OpenSSL 3.6); Spring WebFlux, plain Reactor Netty and Vert.x on the dynamically linked netty-tcnative
 * in the trixie image (OpenSSL 3.5).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FrameworksContainerIT {
    private static final String TOMCAT_CLASS_PATH = AdaptersContainerIT.TOMCAT_CLASS_PATH;
    private static final String NETTY_CLASS_PATH = AdaptersContainerIT.NETTY_CLASS_PATH;

    private static boolean docker;

    @BeforeAll
    static void docker() {
        docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.err.println("FrameworksContainerIT: no Docker engine; the framework container tests are skipped");
        }
    }

    @BeforeEach
    void skipWithoutDocker() {
        assumeTrue(docker, "no Docker engine");
    }

    /** What every framework's example must show; one application start per framework. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Framework {
        GenericContainer<?> server;
        int port;

        abstract GenericContainer<?> start();

        /** The label the example's installer writes into its tickets' app data. */
        abstract String label();

        @BeforeAll
        void startOnce() {
            assumeTrue(docker, "no Docker engine");
            server = start();
            port = server.getMappedPort(8443);
        }

        @AfterAll
        void stop() {
            if (server != null) {
                server.stop();
            }
        }

        @Test
        void tls13AndTls12ResumeWithTheirAppData(@TempDir Path dir) throws Exception {
            ResumptionChecks.resumes(port, "-tls1_3", "tls13.example", dir, label(), List.of());
            ResumptionChecks.resumes(port, "-tls1_2", "tls12.example", dir, label(), List.of());
            AdaptersContainerIT.assertLogClean(server);
        }

        @Test
        void aStaleTicketGetsIgnoreRenewAFullHandshakeAndAFreshTicket(@TempDir Path dir) throws Exception {
            ResumptionChecks.staleTicketGetsAFullHandshake(port, "-tls1_3", "stale13.example", dir, "/advance-policy");
            ResumptionChecks.staleTicketGetsAFullHandshake(port, "-tls1_2", "stale12.example", dir, "/advance-policy");
            AdaptersContainerIT.assertLogClean(server);
        }

        @Test
        void fourClientsResumeFiftyTimesEachWithTheirOwnAppData(@TempDir Path dir) throws Exception {
            ResumptionChecks.load(port, "-tls1_3", 4, 50, dir);
            AdaptersContainerIT.assertLogClean(server);
        }
    }

    @Nested
    class SpringBootTomcatInSid extends Framework {
        @Override
        GenericContainer<?> start() {
            return AdaptersContainerIT.example("sid", TOMCAT_CLASS_PATH,
                    "io.github.ossltickets.tomcat.SpringBootTomcatExample", 8443);
        }

        @Override
        String label() {
            return "SPRING";
        }

        /** Spring Boot reloads its SSL bundle when the files change; the new context gets the callbacks. */
        @Test
        void theSslBundleReloadsAndTicketsOutliveIt(@TempDir Path dir) throws Exception {
            ResumptionChecks.ticketsOutliveAReload(port, "-tls1_3", "reload13.example", dir, label(), "/rotate-certificate");
            ResumptionChecks.ticketsOutliveAReload(port, "-tls1_2", "reload12.example", dir, label(), "/rotate-certificate");
            AdaptersContainerIT.assertLogClean(server);
        }
    }

    @Nested
    class SpringWebFluxInTrixie extends Framework {
        @Override
        GenericContainer<?> start() {
            return AdaptersContainerIT.example("trixie", NETTY_CLASS_PATH, "io.github.ossltickets.netty.WebFluxExample", 8443);
        }

        @Override
        String label() {
            return "WEBFLUX";
        }
    }

    @Nested
    class ReactorNettyInTrixie extends Framework {
        @Override
        GenericContainer<?> start() {
            return AdaptersContainerIT.example("trixie", NETTY_CLASS_PATH, "io.github.ossltickets.netty.ReactorNettyExample", 8443);
        }

        @Override
        String label() {
            return "REACTOR";
        }
    }

    @Nested
    class VertxInTrixie extends Framework {
        @Override
        GenericContainer<?> start() {
            return AdaptersContainerIT.example("trixie", NETTY_CLASS_PATH, "io.github.ossltickets.netty.VertxExample", 8443);
        }

        @Override
        String label() {
            return "VERTX";
        }
    }
}
