package io.mqttbackends.model.conf;

import java.nio.file.Path;

/**
 * The text of one conf file, with the path errors should name. Lets the operator and tests hand in content that never
 * touched a disk.
 */
public record ConfFile(Path path, String content) {

    /** The path only: the content may be a credentials file. */
    @Override
    public String toString() {
        return "ConfFile[" + path + "]";
    }
}
