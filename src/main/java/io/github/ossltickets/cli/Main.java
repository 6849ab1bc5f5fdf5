package io.github.ossltickets.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * {@code scripts/ossl-tickets <command>}: the command-line entry point. Exit status: 0 on success,
 * 2 for a usage error, 1 for a runtime error, and 141 when the reader of stdout went away (as
 * {@code matrix | head} does), like a Unix tool killed by SIGPIPE: silently, so that a shell with
 * {@code set -o pipefail} sees what it sees for {@code cat}.
 */
public final class Main {
    private Main() {}

    /** The exit status of a process killed by SIGPIPE, as a shell reports it: 128 + 13. */
    static final int CLOSED_PIPE = 141;

    public static void main(String[] args) {
        Stdout out = new Stdout(new FileOutputStream(FileDescriptor.out), Charset.defaultCharset());
        System.exit(run(args, out, System.err));
    }

    /**
     * stdout that remembers why a write failed: {@link PrintStream} swallows the IOException and only
     * {@link PrintStream#checkError()} tells that one happened.
     */
    static final class Stdout extends PrintStream {
        private final Recorder recorder;

        Stdout(OutputStream target, Charset charset) {
            this(new Recorder(target), charset);
        }

        private Stdout(Recorder recorder, Charset charset) {
            super(recorder, true, charset);
            this.recorder = recorder;
        }

        /** Whether the write failed because nobody reads the pipe any more (EPIPE). */
        boolean pipeClosed() {
            IOException failure = recorder.failure;
            return failure != null && String.valueOf(failure.getMessage()).contains("Broken pipe");
        }

        /** The system's reason for the first failed write ("No space left on device"), or null. */
        String failure() {
            IOException failure = recorder.failure;
            return failure == null ? null : String.valueOf(failure.getMessage());
        }
    }

    private static final class Recorder extends FilterOutputStream {
        volatile IOException failure;

        Recorder(OutputStream target) {
            super(target);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                failure = failure == null ? e : failure;
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
                throw e;
            }
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            usage(err);
            return 2;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (command.equals("serve")) {
            return Serve.run(rest, out, err);
        }
        if (command.equals("keys")) {
            return Keys.run(rest, out, err);
        }
        boolean known = command.equals("demo") || command.equals("matrix") || isHelp(command);
        if (!known || rest.length > 0) {
            err.println("ossl-tickets: " + (known ? command + " takes no arguments: "
                    + CommandLine.shown(String.join(" ", rest)) : "unknown command " + CommandLine.shown(command)));
            usage(err);
            return 2;
        }
        try {
            if (command.equals("demo")) {
                Demo.run(out);
            } else if (command.equals("matrix")) {
                Matrix.run(out);
            } else {
                usage(out);
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            err.println("ossl-tickets " + command + " failed: " + e);
            return 1;
        }
        if (out.checkError()) { // PrintStream swallows write errors: a full disk, a closed pipe
            return outputFailed(command, out, err);
        }
        return 0;
    }

    /**
     * The exit status of {@code command} once a write to {@code out} failed: 141, quietly, when its reader
     * went away; else 1, with a line on {@code err} that says why (a full disk, a closed descriptor).
     */
    static int outputFailed(String command, PrintStream out, PrintStream err) {
        if (out instanceof Stdout stdout && stdout.pipeClosed()) {
            return CLOSED_PIPE;
        }
        String reason = out instanceof Stdout stdout && stdout.failure() != null ? ": " + stdout.failure() : "";
        err.println("ossl-tickets " + command + " failed: could not write its output to stdout" + reason);
        return 1;
    }

    private static boolean isHelp(String command) {
        return command.equals("help") || command.equals("--help") || command.equals("-h");
    }

    private static void usage(PrintStream out) {
        out.println("usage: ossl-tickets <command>");
        out.println("  demo     full handshakes, resumptions and a policy decision, TLS 1.2 and 1.3, in memory");
        out.println("  matrix   the 45 ticket scenarios as TSV, the same as native/build/ticket_matrix prints");
        out.println("  serve    an HTTPS server that shows each connection's ticket (serve --help)");
        out.println("  keys     writes, rotates and shows ticket key files for nginx and HAProxy (keys --help)");
        out.println("Exit status: 0 done, 1 failed, 2 usage error, 141 stdout closed by its reader (as for cat).");
    }
}
