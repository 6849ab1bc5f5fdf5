package io.github.ossltickets.tomcat;

import io.github.ossltickets.TicketKey;
import io.github.ossltickets.adapters.CrossServerChecks;
import io.github.ossltickets.cli.InProcessServe;
import io.github.ossltickets.keys.TicketKeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * Tomcat 11 (FFM OpenSSL, this JDK) and {@code serve} on the host, on one nginx key file: a ticket from
 * either resumes at the other with its app data, in TLS 1.3 and 1.2 (issue 16; the same in the sid image
 * is {@code CrossServerContainerIT}). Tomcat's own {@code setTicketKeys} cannot do this on OpenSSL 3:
 * see {@code TomcatTicketKeysTest}.
 */
@Timeout(120)
class TomcatBesideServeTest {
    @Test
    void aTicketFromTomcatResumesOnServeAndTheOtherWayRound(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("ticket.key");
        TicketKeyFiles.write(keyFile, TicketKeyFiles.nginxBytes(TicketKey.random()));
        String keyName = HexFormat.of().formatHex(Files.readAllBytes(keyFile), 0, 16);
        try (TomcatExample tomcat = TomcatExample.startWithKeyFile(Files.createDirectory(dir.resolve("tomcat")), keyFile);
             InProcessServe serve = InProcessServe.start("--ticket-keys", keyFile.toString())) {
            CrossServerChecks.fromExampleToServe(keyName, tomcat.port(), serve.port(), "-tls1_3", List.of(), "EC", dir);
            // serve's certificate is EC: in TLS 1.2 a suite both can use, so Tomcat answers with its EC context.
            List<String> ecdsa = List.of("-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
            CrossServerChecks.fromExampleToServe(keyName, tomcat.port(), serve.port(), "-tls1_2", ecdsa, "EC", dir);
            CrossServerChecks.fromServeToExample(keyName, serve.port(), tomcat.port(), "-tls1_3", List.of(), dir);
            CrossServerChecks.fromServeToExample(keyName, serve.port(), tomcat.port(), "-tls1_2", ecdsa, dir);
        }
    }
}
