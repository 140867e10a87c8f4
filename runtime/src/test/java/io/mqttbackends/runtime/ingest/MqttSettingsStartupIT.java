package io.mqttbackends.runtime.ingest;

import static io.mqttbackends.runtime.ingest.TestConfigs.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.testing.FreePort;
import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Unusable broker settings stop the packaged runtime at start with an error that names the setting (and never a
 * secret): a TLS configuration name nothing defines, a certificate file that does not exist, a password file that
 * cannot be read. Needs the {@code package} phase (failsafe).
 */
class MqttSettingsStartupIT {

    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);
    private Path dir;

    @BeforeEach
    void conf() throws Exception {
        dir = Files.createTempDirectory("mqttbackends-mqtt-settings");
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/backends.conf"), String.join("\n",
                "backend.redis.pool1.server = 127.0.0.1:6379",
                "backend.redis.hook.message.publish.1 = {\"topic\": \"settings-it/none/#\", \"action\": "
                        + "{\"commands\": [\"SET settings-it ${payload}\"]}, \"pool\": \"pool1\"}",
                ""));
    }

    @AfterEach
    void cleanUp() {
        TestCertificates.deleteTree(dir);
    }

    @Test
    void aTlsConfigurationNameThatNothingDefines() {
        String log = failedStart(Map.of("mqttbackends.mqtt.tls-configuration-name", "missing"));
        assertThat(log).contains("mqttbackends.mqtt.tls-configuration-name=missing: no TLS configuration of that name");
    }

    @Test
    void aCaFileThatDoesNotExist() {
        Path missing = dir.resolve("no-such-ca.pem");
        String log = failedStart(Map.of("mqttbackends.mqtt.tls-configuration-name", "broker",
                "quarkus.tls.broker.trust-store.pem.certs", missing.toString()));
        assertThat(log).contains("broker").contains(missing.toString());
    }

    @Test
    void aPasswordFileThatCannotBeRead() {
        Path missing = dir.resolve("no-such-password");
        String log = failedStart(Map.of("mqttbackends.mqtt.password-file", missing.toString()));
        assertThat(log).contains("mqttbackends.mqtt.password-file: cannot read " + missing + " (NoSuchFileException)");
    }

    private String failedStart(Map<String, String> settings) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "mqttbackends.conf-dir", dir.resolve("conf").toString(),
                "quarkus.http.host", "127.0.0.1",
                "quarkus.http.port", String.valueOf(FreePort.find()),
                "mqttbackends.mqtt.host", "127.0.0.1",
                "mqttbackends.mqtt.client-id", "settings-it-" + unique(),
                "mqttbackends.ingest.emqx-rule.enabled", "false",
                "mqttbackends.ingest.emqx-sys.enabled", "false",
                "mqttbackends.ingest.raw.topics", "settings-it/none/#"));
        properties.putAll(settings);
        try (RuntimeProcess runtime = RuntimeProcess.start(properties, dir.resolve("runtime-" + unique() + ".log"))) {
            Optional<Integer> exit = runtime.awaitExit(EXIT_WITHIN);
            assertThat(exit).as("the runtime stops by itself; its log ends with:%n%s", runtime.logTail(30))
                    .isPresent().get().isNotEqualTo(0);
            return runtime.log();
        }
    }
}
