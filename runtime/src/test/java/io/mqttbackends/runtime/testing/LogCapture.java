package io.mqttbackends.runtime.testing;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * What is logged under one logger name in this JVM, and the loggers under it, until closed. JBoss Logging goes
 * through the JBoss LogManager (a {@code java.util.logging} implementation) in tests as in the application, so the
 * captured records are the application's own.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    /**
     * One record: its level ({@code WARN}, {@code INFO}, ... as JBoss Logging names them), its logger, its formatted
     * message and the exception it carried with its causes ({@code ""} without one).
     */
    public record Line(Level level, String category, String message, String thrown) {
        /** As the console prints it, without date and thread: {@code WARN  [category] message}. */
        @Override
        public String toString() {
            return String.format("%-5s [%s] %s", level.getName(), category, message);
        }
    }

    private final Logger logger;
    private final List<Line> records = new CopyOnWriteArrayList<>();

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Captures everything the runtime ({@code io.mqttbackends}) logs. */
    public LogCapture() {
        this("io.mqttbackends");
    }

    /** Captures {@code name} and the loggers under it ({@code ""} for everything). */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** Captures what {@code category} logs. */
    public static LogCapture of(Class<?> category) {
        return new LogCapture(category.getName());
    }

    public List<Line> records() {
        return List.copyOf(records);
    }

    /** The messages of one level ({@code WARN}, {@code INFO}, ...). */
    public List<String> at(String level) {
        return records.stream().filter(line -> line.level().getName().equals(level)).map(Line::message).toList();
    }

    /**
     * Everything captured, one record per line as the console prints it, each followed by the exception it carried
     * and its causes: for tests that assert what the log never says.
     */
    public String text() {
        StringBuilder all = new StringBuilder();
        records.forEach(line -> all.append(line).append('\n').append(line.thrown()));
        return all.toString();
    }

    /**
     * The records' lines without their exceptions, split the way a log file or a log collector splits them: a
     * message with a line break in it counts as two lines.
     */
    public List<String> lines() {
        StringBuilder all = new StringBuilder();
        records.forEach(line -> all.append(line).append('\n'));
        return Arrays.stream(all.toString().split("\\R")).filter(line -> !line.isEmpty()).toList();
    }

    @Override
    public void publish(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        StringBuilder thrown = new StringBuilder();
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            thrown.append("  caused by ").append(t).append('\n');
        }
        records.add(new Line(record.getLevel(), record.getLoggerName(), message, thrown.toString()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
