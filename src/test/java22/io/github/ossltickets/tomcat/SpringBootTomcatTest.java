package io.github.ossltickets.tomcat;

import io.github.ossltickets.adapters.ResumptionChecks;
import io.github.ossltickets.adapters.ResumptionChecks.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Spring Boot 4 on Tomcat 11's FFM OpenSSL in this JVM (JDK 22+), its certificate from a Spring SSL
 * bundle, the callbacks attached by a {@code TomcatConnectorCustomizer} bean, {@code openssl s_client}
 * resuming. The same application runs in the sid image (FrameworksContainerIT), under load there too.
 */
@Timeout(120)
class SpringBootTomcatTest {
    @TempDir
    static Path directory;
    private static SpringBootTomcatExample spring;

    @BeforeAll
    static void start() throws Exception {
        spring = SpringBootTomcatExample.start(directory, 0);
        Answer first = ResumptionChecks.get(spring.port(), "-tls1_3", "start.example", "/", List.of());
        assertEquals(1, first.count("contexts"), "Spring Boot's one certificate: one context, installed");
    }

    @AfterAll
    static void stop() {
        if (spring != null) {
            spring.close();
        }
    }

    @Test
    void tls13AndTls12ResumeWithTheirAppData() throws Exception {
        ResumptionChecks.resumes(spring.port(), "-tls1_3", "tls13.example", directory, "SPRING", List.of());
        ResumptionChecks.resumes(spring.port(), "-tls1_2", "tls12.example", directory, "SPRING", List.of());
    }

    @Test
    void aStaleTicketIsIgnoredAndRenewed() throws Exception {
        ResumptionChecks.staleTicketGetsAFullHandshake(spring.port(), "-tls1_3", "stale13.example", directory,
                "/advance-policy");
        ResumptionChecks.staleTicketGetsAFullHandshake(spring.port(), "-tls1_2", "stale12.example", directory,
                "/advance-policy");
    }

    @Test
    void theSslBundleReloadsAndTicketsOutliveIt() throws Exception {
        ResumptionChecks.ticketsOutliveAReload(spring.port(), "-tls1_3", "reload13.example", directory, "SPRING",
                "/rotate-certificate");
        ResumptionChecks.ticketsOutliveAReload(spring.port(), "-tls1_2", "reload12.example", directory, "SPRING",
                "/rotate-certificate");
    }
}
