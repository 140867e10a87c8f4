package io.mqttbackends.runtime.backend.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigChecks;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.vertx.mutiny.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** EMQX's own {@code emqx_backend_mongo.conf}, unchanged, loads against this build and compiles every hook. */
class MongoDefaultConfTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void emqxDefaultMongoConfPassesTheRuntimeChecksAndEveryHookCompilesSplittingWritesFromReads() throws Exception {
        Path file = EmqxDefaultConf.path(DatabaseKind.MONGO);
        BackendsConfig cfg = ConfLoader.parse(List.of(new ConfFile(file, Files.readString(file))));
        Backends backends = new Backends(List.of(new MongoBackend(vertx)));

        assertThat(ConfigChecks.againstRuntime(cfg, backends.available(), true)).isEmpty();

        PoolConfig poolConfig = cfg.pool(DatabaseKind.MONGO, "pool1").orElseThrow();
        assertThat(poolConfig.get("database")).isEqualTo("mqtt");
        BackendPool<?> pool = backends.forKind(DatabaseKind.MONGO).orElseThrow().open(poolConfig, PoolRuns.context());
        try {
            Map<String, Boolean> pureWrite = cfg.hooks().stream().collect(Collectors.toMap(
                    HookConfig::actionName, h -> pool.prepare(h) instanceof PoolAction.Write, (a, b) -> a));
            assertThat(pureWrite).containsOnly(
                    Map.entry("on_client_connected", true), Map.entry("on_subscribe_lookup", false),
                    Map.entry("on_client_disconnected", true), Map.entry("on_message_fetch", false),
                    Map.entry("on_retain_lookup", false), Map.entry("on_acked_delete", true),
                    Map.entry("on_message_publish", true), Map.entry("on_message_retain", true),
                    Map.entry("on_retain_delete", true), Map.entry("on_message_acked", true));
            assertThat(cfg.hooks()).filteredOn(h -> h.actionName().equals("on_message_fetch")).singleElement()
                    .satisfies(h -> assertThat(h.offlineOpts()).isEqualTo(new OfflineOpts(OptionalInt.of(500),
                            Optional.of(Duration.ofHours(2)))));
        } finally {
            pool.close().await().atMost(Duration.ofSeconds(10));
        }
    }
}
