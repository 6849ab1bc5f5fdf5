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
        try {
            switch (command) {
                case "demo":
                    Demo.run(out);
                    return 0;
                case "matrix":
                    Matrix.run(out);
                    return 0;
                case "help":
                case "--help":
                case "-h":
                    usage(out);
                    return 0;
                default:
                    err.println("unknown command: " + command + (rest.length > 0 ? " " + String.join(" ", rest) : ""));
                    usage(err);
                    return 2;
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            err.println("ossl-tickets " + command + " failed: " + e);
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: ossl-tickets <command>");
        out.println("  demo     full handshakes, resumptions and a policy decision, TLS 1.2 and 1.3, in memory");
        out.println("  matrix   the 45 ticket scenarios as TSV, the same as native/build/ticket_matrix prints");
    }
}
