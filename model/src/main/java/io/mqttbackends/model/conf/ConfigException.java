package io.mqttbackends.model.conf;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration cannot be used; carries every error found, not just the first. */
public class ConfigException extends RuntimeException {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString)
                .collect(Collectors.joining("\n  ", "invalid backend configuration:\n  ", "")));
        this.errors = List.copyOf(errors);
    }

    public ConfigException(ConfigLocation location, String message) {
        this(List.of(new ConfigError(location, message)));
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
