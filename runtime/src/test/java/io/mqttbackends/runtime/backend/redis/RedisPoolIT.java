package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.PoolTls;

import io.mqttbackends.runtime.testing.PoolRuns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.HookPoint;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RedisPoolIT extends RedisTestSupport {

    @Test
    void kindIsRedisAndPingAnswersOnARunningServer() {
        assertThat(backend.kind()).isEqualTo(DatabaseKind.REDIS);
        assertThatCode(() -> pool.ping().await().atMost(WAIT)).doesNotThrowAnyException();
        assertThatCode(() -> pool.initSchema().await().atMost(WAIT)).doesNotThrowAnyException();
    }

    @Test
    void thePoolWritesIntoItsConfiguredDatabaseOnly() {
        run(HookPoint.CLIENT_CONNECTED, "on_client_connected", new ClientConnected(client("db-probe", 1)));
        assertThat(redis.exists("mqtt:client:db-probe")).isTrue();
        // The same server's database 0, where a pool ignoring its database key would have written.
        try (var db0 = new io.mqttbackends.runtime.testing.TestRedis(classDatabase.server().port(), 0)) {
            assertThat(db0.exists("mqtt:client:db-probe")).isFalse();
        }
    }

    @Test
    void openingAPoolOnAnUnreachableServerDoesNotFailAndItsFailuresAreTransient() {
        BackendPool<?> down = backend.open(poolConfig(Map.of("server", "127.0.0.1:1")), context);
        try {
            assertThatThrownBy(() -> down.ping().await().atMost(WAIT))
                    .satisfies(e -> assertThat(down.classify(e)).as("refused: %s", e).isEqualTo(FailureClass.UNAVAILABLE));
            assertThatThrownBy(() -> PoolRuns.run(down, functionHook(HookPoint.CLIENT_CONNECTED, "on_client_connected",
                    OptionalInt.empty()), new ClientConnected(client("c", 1))).await().atMost(WAIT))
                    .satisfies(e -> assertThat(down.classify(e)).as("refused: %s", e).isEqualTo(FailureClass.UNAVAILABLE));
        } finally {
            down.close().await().atMost(WAIT);
        }
    }

    @Test
    void singleSentinelAndClusterTypesMapToTheClientOptions() {
        RedisOptions single = options(Map.of("server", "redis.local", "password", "pw",
                "pool_size", "3"));
        assertThat(single.getType()).isEqualTo(RedisClientType.STANDALONE);
        assertThat(single.getEndpoints()).containsExactly("redis://redis.local:6379/9");
        assertThat(single.getPassword()).isEqualTo("pw");
        assertThat(single.getMaxPoolSize()).isEqualTo(3);

        RedisOptions sentinel = options(Map.of("type", "sentinel", "sentinel", "mymaster",
                "server", "10.0.0.1:26379,10.0.0.2:26380", "database", "2"));
        assertThat(sentinel.getType()).isEqualTo(RedisClientType.SENTINEL);
        assertThat(sentinel.getMasterName()).isEqualTo("mymaster");
        assertThat(sentinel.getRole()).isEqualTo(RedisRole.MASTER);
        assertThat(sentinel.getEndpoints()).containsExactly("redis://10.0.0.1:26379/2", "redis://10.0.0.2:26380/2");

        RedisOptions cluster = options(Map.of("type", "cluster", "database", "0",
                "server", "10.0.0.1:7000, 10.0.0.2:7001,[::1]", "ssl", "on"));
        assertThat(cluster.getType()).isEqualTo(RedisClientType.CLUSTER);
        assertThat(cluster.getEndpoints()).containsExactly("rediss://10.0.0.1:7000", "rediss://10.0.0.2:7001",
                "rediss://[::1]:6379");
        assertThat(cluster.getNetClientOptions().isSsl()).isTrue();
    }

    private RedisOptions options(Map<String, String> keys) {
        PoolConfig config = poolConfig(keys);
        return RedisBackend.options(config, vertx.getDelegate(), new PoolTls.FailureLog(config, "server", 6379));
    }

    @Test
    void settingsRedisCannotUseAreConfigErrorsAtTheirKey() {
        Map<String, String>[] bad = new Map[] {
                Map.of("type", "cluster", "database", "3"),
                Map.of("ssl", "on", "cafile", "/no/such/ca.pem"),
                Map.of("ssl", "on", "certfile", "/etc/hostname")};
        // A key left unwritten (the missing keyfile) is reported at the pool's first line. (A server list with type
        // single is the loader's error: ConfLoaderTest.)
        String[] keys = {"database", "cafile", "server"};
        String[] messages = {"only database 0", "cannot read cafile", "keyfile is missing"};
        for (int i = 0; i < bad.length; i++) {
            String key = keys[i];
            Map<String, String> settings = bad[i];
            assertThatThrownBy(() -> backend.open(poolConfig(settings), context))
                    .as("%s", settings)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(messages[i])
                    .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location().key())
                            .isEqualTo("backend.redis.pool1." + key));
        }
    }

    @Test
    void anUnreachableSentinelOrClusterFailsEachActionWithATransientError() {
        for (Map<String, String> settings : new Map[] {
                Map.of("type", "sentinel", "sentinel", "mymaster", "server", "127.0.0.1:1"),
                Map.of("type", "cluster", "database", "0", "server", "127.0.0.1:1")}) {
            BackendPool<?> down = backend.open(poolConfig(settings), context);
            try {
                assertThatThrownBy(() -> down.ping().await().atMost(WAIT))
                        .as("%s", settings)
                        .satisfies(e -> assertThat(down.classify(e)).as("%s: %s", settings, e).isEqualTo(FailureClass.UNAVAILABLE));
            } finally {
                down.close().await().atMost(WAIT);
            }
        }
    }
}
