package io.mqttbackends.runtime.testing;

import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;

/**
 * The runtime's log output as the console would print it (Quarkus's console pattern without the date and thread,
 * stack traces left out), captured from the {@code io.mqttbackends} loggers while open. Unit tests run on the JBoss
 * LogManager (the build sets {@code java.util.logging.manager}), as the application does.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger = Logger.getLogger("io.mqttbackends");
    private final PatternFormatter formatter = new PatternFormatter("%-5p [%c] %s%n");
    private final StringBuffer output = new StringBuffer();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            output.append(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogCapture() {
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Everything logged so far, as text. */
    public String text() {
        return output.toString();
    }

    /** Everything logged so far, split into lines the way a log file or a log collector splits it. */
    public List<String> lines() {
        return Arrays.stream(text().split("\\R")).filter(line -> !line.isEmpty()).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
