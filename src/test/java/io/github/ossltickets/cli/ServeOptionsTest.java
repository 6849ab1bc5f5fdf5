package io.github.ossltickets.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * serve's command line through the real entry point: --help, both spellings of a value, and every
 * mistake a hostile or careless user makes ends in one line naming the option, and exit 2.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeOptionsTest {

    /** What one run printed, and its exit status. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run serve(String... options) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(options));
        return run(args.toArray(new String[0]));
    }

    /** One line on stderr, nothing on stdout, no stack trace, the given status; returns the line. */
    static String oneErrorLine(Run run, int exit) {
        String context = "exit " + run.exit() + ", stdout [" + run.out() + "], stderr [" + run.err() + "]";
        assertEquals(exit, run.exit(), context);
        assertEquals("", run.out(), context);
        assertEquals(1, run.err().lines().count(), "one line: " + context);
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), "no stack trace: " + context);
        return run.err().strip();
    }

    private static void refused(String expected, String... options) {
        String line = oneErrorLine(serve(options), 2);
        assertTrue(line.contains(expected), "expected '" + expected + "' in: " + line);
    }

    @Test
    void helpDocumentsEveryOptionAndExitsZero() {
        Run help = serve("--help");
        assertEquals(0, help.exit());
        for (String option : List.of("--port", "--bind", "--cert", "--key", "--key-password-file",
                "--key-password-env", "--tls", "--num-tickets", "--ticket-keys", "--generation", "--handshake-timeout",
                "--read-timeout", "--max-per-client", "--max-workers-per-client", "Exit status")) {
            assertTrue(help.out().contains(option), option + " in\n" + help.out());
        }
        assertEquals(0, serve("-h").exit());
    }

    @Test
    void noArgumentsAtAllIsAUsageError() {
        Run run = run();
        assertEquals(2, run.exit());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("usage: ossl-tickets <command>"), run.err());
    }

    @Test
    void bothSpellingsOfAValueGiveTheSameOptions() throws Exception {
        String[] spaced = {"--port", "0", "--tls", "1.3", "--generation", "g=2", "--num-tickets", "4",
            "--read-timeout", "7"};
        String[] joined = {"--port=0", "--tls=1.3", "--generation=g=2", "--num-tickets=4", "--read-timeout=7"};
        Serve.Options options = Serve.Options.parse(joined);
        assertEquals(Serve.Options.parse(spaced), options);
        assertEquals(0, options.port());
        assertEquals("g=2", options.generation(), "only the first '=' separates the value");
        assertEquals(4, options.numTickets());
        assertEquals(Duration.ofSeconds(7), options.readTimeout());
    }

    @Test
    void anUnknownOptionIsNamedAndACloseOneSuggested() {
        assertEquals("ossl-tickets serve: unknown option --x (ossl-tickets serve --help lists the options)",
                oneErrorLine(serve("--x"), 2), "the last option, without a value: unknown, not 'needs a value'");
        refused("unknown option --prot (did you mean --port?)", "--prot", "1");
        refused("unknown option --ticketkeys (did you mean --ticket-keys?)", "--ticketkeys=k");
        refused("unknown option -port (did you mean --port?)", "-port", "1");
        refused("unknown option --nothing-like-it", "--nothing-like-it", "1");
        assertFalse(serve("--nothing-like-it").err().contains("did you mean"));
    }

    @Test
    void aMissingValueSaysWhichOptionNeedsOne() {
        refused("--port needs a value", "--port");
        refused("--cert needs a value", "--cert", "--key", "k.pem");
        refused("--bind needs a value, not an empty string", "--bind", "");
        refused("--cert needs a value, not an empty string", "--cert=", "--key", "k.pem");
        refused("--help takes no value", "--help=yes");
    }

    @Test
    void hostileNumbersAreRefusedNamingTheOptionAndTheRange() {
        for (String port : List.of("-1", "65536", "abc", "99999999999", "+5", "0x10", " 1", "1e3", "٣")) {
            refused("--port takes a whole number from 0 to 65535, not '" + port + "'", "--port", port);
        }
        refused("--num-tickets takes a whole number from 0 to 1000, not '1001'", "--num-tickets", "1001");
        refused("--handshake-timeout takes a whole number from 1 to 3600, not '0'", "--handshake-timeout", "0");
        refused("--read-timeout takes a whole number from 1 to 3600, not '2147483648'", "--read-timeout",
                "2147483648");
    }

    /** A quarter of serve's 16 workers by default; more than 16 would be no cap at all, so it is refused. */
    @Test
    void maxWorkersPerClientIsAQuarterOfTheWorkersUnlessGivenFromOneToAll() throws Exception {
        assertEquals(4, Serve.Options.parse(new String[] {"--port=0"}).maxWorkersPerClient());
        assertEquals(16, Serve.Options.parse(new String[] {"--max-workers-per-client=16"}).maxWorkersPerClient());
        assertEquals(1, Serve.Options.parse(new String[] {"--max-workers-per-client", "1"}).maxWorkersPerClient());
        for (String workers : List.of("0", "17", "-1", "x")) {
            refused("--max-workers-per-client takes a whole number from 1 to 16, not '" + workers + "'",
                    "--max-workers-per-client", workers);
        }
    }

    @Test
    void repeatsPositionalArgumentsAndHalfPairsAreRefused() {
        refused("--port is given twice; give it once", "--port", "1", "--port=2");
        refused("unexpected argument 'extra': serve takes only options", "extra");
        refused("unexpected argument 'extra'", "--port", "0", "extra", "--tls", "1.3");
        refused("unexpected argument '--'", "--", "--port", "1");
        refused("--cert needs --key", "--cert", "c.pem");
        refused("--key needs --cert", "--key", "k.pem");
        refused("--tls takes 1.2, 1.3 or both, not '1.1'", "--tls", "1.1");
        refused("--generation takes printable characters without spaces or ';', not 'a b'", "--generation", "a b");
        refused("not 'a\\x1b[31m'", "--generation", "a\u001b[31m");
    }

    @Test
    void passwordOptionsGoWithAKeyAndNeverTogether() {
        refused("--key-password-file and --key-password-env: give one of them", "--cert", "c", "--key", "k",
                "--key-password-file", "p", "--key-password-env", "P");
        refused("--key-password-file is the password of --key, which is not given", "--key-password-file", "p");
        refused("--key-password-env is the password of --key, which is not given", "--key-password-env", "P");
        refused("--key-password-env takes the name of an environment variable, not 'secret password'",
                "--cert", "c", "--key", "k", "--key-password-env", "secret password");
    }

    @Test
    void aHugeGenerationIsRefusedAtStartNamingTheLimitAndWhy() throws Exception {
        String huge = "g".repeat(70_000);
        String line = oneErrorLine(serve("--generation", huge), 2);
        assertTrue(line.contains("--generation has 70000 characters; at most 1000"), line);
        assertTrue(line.contains("every ticket's app data"), line);
        assertTrue(line.length() < 400, "the value is not echoed: " + line.length() + " characters");
        assertEquals(1000, Serve.Options.parse(new String[] {"--generation", "g".repeat(1000)}).generation().length());
    }

    @Test
    void aRepeatableOptionTakesSeveralValuesInEitherSpelling() throws Exception {
        CommandLine commandLine = new CommandLine("test").repeatable("--files").option("--port");
        CommandLine.Parsed parsed = commandLine.parse(new String[] {"--files", "a", "b", "--port", "1", "--files=c",
            "--files", "-d"});
        assertEquals(List.of("a", "b", "c", "-d"), parsed.values("--files"),
                "values up to the next option; '-d' right after the option is its value");
        assertEquals("1", parsed.value("--port").orElseThrow());
        CommandLine.UsageException e = assertThrows(CommandLine.UsageException.class,
                () -> commandLine.parse(new String[] {"--files"}));
        assertEquals("--files needs a value", e.getMessage());
    }

    @Test
    void aTicketKeysFileOfTheWrongSizeFailsToStartAndSaysWhy(@TempDir Path dir) throws Exception {
        Path keys = Files.write(dir.resolve("short.keys"), new byte[47]);
        String line = oneErrorLine(serve("--port", "0", "--ticket-keys", keys.toString()), 1);
        assertTrue(line.contains("--ticket-keys: the ticket key file " + keys + " has 47 bytes; an nginx ticket key"
                + " file has 80 (AES-256) or 48 (AES-128)"), line);
    }
}
