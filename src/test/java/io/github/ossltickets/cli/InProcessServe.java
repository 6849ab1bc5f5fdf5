package io.github.ossltickets.cli;

import java.io.PrintStream;
import java.io.OutputStream;

/**
 * {@code serve} started in this JVM for tests of other packages (the Tomcat adapter's, beside serve):
 * {@link Serve} itself is package-private.
 */
public final class InProcessServe implements AutoCloseable {
    private final Serve.Running running;

    private InProcessServe(Serve.Running running) {
        this.running = running;
    }

    /** Starts serve with these command-line options on a free port of 127.0.0.1. */
    public static InProcessServe start(String... options) throws Exception {
        String[] args = new String[options.length + 2];
        args[0] = "--port";
        args[1] = "0";
        System.arraycopy(options, 0, args, 2, options.length);
        return new InProcessServe(Serve.start(Serve.Options.parse(args), new PrintStream(OutputStream.nullOutputStream())));
    }

    public int port() {
        return running.port();
    }

    public String stats() {
        return running.stats();
    }

    @Override
    public void close() {
        running.close();
    }
}
