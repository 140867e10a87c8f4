package io.mqttbackends.runtime.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The log lines of one category while it is open, as the application logs them (the tests run with the JBoss log
 * manager, which Quarkus uses). Close it to detach.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    /** A captured line: its level name ({@code WARN}, {@code INFO}, ...) and its formatted text. */
    public record Line(String level, String text) {
        @Override
        public String toString() {
            return level + " " + text;
        }
    }

    private final Logger logger;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private LogCapture(String category) {
        this.logger = Logger.getLogger(category);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Captures what {@code category} (a class's name, or a package's for everything under it) logs from now on. */
    public static LogCapture of(Class<?> category) {
        return new LogCapture(category.getName());
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The captured lines of one level ({@code WARN}, {@code INFO}, ...). */
    public List<String> at(String level) {
        return lines.stream().filter(l -> l.level().equals(level)).map(Line::text).toList();
    }

    @Override
    public void publish(LogRecord record) {
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        lines.add(new Line(record.getLevel().getName(), text));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
