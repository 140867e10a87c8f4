package io.mqttbackends.model.conf;

/** One problem found in the configuration, at a location. */
public record ConfigError(ConfigLocation location, String message) {
    @Override
    public String toString() {
        return location + ": " + message;
    }
}
