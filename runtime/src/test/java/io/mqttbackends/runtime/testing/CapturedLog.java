package io.mqttbackends.runtime.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Every log record of a category and its children while open, formatted as the log would print its message and
 * exception, for tests that assert what a log line says or never says. The tests run under the JBoss LogManager
 * (the parent pom sets it), as the application does, so this sees what the application logs.
 */
public final class CapturedLog implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            StringBuilder line = new StringBuilder(record.getLevel() + " " + record.getLoggerName() + " " + message);
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append("\n  caused by ").append(t);
            }
            lines.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLog(String category) {
        logger = Logger.getLogger(category);
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Starts capturing {@code category} (e.g. {@code io.mqttbackends}) and everything below it. */
    public static CapturedLog of(String category) {
        return new CapturedLog(category);
    }

    /** Every line captured so far, one string each, joined by newlines. */
    public String text() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
