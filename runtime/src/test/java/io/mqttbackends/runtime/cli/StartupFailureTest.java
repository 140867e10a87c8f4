package io.mqttbackends.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.ConfigLocation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupFailureTest {

    private static String printed(Throwable failure) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StartupFailure.print(failure, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void confErrorsWrappedByTheStartArePrintedOnePerLineAndADirectoryErrorHasNoLineOrKey() {
        ConfigException conf = new ConfigException(List.of(
                new ConfigError(new ConfigLocation(Path.of("/conf"), 0, ""), "conf directory /conf has no *.conf file"),
                new ConfigError(new ConfigLocation(Path.of("/conf/a.conf"), 7, "backend.pgsql.p.ssl"), "not a boolean")));

        String out = printed(new RuntimeException("Failed to start quarkus", new IllegalStateException(conf)));

        assertThat(out).isEqualTo("""
                mqtt-backends did not start: the conf directories hold 2 errors:
                /conf: conf directory /conf has no *.conf file
                /conf/a.conf:7: backend.pgsql.p.ssl: not a boolean
                """);
    }

    @Test
    void aSettingTheRuntimeRefusesIsOneLine() {
        String out = printed(new RuntimeException("Failed to start quarkus", new IllegalArgumentException(
                "mqttbackends.mqtt.maximum-packet-size must be between 1 and 268435460")));

        assertThat(out).isEqualTo("mqtt-backends did not start: mqttbackends.mqtt.maximum-packet-size must be between 1"
                + " and 268435460\n");
    }
}
