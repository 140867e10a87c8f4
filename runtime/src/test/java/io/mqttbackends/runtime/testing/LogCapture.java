package io.mqttbackends.runtime.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what is logged under a logger name in this JVM (JBoss Logging goes through the JBoss LogManager, a
 * {@code java.util.logging} implementation, in tests as in the application) until closed.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    /** One record: its level and its formatted message. */
    public record Line(Level level, String message) {
    }

    private final Logger logger;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Captures {@code name} and the loggers under it ({@code ""} for everything). */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Every captured message, one per line. */
    public String text() {
        StringBuilder all = new StringBuilder();
        lines.forEach(line -> all.append(line.level()).append(' ').append(line.message()).append('\n'));
        return all.toString();
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        try {
            if (record.getParameters() != null && record.getParameters().length > 0) {
                message = String.format(message, record.getParameters());
            }
        } catch (RuntimeException e) {
            // a message in another format style: keep it as written
        }
        lines.add(new Line(record.getLevel(), message));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
