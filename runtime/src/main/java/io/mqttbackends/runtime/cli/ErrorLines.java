package io.mqttbackends.runtime.cli;

import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigLocation;
import java.io.PrintStream;
import java.util.List;

/**
 * Configuration errors as compilers print them, one per line: {@code file:line: key: message}, where a directory
 * or file level error has no line and no key ({@code dir: message}). Messages never hold a secret value
 * ({@link io.mqttbackends.model.conf.Redaction}).
 */
final class ErrorLines {
    private ErrorLines() {
    }

    static String format(ConfigError error) {
        ConfigLocation at = error.location();
        StringBuilder line = new StringBuilder(String.valueOf(at.file()));
        if (at.line() > 0) {
            line.append(':').append(at.line());
        }
        line.append(": ");
        if (!at.key().isEmpty()) {
            line.append(at.key()).append(": ");
        }
        return line.append(error.message()).toString();
    }

    static void print(List<ConfigError> errors, PrintStream out) {
        errors.forEach(e -> out.println(format(e)));
    }

    /** "1 error", "2 errors". */
    static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
