package io.github.ossltickets.net;

import java.util.ResourceBundle;

/**
 * The server's logger, wrapped so that a logger that throws loses its line instead of the server's
 * work: the release after a log line, or the selector thread itself, would otherwise go with it. What
 * the logger threw, and the line, go to System.err.
 */
final class GuardedLogger implements System.Logger {
    private final System.Logger delegate;

    GuardedLogger(System.Logger delegate) {
        this.delegate = delegate;
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        try {
            return delegate.isLoggable(level);
        } catch (RuntimeException e) {
            return true; // log() then reports the line and the failure
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        try {
            delegate.log(level, bundle, message, thrown);
        } catch (RuntimeException e) {
            lost(level, message, e);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        try {
            delegate.log(level, bundle, format, params);
        } catch (RuntimeException e) {
            lost(level, format, e);
        }
    }

    private void lost(Level level, String message, RuntimeException failure) {
        System.err.println("ossl-tickets: the server's logger " + delegate.getName() + " threw " + failure
                + " on this " + level + " line: " + message);
    }
}
