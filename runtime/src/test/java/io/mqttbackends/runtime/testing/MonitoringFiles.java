package io.mqttbackends.runtime.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped monitoring files under {@code deploy/monitoring/}, from the runtime module's directory. */
public final class MonitoringFiles {
    private static final Path DIR = Path.of("../deploy/monitoring").toAbsolutePath().normalize();
    /** The plain Prometheus rules file. */
    public static final Path RULES = existing(DIR.resolve("prometheus/mqttbackends-rules.yaml"));
    /** The {@code promtool test rules} unit tests of {@link #RULES}. */
    public static final Path RULES_TEST = existing(DIR.resolve("prometheus/mqttbackends-rules.test.yaml"));
    /** The Grafana dashboard. */
    public static final Path DASHBOARD = existing(DIR.resolve("grafana/mqttbackends.json"));

    private MonitoringFiles() {
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing (tests run from the runtime module's directory)");
        }
        return file;
    }
}
