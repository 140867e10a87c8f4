package io.mqttbackends.runtime.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A secret runtime setting given either as a value (a property or an environment variable) or as a file (a mounted
 * Kubernetes Secret). Errors name the setting and the file, never the content.
 */
public final class SecretSetting {

    private SecretSetting() {
    }

    /**
     * The secret from {@code value} or from {@code file}; empty when neither is set.
     *
     * @throws IllegalStateException when both are set, or the file cannot be read
     */
    public static Optional<String> resolve(Optional<String> value, String valueSetting, Optional<Path> file,
            String fileSetting) {
        if (value.isPresent() && file.isPresent()) {
            throw new IllegalStateException(valueSetting + " and " + fileSetting + " are both set: give one");
        }
        return file.map(path -> read(path, fileSetting)).or(() -> value);
    }

    /** The file's content as UTF-8, without one trailing line break (what {@code echo} and editors leave). */
    static String read(Path file, String setting) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (IOException | RuntimeException e) {
            // the exception's own text may quote what was read (a MalformedInputException does not, but be strict)
            throw new IllegalStateException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }
}
