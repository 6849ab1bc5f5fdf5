package io.github.ossltickets.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.github.ossltickets.cli.ServeOptionsTest.oneErrorLine;
import static io.github.ossltickets.cli.ServeOptionsTest.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files serve reads, given as a hostile or careless user would, through the real entry point:
 * every one fails fast (a FIFO or /dev/zero never hangs the test: @Timeout) with one line naming the
 * option, the file and the reason, and exit 1; the files that are right start a server real peers use.
 * The timeout runs each test in a thread of its own, so a read stuck in open() fails the test rather
 * than hanging the run.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeFilesTest {
    @TempDir
    static Path dir;
    static Peers.Certificate certificate;
    static Path encryptedKey;
    static final String PASSWORD = "correct horse";

    @BeforeAll
    static void files() throws Exception {
        certificate = Peers.Certificate.in(dir);
        encryptedKey = dir.resolve("encrypted.pem");
        openssl("pkey", "-in", certificate.keyFile().toString(), "-aes256", "-passout", "pass:" + PASSWORD,
                "-out", encryptedKey.toString());
    }

    private static void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl " + arguments[0]);
        assertEquals(0, process.exitValue(), output);
    }

    private static String cert() {
        return certificate.certFile().toString();
    }

    private static String key() {
        return certificate.keyFile().toString();
    }

    /** serve with these options fails to start: one line on stderr with every expected part, exit 1. */
    private static String fails(List<String> expected, String... options) {
        String line = oneErrorLine(serve(options), 1);
        for (String part : expected) {
            assertTrue(line.contains(part), "expected '" + part + "' in: " + line);
        }
        return line;
    }

    private static Path fifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Files.deleteIfExists(fifo);
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue());
        return fifo;
    }

    @Test
    void aFifoIsRefusedForEveryFileOption() throws Exception {
        Path fifo = fifo("fifo");
        String notRegular = "it is not a regular file";
        fails(List.of("--ticket-keys: cannot read the ticket key file " + fifo, notRegular), "--port", "0", "--ticket-keys", fifo.toString());
        fails(List.of("the --cert file " + fifo, notRegular), "--cert", fifo.toString(), "--key", key());
        fails(List.of("the --key file " + fifo, notRegular), "--cert", cert(), "--key", fifo.toString());
        fails(List.of("the --key-password-file file " + fifo, notRegular), "--cert", cert(), "--key",
                encryptedKey.toString(), "--key-password-file", fifo.toString());
    }

    @Test
    void devZeroIsRefusedAtOnce() {
        fails(List.of("the --cert file /dev/zero", "not a regular file"), "--cert", "/dev/zero", "--key", key());
        fails(List.of("--ticket-keys: cannot read the ticket key file /dev/zero", "not a regular file"), "--ticket-keys", "/dev/zero");
    }

    @Test
    void aMissingFileOrADirectoryNamesTheOptionThePathAndTheReason() {
        Path missing = dir.resolve("missing.pem");
        fails(List.of("the --cert file " + missing + ": no such file"), "--cert", missing.toString(), "--key", key());
        fails(List.of("the --key file " + dir + ": it is a directory"), "--cert", cert(), "--key", dir.toString());
        fails(List.of("the --key-password-file file " + missing + ": no such file"), "--cert", cert(), "--key",
                encryptedKey.toString(), "--key-password-file", missing.toString());
    }

    @Test
    void aDerCertificateOrKeySaysHowToConvertIt() throws Exception {
        Path der = dir.resolve("cert.der");
        openssl("x509", "-in", cert(), "-outform", "DER", "-out", der.toString());
        fails(List.of("--cert " + der + " is not PEM", "looks like DER; convert with openssl x509 -inform DER"),
                "--cert", der.toString(), "--key", key());
        Path derKey = dir.resolve("key.der");
        openssl("pkey", "-in", key(), "-outform", "DER", "-out", derKey.toString());
        fails(List.of("--key " + derKey + " is not PEM", "looks like DER; convert with openssl pkey -inform DER"),
                "--cert", cert(), "--key", derKey.toString());
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        String line = fails(List.of("--cert " + text + " is not PEM (no -----BEGIN line)"), "--cert", text.toString(),
                "--key", key());
        assertFalse(line.contains("DER"), line);
        Path empty = Files.write(dir.resolve("empty.pem"), new byte[0]);
        fails(List.of("--key " + empty + " is empty"), "--cert", cert(), "--key", empty.toString());
    }

    @Test
    void aPkcs7CertificateSaysHowToConvertIt() throws Exception {
        Path p7b = dir.resolve("chain.p7b");
        openssl("crl2pkcs7", "-nocrl", "-certfile", cert(), "-out", p7b.toString());
        fails(List.of("--cert " + p7b + " is PKCS#7 (-----BEGIN PKCS7-----)",
                "convert it with openssl pkcs7 -print_certs -in " + p7b + " -out chain.pem"),
                "--cert", p7b.toString(), "--key", key());
    }

    @Test
    void aSymbolicLinkLoopNamesTheOption() throws Exception {
        Path loop = dir.resolve("loop1");
        Files.deleteIfExists(loop);
        Files.deleteIfExists(dir.resolve("loop2"));
        Files.createSymbolicLink(loop, dir.resolve("loop2"));
        Files.createSymbolicLink(dir.resolve("loop2"), loop);
        fails(List.of("the --cert file " + loop + ": ", "symbolic link"), "--cert", loop.toString(), "--key", key());
        fails(List.of("the --key file " + loop + ": ", "symbolic link"), "--cert", cert(), "--key", loop.toString());
    }

    @Test
    void oversizedFilesAreRefusedNamingTheLimit() throws Exception {
        Path bigPem = Files.write(dir.resolve("big.pem"), new byte[ServeFiles.MAX_PEM_BYTES + 1]);
        fails(List.of("the --cert file " + bigPem, "larger than 1048576 bytes"), "--cert", bigPem.toString(),
                "--key", key());
        Path bigKeys = Files.write(dir.resolve("big.keys"), new byte[io.github.ossltickets.keys.TicketKeyFiles.MAX_FILE_BYTES + 1]);
        fails(List.of("--ticket-keys: cannot read the ticket key file " + bigKeys, "larger than 65536 bytes"), "--ticket-keys",
                bigKeys.toString());
        Path bigPassword = Files.write(dir.resolve("big.password"), new byte[ServeFiles.MAX_PASSWORD_BYTES + 1]);
        fails(List.of("the --key-password-file file " + bigPassword, "larger than 4096 bytes"), "--cert", cert(),
                "--key", encryptedKey.toString(), "--key-password-file", bigPassword.toString());
    }

    @Test
    void swappedMismatchedOrDamagedPemSaysWhich() throws Exception {
        fails(List.of("--cert " + key() + " with --key " + cert(), "the certificate PEM holds a private key"),
                "--cert", key(), "--key", cert());
        fails(List.of("the private key PEM holds a certificate, not a private key"), "--cert", cert(), "--key", cert());
        Path other = Files.createDirectories(dir.resolve("other"));
        Peers.Certificate another = Peers.Certificate.in(other);
        fails(List.of("--cert " + cert() + " with --key " + another.keyFile(),
                "the private key does not match the certificate", "key values mismatch"),
                "--cert", cert(), "--key", another.keyFile().toString());
        Path longLine = Files.writeString(dir.resolve("long-line.pem"), "-----BEGIN CERTIFICATE-----\n"
                + "A".repeat(1_000_000) + "\n-----END CERTIFICATE-----\n");
        fails(List.of("--cert " + longLine, "the certificate's PEM block is damaged"), "--cert", longLine.toString(),
                "--key", key());
    }

    @Test
    void anEncryptedKeyAsksForThePasswordOptionsAndAWrongPasswordSaysSo() throws Exception {
        String line = fails(List.of("--key " + encryptedKey + " is encrypted: give its password with"
                + " --key-password-file FILE or --key-password-env NAME"), "--cert", cert(), "--key",
                encryptedKey.toString());
        assertFalse(line.contains("certificate(cert"), "no Java API in a command's message: " + line);
        Path wrong = Files.writeString(dir.resolve("wrong.password"), "battery staple\n");
        fails(List.of("--key " + encryptedKey, "the private key is encrypted and the password is wrong"),
                "--cert", cert(), "--key", encryptedKey.toString(), "--key-password-file", wrong.toString());
        Path empty = Files.writeString(dir.resolve("empty.password"), "\n");
        fails(List.of("--key-password-file " + empty + " is empty"), "--cert", cert(), "--key", encryptedKey.toString(),
                "--key-password-file", empty.toString());
        fails(List.of("--key-password-env OSSL_TICKETS_TEST_UNSET_VARIABLE: the environment variable is not set"),
                "--cert", cert(), "--key", encryptedKey.toString(), "--key-password-env",
                "OSSL_TICKETS_TEST_UNSET_VARIABLE");
    }

    @Test
    void anEncryptedKeyWithItsPasswordFileServesOpenSslClients() throws Exception {
        // The first line is the password; a CRLF line end and what follows are not part of it.
        Path password = Files.writeString(dir.resolve("right.password"), PASSWORD + "\r\nnot the password\n");
        Path trailingGarbage = dir.resolve("trailing.pem");
        Files.write(trailingGarbage, Files.readAllBytes(certificate.certFile()));
        Files.write(trailingGarbage, new byte[] {0, (byte) 0xff, 0x30, '\n', 'x'}, java.nio.file.StandardOpenOption.APPEND);
        try (Serve.Running server = Serve.start(Serve.Options.parse(new String[] {"--port", "0",
                "--cert", trailingGarbage.toString(), "--key", encryptedKey.toString(),
                "--key-password-file", password.toString()}), new java.io.PrintStream(
                        java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))) {
            Map<String, String> response = Peers.fields(Peers.sClient(server.port(), "-tls1_3"));
            assertEquals("TLSv1.3", response.get("protocol"), response.toString());
        }
    }

    @Test
    void aPortInUseOrAnUnassignableAddressNamesBoth() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            fails(List.of("cannot listen on 127.0.0.1:" + port + ": address already in use"), "--port", port);
        }
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
        fails(List.of("cannot listen on 192.0.2.1:0: cannot assign requested address"), "--bind", "192.0.2.1",
                "--port", "0");
    }
}
