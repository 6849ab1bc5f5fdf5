package io.github.ossltickets.cli;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.util.ResourceBundle;

/**
 * A {@code System.Logger} that writes one line per message at INFO and above to a stream (serve's
 * stderr), with the exception's text; at ERROR also its stack trace, since that is a bug to find.
 */
final class EventLogger implements System.Logger {
    private final String name;
    private final PrintStream out;

    EventLogger(String name, PrintStream out) {
        this.name = name;
        this.out = out;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isLoggable(Level level) {
        return level.getSeverity() >= Level.INFO.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (!isLoggable(level)) {
            return;
        }
        synchronized (out) { // the same lock as serve's ticket events: whole lines
            out.println(thrown == null ? message : message + ": " + thrown);
            if (thrown != null && level == Level.ERROR) {
                thrown.printStackTrace(out);
            }
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            log(level, bundle, params == null || params.length == 0 ? format : MessageFormat.format(format, params),
                    (Throwable) null);
        }
    }
}
