package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** Test helpers: conf text in, configuration or errors out. */
final class Confs {
    static final Path FILE = Path.of("/etc/mqttbackends/test.conf");

    private Confs() {
    }

    static ConfFile file(String name, String... lines) {
        return new ConfFile(Path.of("/etc/mqttbackends", name), String.join("\n", lines));
    }

    static BackendsConfig parse(String... lines) {
        return ConfLoader.parse(List.of(new ConfFile(FILE, String.join("\n", lines))));
    }

    /** The errors of a conf that must not load. */
    static List<ConfigError> errors(ConfFile... files) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfLoader.parse(List.of(files)));
        Objects.requireNonNull(e, "the conf loaded without errors");
        return e.errors();
    }

    static List<ConfigError> errors(String... lines) {
        return errors(new ConfFile(FILE, String.join("\n", lines)));
    }

    /** The directory holding EMQX's default conf of every database. */
    static Path defaultsDir() {
        try {
            return Path.of(Objects.requireNonNull(Confs.class.getResource("/conf")).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static final String PGSQL_POOL = "backend.pgsql.pool1.server = 127.0.0.1:5432";

    /** A hook line, e.g. {@code hook(PGSQL, "message.publish.1", json)}. */
    static String hook(DatabaseKind kind, String hookPointAndSuffix, String json) {
        return "backend." + kind.hookPrefix() + ".hook." + hookPointAndSuffix + " = " + json;
    }
}
