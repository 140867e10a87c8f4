package io.mqttbackends.model.conf;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code *.conf} files of the conf directories, read once as bytes: what a load parses and what
 * {@link ConfHash} identifies, so the hash the runtime reports is always the hash of what it parsed.
 *
 * @param files  every conf file read, in load order
 * @param errors what could not be read (a missing directory, an unreadable file); a load of this snapshot fails
 */
public record ConfSnapshot(List<File> files, List<ConfigError> errors) {

    public ConfSnapshot {
        files = List.copyOf(files);
        errors = List.copyOf(errors);
    }

    /** One conf file as read: the path errors name, and its raw bytes. */
    public record File(Path path, byte[] content) {
    }

    /** The {@link ConfHash} of the files read. */
    public String hash() {
        return ConfHash.of(files.stream()
                .map(f -> new ConfHash.Input(f.path().getFileName().toString(), f.content()))
                .toList());
    }
}
