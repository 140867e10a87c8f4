package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mqttbackends.model.conf.ActionSpec.Language;
import io.mqttbackends.model.HookPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conf files EMQX 4.x shipped load unchanged, meaning what they meant to EMQX. */
class EmqxDefaultConfTest {

    private static BackendsConfig load(String db) throws Exception {
        Path file = Confs.defaultsDir().resolve("emqx_backend_" + db + ".conf");
        return ConfLoader.parse(List.of(new ConfFile(file, Files.readString(file))));
    }

    private static HookConfig hook(BackendsConfig cfg, HookPoint point, String suffix) {
        return cfg.hooks().stream().filter(h -> h.hookPoint() == point && h.suffix().equals(suffix))
                .findFirst().orElseThrow();
    }

    @Test
    void mysqlDefaultConfLoadsWithUserKeyAndSqlArray() throws Exception {
        BackendsConfig cfg = load("mysql");

        PoolConfig pool = cfg.pool(DatabaseKind.MYSQL, "pool1").orElseThrow();
        assertThat(pool.get("user")).isEqualTo("root");
        assertThat(pool.get("database")).isEqualTo("mqtt");
        assertThat(cfg.hooks()).hasSize(10).allMatch(h -> h.kind() == DatabaseKind.MYSQL && h.pool().equals("pool1"));
        assertThat(hook(cfg, HookPoint.SESSION_UNSUBSCRIBED, "1").action()).isEqualTo(new ActionSpec.Statements(
                Language.SQL, List.of("delete from mqtt_acked where clientid = ${clientid} and topic = ${topic}"),
                false));
    }

    @Test
    void pgsqlDefaultConfLoadsWithSingleStringSqlAsOneStatement() throws Exception {
        BackendsConfig cfg = load("pgsql");

        PoolConfig pool = cfg.pool(DatabaseKind.PGSQL, "pool1").orElseThrow();
        assertThat(pool.get("username")).isEqualTo("root");
        assertThat(pool.boolValue("ssl")).isFalse();
        assertThat(cfg.hooks()).hasSize(10);
        assertThat(hook(cfg, HookPoint.SESSION_UNSUBSCRIBED, "1").action()).isEqualTo(new ActionSpec.Statements(
                Language.SQL, List.of("delete from mqtt_acked where clientid = ${clientid} and topic = ${topic}"),
                false));
        HookConfig fetch = hook(cfg, HookPoint.SESSION_SUBSCRIBED, "1");
        assertThat(fetch.actionName()).isEqualTo("on_message_fetch");
        assertThat(fetch.topicFilter()).contains("#");
        assertThat(fetch.offlineOpts().maxReturnedCount()).hasValue(500);
        assertThat(fetch.offlineOpts().timeRange()).contains(Duration.ofHours(2));
        assertThat(hook(cfg, HookPoint.MESSAGE_PUBLISH, "1").offlineOpts()).isEqualTo(OfflineOpts.NONE);
    }

    @Test
    void redisDefaultConfLoadsWithQueueAndPubsubFunctionsAndExpiredTime() throws Exception {
        BackendsConfig cfg = load("redis");

        PoolConfig pool = cfg.pool(DatabaseKind.REDIS, "pool1").orElseThrow();
        assertThat(pool.get("type")).isEqualTo("single");
        assertThat(pool.get("channel")).isEqualTo("mqtt_channel");
        assertThat(cfg.hooks()).hasSize(12);
        assertThat(hook(cfg, HookPoint.SESSION_SUBSCRIBED, "1").actionName()).isEqualTo("on_message_fetch_for_queue");
        assertThat(hook(cfg, HookPoint.SESSION_SUBSCRIBED, "1").topicFilter()).contains("queue/#");
        assertThat(hook(cfg, HookPoint.SESSION_SUBSCRIBED, "3").topicFilter()).isEmpty();
        assertThat(hook(cfg, HookPoint.MESSAGE_PUBLISH, "1").expiredTime()).hasValue(3600);
        assertThat(hook(cfg, HookPoint.MESSAGE_PUBLISH, "3").expiredTime()).isEmpty();
        assertThat(hook(cfg, HookPoint.SESSION_UNSUBSCRIBED, "1").action()).isEqualTo(new ActionSpec.Statements(
                Language.COMMANDS, List.of("DEL mqtt:acked:${clientid}:${topic}"), false));
    }

    @Test
    void mongoDefaultConfLoadsWithAckedDeleteFunction() throws Exception {
        BackendsConfig cfg = load("mongo");

        PoolConfig pool = cfg.pool(DatabaseKind.MONGO, "pool1").orElseThrow();
        assertThat(pool.get("c_pool_size")).isEqualTo("8");
        assertThat(pool.get("auth_source")).isEqualTo("admin");
        assertThat(cfg.hooks()).hasSize(10);
        assertThat(hook(cfg, HookPoint.SESSION_UNSUBSCRIBED, "1").action())
                .isEqualTo(new ActionSpec.Function("on_acked_delete"));
        assertThat(hook(cfg, HookPoint.SESSION_SUBSCRIBED, "1").offlineOpts().timeRange())
                .contains(Duration.ofHours(2));
    }

    @Test
    void cassandraDefaultConfLoadsWithEcqlPoolAndSubscriptionLookup() throws Exception {
        BackendsConfig cfg = load("cassa");

        PoolConfig pool = cfg.pool(DatabaseKind.CASSANDRA, "pool1").orElseThrow();
        assertThat(pool.get("nodes")).isEqualTo("127.0.0.1:9042");
        assertThat(pool.get("username")).isEqualTo("cassandra");
        assertThat(cfg.hooks()).hasSize(10).allMatch(h -> h.kind() == DatabaseKind.CASSANDRA);
        assertThat(hook(cfg, HookPoint.CLIENT_CONNECTED, "2").actionName()).isEqualTo("on_subscription_lookup");
        assertThat(hook(cfg, HookPoint.SESSION_UNSUBSCRIBED, "1").action()).isEqualTo(new ActionSpec.Statements(
                Language.CQL, List.of("delete from acked where clientid = ${clientid} and topic = ${topic}"), false));
    }

    @Test
    void allFiveDefaultConfsLoadTogetherFromOneDirectory() {
        BackendsConfig cfg = ConfLoader.load(List.of(Confs.defaultsDir()));

        assertThat(cfg.pools()).extracting(PoolConfig::kind, PoolConfig::name).containsExactly(
                tuple(DatabaseKind.CASSANDRA, "pool1"), tuple(DatabaseKind.MONGO, "pool1"),
                tuple(DatabaseKind.MYSQL, "pool1"), tuple(DatabaseKind.PGSQL, "pool1"),
                tuple(DatabaseKind.REDIS, "pool1"));
        assertThat(cfg.hooks()).hasSize(52);
    }
}
