package io.github.ossltickets.netty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A self-signed RSA certificate for localhost, for the example servers. */
final class Certificates {
    private Certificates() {
    }

    static void selfSigned(Path key, Path cert) throws IOException, InterruptedException {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-newkey", "rsa:2048", "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IOException("openssl req failed: " + output);
        }
    }
}
