package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.testing.PoolRuns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigChecks;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.vertx.mutiny.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * EMQX's own {@code emqx_backend_mysql.conf}, unchanged, loads against this build and compiles every hook; so does
 * the local run's MariaDB conf.
 */
class MysqlDefaultConfTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void emqxDefaultMysqlConfPassesTheRuntimeChecksAndEveryHookCompilesSplittingWritesFromReplies()
            throws Exception {
        Path file = EmqxDefaultConf.path(DatabaseKind.MYSQL);
        BackendsConfig cfg = ConfLoader.parse(List.of(new ConfFile(file, Files.readString(file))));
        Backends backends = new Backends(List.of(new PgsqlBackend(vertx), new MysqlBackend(vertx)));

        assertThat(ConfigChecks.againstRuntime(cfg, backends.available(), true)).isEmpty();

        PoolConfig poolConfig = cfg.pool(DatabaseKind.MYSQL, "pool1").orElseThrow();
        BackendPool<?> pool = backends.forKind(DatabaseKind.MYSQL).orElseThrow().open(poolConfig, PoolRuns.context());
        try {
            Map<String, Boolean> pureWrite = cfg.hooks().stream().collect(Collectors.toMap(
                    HookConfig::actionName, h -> pool.prepare(h) instanceof PoolAction.Write, (a, b) -> a));
            assertThat(pureWrite).containsOnly(
                    Map.entry("on_client_connected", true), Map.entry("on_subscribe_lookup", false),
                    Map.entry("on_client_disconnected", true), Map.entry("on_message_fetch", false),
                    Map.entry("on_retain_lookup", false), Map.entry("sql", true),
                    Map.entry("on_message_publish", true), Map.entry("on_message_retain", true),
                    Map.entry("on_retain_delete", true), Map.entry("on_message_acked", true));
        } finally {
            pool.close().await().indefinitely();
        }
    }

    @Test
    void theLocalMysqlRunConfLoadsWithMqttBrokerControl() {
        BackendsConfig cfg = ConfLoader.load(List.of(Path.of("../deploy/local/conf-mysql")));
        Backends backends = new Backends(List.of(new MysqlBackend(vertx)));

        assertThat(ConfigChecks.againstRuntime(cfg, backends.available(), false)).isEmpty();
        assertThat(cfg.pool(DatabaseKind.MYSQL, "pool1").orElseThrow().boolValue("schema.init")).isTrue();
        assertThat(cfg.hooks()).hasSize(9);
    }
}
