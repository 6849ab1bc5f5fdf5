package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a concern lives, checked on the sources and class files, so that it stays in one place. */
@Timeout(30)
class HouseRulesTest {
    private static final Path MAIN = Path.of("src", "main");

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The ticket size limits (65,280 and 65,535) are written down in one class, which the others cite. */
    @Test
    void theSizeLimitsLiveInTicketSizeLimitsOnly() throws IOException {
        Pattern limit = Pattern.compile("65,?280|0xFF00|0xFFFF", Pattern.CASE_INSENSITIVE);
        TreeSet<String> holders = new TreeSet<>();
        for (Path file : javaFiles()) {
            if (limit.matcher(Files.readString(file)).find()) {
                holders.add(file.getFileName().toString());
            }
        }
        assertEquals(new TreeSet<>(List.of("TicketSizeLimits.java")), holders);
    }

    /** CallFrame reports failures through the listener it is given: it never reaches up into ContextCallbacks. */
    @Test
    void callFrameDoesNotReferToContextCallbacks() throws IOException {
        Path classFile = Path.of("target", "classes", "io", "github", "ossltickets", "CallFrame.class");
        String constants = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
        assertFalse(constants.contains("io/github/ossltickets/ContextCallbacks"), "CallFrame.class names ContextCallbacks");
    }

    /** The callback typedefs of {@code ffi}: what OpenSSL calls. */
    private static final String TYPEDEFS = "SSL_CTX_generate_session_ticket_fn|SSL_CTX_decrypt_session_ticket_fn"
            + "|TicketKeyEvpCallback|SSL_client_hello_cb_fn|SSL_CTX_alpn_select_cb_func|SslMessageCallback"
            + "|pem_password_cb|CRYPTO_EX_free";

    /** The library's class files (Java 22 ones too) outside {@code ffi}, which declares and passes on the typedefs. */
    private static List<Path> classFilesAboveFfi() throws IOException {
        Path classes = Path.of("target", "classes");
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(file -> file.toString().endsWith(".class"))
                    .filter(file -> !classes.relativize(file).toString().replace('\\', '/').contains("/ffi/"))
                    .sorted().toList();
        }
    }

    /**
     * Every object OpenSSL calls is defined in NativeCallbacks: no other class implements a callback
     * typedef, makes one from a lambda or method reference, or declares a field or variable of one.
     * Read in the class files (the interfaces a class implements; a lambda's call site, whose
     * descriptor returns the typedef), and in the sources, for declarations.
     */
    @Test
    void everyObjectOpenSslCallsIsDefinedInNativeCallbacks() throws IOException {
        Pattern typedef = Pattern.compile("io/github/ossltickets/ffi/(" + TYPEDEFS + ")");
        Pattern made = Pattern.compile("\\)Lio/github/ossltickets/ffi/(" + TYPEDEFS + ");");
        TreeSet<String> outside = new TreeSet<>();
        int insideFound = 0;
        for (Path file : classFilesAboveFfi()) {
            byte[] bytes = Files.readAllBytes(file);
            boolean defines = made.matcher(new String(bytes, StandardCharsets.ISO_8859_1)).find()
                    || interfacesOf(bytes).stream().anyMatch(name -> typedef.matcher(name).matches());
            String className = file.getFileName().toString();
            if (className.equals("NativeCallbacks.class") || className.startsWith("NativeCallbacks$")) {
                insideFound += defines ? 1 : 0;
            } else if (defines) {
                outside.add(file.toString());
            }
        }
        assertEquals(new TreeSet<>(), outside, "classes besides NativeCallbacks that define an object OpenSSL calls");
        // NativeCallbacks (its lambdas) and its bridges (implements): the check sees both ways.
        assertTrue(insideFound >= 5, "the check finds only " + insideFound + " in NativeCallbacks itself");

        Pattern declared = Pattern.compile("implements[^{]*\\b(" + TYPEDEFS + ")\\b|\\bnew\\s+(" + TYPEDEFS
                + ")\\s*\\(|\\b(" + TYPEDEFS + ")\\s+\\w+\\s*[=;]");
        TreeSet<String> declaring = new TreeSet<>();
        for (Path file : javaFiles()) {
            Matcher found = declared.matcher(Files.readString(file));
            if (!file.toString().replace('\\', '/').contains("/ffi/") && found.find()
                    && !file.getFileName().toString().equals("NativeCallbacks.java")) {
                declaring.add(file.getFileName() + ": " + found.group());
            }
        }
        assertEquals(new TreeSet<>(), declaring, "sources besides NativeCallbacks.java declaring a callback object");
    }

    /**
     * The handles share one scaffold: each extends NativeHandle, and only NativeHandle registers a
     * handle with the Cleaner or holds a {@code Cleaner.Cleanable}.
     */
    @Test
    void theHandlesShareOneScaffold() throws IOException {
        for (Class<?> handle : List.of(SslContext.class, Ssl.class, SslSession.class, NetworkBio.class)) {
            assertEquals("NativeHandle", handle.getSuperclass().getSimpleName(), handle.getSimpleName() + " extends");
        }
        Pattern cleaner = Pattern.compile("CLEANER\\.register|Cleaner\\.Cleanable|\\bCleanable\\b");
        TreeSet<String> registering = new TreeSet<>();
        for (Path file : javaFiles()) {
            Matcher found = cleaner.matcher(Files.readString(file));
            if (found.find() && !file.toString().replace('\\', '/').contains("/ffi/")) {
                registering.add(file.getFileName() + ": " + found.group());
            }
        }
        assertEquals(new TreeSet<>(List.of("NativeHandle.java: Cleaner.Cleanable")), registering,
                "sources that register with a Cleaner or hold a Cleanable");
    }

    /** The internal names of the interfaces a class file declares it implements (JVMS 4.1). */
    private static List<String> interfacesOf(byte[] classFile) throws IOException {
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(classFile));
        in.skipBytes(8); // magic, minor, major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNames = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // takes two entries
                }
                default -> throw new IOException("constant pool tag " + tag + " unknown");
            }
        }
        in.skipBytes(6); // access flags, this class, super class
        int interfaces = in.readUnsignedShort();
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < interfaces; i++) {
            names.add(utf8[classNames[in.readUnsignedShort()]]);
        }
        return names;
    }
}
