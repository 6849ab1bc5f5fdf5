package io.github.ossltickets.cli;

import java.io.PrintStream;
import java.util.Arrays;

/** {@code scripts/ossl-tickets <command>}: the command-line entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        if (command.equals("serve")) {
            return Serve.run(rest, out, err);
        }
        if (command.equals("keys")) {
            return Keys.run(rest, out, err);
        }
        boolean known = command.equals("demo") || command.equals("matrix") || isHelp(command);
        if (!known || rest.length > 0) {
            err.println(known ? "ossl-tickets " + command + " takes no arguments: " + String.join(" ", rest)
                    : "unknown command: " + command);
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
            err.println("ossl-tickets " + command + " failed: could not write its output");
            return 1;
        }
        return 0;
    }

    private static boolean isHelp(String command) {
        return command.equals("help") || command.equals("--help") || command.equals("-h");
    }

    private static void usage(PrintStream out) {
        out.println("usage: ossl-tickets <command>");
        out.println("  demo     full handshakes, resumptions and a policy decision, TLS 1.2 and 1.3, in memory");
        out.println("  matrix   the 45 ticket scenarios as TSV, the same as native/build/ticket_matrix prints");
        out.println("  serve    an HTTPS server that shows each connection's ticket (serve --help)");
    }
}
