package io.github.ossltickets.net;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps what it is given, for tests to read. */
final class RecordingLogger implements System.Logger {
    /** One call: level, message, and the exception if there was one. */
    record Entry(Level level, String message, Throwable thrown) {}

    final List<Entry> entries = new CopyOnWriteArrayList<>();

    @Override
    public String getName() {
        return "test";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        entries.add(new Entry(level, message, thrown));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        entries.add(new Entry(level, params == null ? format : MessageFormat.format(format, params), null));
    }
}
