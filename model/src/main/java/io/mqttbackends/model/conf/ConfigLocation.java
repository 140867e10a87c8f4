package io.mqttbackends.model.conf;

import java.nio.file.Path;

/** Where a setting came from, so every error can name file, line and key. */
public record ConfigLocation(Path file, int line, String key) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + key;
    }
}
