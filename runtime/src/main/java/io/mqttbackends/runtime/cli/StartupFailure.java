package io.mqttbackends.runtime.cli;

import io.mqttbackends.model.conf.ConfigException;
import io.quarkus.runtime.Application;
import io.quarkus.runtime.QuarkusBindException;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.ConfigValidationException;
import java.io.PrintStream;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What the service prints when it cannot start. Handing Quarkus an exit handler takes its printing over (Quarkus
 * then logs nothing itself): an invalid conf directory prints its errors one per line, as {@code check} does, with no
 * stack trace; a setting the runtime refuses ({@link #isSettingError}), a setting Quarkus refuses and a taken port
 * print one message; anything else is logged with its stack
 * trace, as Quarkus did, since only the trace can explain it.
 */
final class StartupFailure {
    private StartupFailure() {
    }

    static void print(Throwable failure, PrintStream err) {
        Optional<ConfigException> conf = cause(failure, ConfigException.class);
        if (conf.isPresent()) {
            err.println("mqtt-backends did not start: the conf directories hold "
                    + ErrorLines.count(conf.get().errors().size(), "error") + ":");
            ErrorLines.print(conf.get().errors(), err);
            return;
        }
        Throwable root = root(failure);
        if (isSettingError(root)) {
            err.println("mqtt-backends did not start: " + root.getMessage());
            return;
        }
        if (root instanceof ConfigurationException || root instanceof ConfigValidationException
                || root instanceof QuarkusBindException) {
            err.println(root.getMessage());
            return;
        }
        Logger.getLogger(Application.class).errorv(failure, "Failed to start application");
    }

    /**
     * The runtime's own checks of its settings refuse a value with an {@link IllegalStateException} or
     * {@link IllegalArgumentException} whose message starts with the setting's name ({@code mqttbackends.mqtt...}):
     * the message says everything, a stack trace nothing more.
     */
    private static boolean isSettingError(Throwable root) {
        return (root instanceof IllegalStateException || root instanceof IllegalArgumentException)
                && root.getMessage() != null && root.getMessage().startsWith("mqttbackends.");
    }

    private static <T extends Throwable> Optional<T> cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    private static Throwable root(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
