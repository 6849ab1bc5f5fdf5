package io.github.ossltickets.cli;

import io.github.ossltickets.OpenSslException;
import io.github.ossltickets.SmallFiles;
import io.github.ossltickets.SslContext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the files serve's options name, boundedly ({@link SmallFiles}: a FIFO, a device, a directory or
 * an oversized file is refused at once), and checks them, so that every failure names the option,
 * the file and the reason in one line.
 */
final class ServeFiles {
    private ServeFiles() {}

    /** Certificates and keys are a few kB; a chain of many certificates stays far below this. */
    static final int MAX_PEM_BYTES = 1 << 20;
    static final int MAX_PASSWORD_BYTES = 4 << 10;

    /** The certificate and key PEM, and the key's password (null for none), checked by OpenSSL together. */
    record Certificate(String certificatePem, String privateKeyPem, char[] password) {}

    /** Reads --cert, --key and the key's password, and loads them into a throwaway context to check them. */
    static Certificate certificate(Serve.Options options) throws IOException {
        String certificate = pem(options.cert(), "--cert", "certificate",
                "openssl x509 -inform DER -in " + options.cert() + " -out cert.pem");
        String key = pem(options.key(), "--key", "private key",
                "openssl pkey -inform DER -in " + options.key() + " -out key.pem");
        char[] password = password(options);
        if (password == null && key.contains("ENCRYPTED")) {
            throw new IOException("--key " + options.key() + " is encrypted: give its password with"
                    + " --key-password-file FILE or --key-password-env NAME");
        }
        // Here rather than when the server starts, so that the message can name both files.
        try {
            SslContext.forServer().certificate(certificate, key, password).build().close();
            return new Certificate(certificate, key, password);
        } catch (OpenSslException e) {
            throw new IOException("--cert " + options.cert() + " with --key " + options.key() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * PEM text from {@code file}. Refuses an empty file, and a binary one, saying how to convert DER
     * (which starts with an ASN.1 SEQUENCE, 0x30). Bytes outside the ASCII range are kept one char
     * each: they can only be comments around the PEM blocks, which OpenSSL skips.
     */
    private static String pem(Path file, String option, String what, String fromDer) throws IOException {
        byte[] bytes = SmallFiles.read(file, MAX_PEM_BYTES, "the " + option + " file");
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (option.equals("--cert") && text.contains("-----BEGIN PKCS7-----") && !text.contains("CERTIFICATE-----")) {
            throw new IOException(option + " " + file + " is PKCS#7 (-----BEGIN PKCS7-----), not PEM certificates;"
                    + " convert it with openssl pkcs7 -print_certs -in " + file + " -out chain.pem");
        }
        if (text.contains("-----BEGIN ")) {
            return text;
        }
        if (bytes.length == 0) {
            throw new IOException(option + " " + file + " is empty; it should hold a PEM " + what);
        }
        throw new IOException(option + " " + file + " is not PEM (no -----BEGIN line)"
                + (bytes[0] == 0x30 ? "; it looks like DER; convert with " + fromDer : ""));
    }

    /** The password of --key from --key-password-file (its first line) or --key-password-env; null if neither. */
    private static char[] password(Serve.Options options) throws IOException {
        return secret(options.keyPasswordFile(), "--key-password-file", options.keyPasswordEnv(), "--key-password-env");
    }

    /**
     * A password from {@code file} (its first line) or else from the environment variable {@code env};
     * null if both are null. The options are named in messages; the password never is.
     */
    static char[] secret(Path file, String fileOption, String env, String envOption) throws IOException {
        if (file != null) {
            byte[] bytes = SmallFiles.read(file, MAX_PASSWORD_BYTES, "the " + fileOption + " file");
            try {
                char[] password = firstLine(bytes);
                if (password.length == 0) {
                    throw new IOException(fileOption + " " + file + " is empty; its first line is the password");
                }
                return password;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
        if (env != null) {
            String value = System.getenv(env);
            if (value == null || value.isEmpty()) {
                throw new IOException(envOption + " " + env + ": the environment variable "
                        + (value == null ? "is not set" : "is empty"));
            }
            return value.toCharArray();
        }
        return null;
    }

    /** UTF-8 up to the first line end ("\n" or "\r\n"), as chars, wiping the decoded copy. */
    private static char[] firstLine(byte[] bytes) {
        CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
        try {
            int end = 0;
            while (end < decoded.limit() && decoded.get(end) != '\n') {
                end++;
            }
            if (end > 0 && decoded.get(end - 1) == '\r') {
                end--;
            }
            char[] line = new char[end];
            decoded.get(line, 0, end);
            return line;
        } finally {
            Arrays.fill(decoded.array(), '\0');
        }
    }
}
