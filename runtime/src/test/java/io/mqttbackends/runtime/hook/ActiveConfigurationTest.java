package io.mqttbackends.runtime.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.vertx.mutiny.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a conf directory into running pools and a hook table, and what makes a load fail. */
class ActiveConfigurationTest {
    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ActiveConfiguration configuration;

    @TempDir
    Path confDir;

    @AfterEach
    void close() {
        if (configuration != null) {
            configuration.close();
        }
        vertx.closeAndAwait();
    }

    private ActiveConfiguration configuration(Path dir) {
        var config = TestConfigs.runtimeConfig(Map.of("conf-dir", dir.toString()));
        configuration = TestActiveConfiguration.create(config, vertx, registry);
        return configuration;
    }

    @Test
    void theLocalRunConfLoadsWithItsHooksInConfOrder() {
        ActiveConfiguration.Loaded loaded = configuration(Path.of("../deploy/local/conf")).load();
        assertThat(loaded.pools()).containsOnlyKeys("pgsql.pool1");
        assertThat(loaded.table().size()).isEqualTo(9);
        assertThat(loaded.config().hooks().stream().filter(h -> h.hookPoint() == HookPoint.MESSAGE_PUBLISH)
                .map(h -> h.actionName()).toList())
                .containsExactly("on_message_publish", "on_message_retain", "on_retain_delete");
        assertThat(registry.get("mqttbackends.config.loads").tag("outcome", "success").functionCounter().count()).isEqualTo(1);
    }

    @Test
    void aPoolOfADatabaseWithoutABackendInThisBuildFailsTheLoadNamingItsLine() throws IOException {
        Files.writeString(confDir.resolve("emqx_backend_mysql.conf"), """
                backend.mysql.pool1.server = 127.0.0.1:3306
                backend.mysql.hook.client.connected.1 = {"action": {"function": "on_client_connected"}, "pool": "pool1"}
                """);
        assertThatThrownBy(() -> configuration(confDir).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("emqx_backend_mysql.conf:1")
                .hasMessageContaining("no backend for database 'mysql' in this build");
        assertThat(registry.get("mqttbackends.config.loads").tag("outcome", "failure").functionCounter().count()).isEqualTo(1);
    }

    @Test
    void subscribeLookupIsRejectedWithMqttBrokerControlSayingWhy() throws IOException {
        Files.writeString(confDir.resolve("pg.conf"), """
                backend.pgsql.pool1.server = 127.0.0.1:5432
                backend.pgsql.hook.client.connected.2 = {"action": {"function": "on_subscribe_lookup"}, "pool": "pool1"}
                """);
        assertThatThrownBy(() -> configuration(confDir).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pg.conf:2")
                .hasMessageContaining("broker-control.type=emqx");
    }
}
