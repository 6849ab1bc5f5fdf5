package io.github.ossltickets.metrics;

import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.ObjectName;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Micrometer is optional: the JMX half works in a JVM whose class path has no micrometer jar, as a user
 * who did not add the dependency has it.
 */
@Timeout(120)
class WithoutMicrometerTest {

    @Test
    void theMXBeanWorksWithoutMicrometerOnTheClassPath() throws Exception {
        String classPath = Files.readString(Path.of("target", "test.classpath")).trim();
        List<String> entries = new ArrayList<>(List.of(ProcessChecks.libraryClasses(), "target/test-classes"));
        entries.addAll(Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.contains("micrometer")).collect(Collectors.toList()));
        assertTrue(entries.stream().anyMatch(entry -> entry.contains("jna")), "JNA is on the child's class path");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", String.join(File.pathSeparator, entries),
                WithoutMicrometerTest.class.getName()).redirectErrorStream(true).start();
        assertTrue(child.waitFor(100, TimeUnit.SECONDS), "the child JVM finished");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), output);
        assertEquals("no micrometer; TicketsGenerated=5", output.trim());
    }

    /** The child: real handshakes, then the attribute read through the platform MBean server. */
    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry");
            throw new AssertionError("micrometer is on the class path");
        } catch (ClassNotFoundException expected) {
            System.out.print("no micrometer; ");
        }
        try (SslContext server = Traffic.server(TicketKey.random());
                TicketMetrics.Registration jmx = TicketMetrics.register(server, "no micrometer")) {
            Traffic.fullResumedAndForeign(server);
            ObjectName name = jmx.objectName();
            System.out.println("TicketsGenerated=" + ManagementFactory.getPlatformMBeanServer().getAttribute(name,
                    "TicketsGenerated"));
        }
    }
}
