package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.backend.FailureClass;

import io.mqttbackends.runtime.testing.PoolRuns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.testing.RedisServer;
import io.mqttbackends.runtime.testing.TestRedis;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A real Redis Sentinel (Debian's redis-server in sentinel mode) on loopback, monitoring a private master. */
class RedisSentinelIT extends RedisTestSupport {

    @Test
    void aSentinelPoolFindsTheMasterThroughTheSentinelAndWritesIntoItsDatabase() {
        try (RedisServer master = RedisServer.start();
                RedisServer sentinel = RedisServer.sentinel(master, "mqttbackends-master");
                TestRedis onMaster = new TestRedis(master.port(), 3)) {
            BackendPool<?> viaSentinel = backend.open(poolConfig(Map.of("type", "sentinel",
                    "sentinel", "mqttbackends-master", "server", "127.0.0.1:" + sentinel.port(), "database", "3")), context);
            try {
                PoolRuns.run(viaSentinel, functionHook(HookPoint.CLIENT_CONNECTED, "on_client_connected",
                        OptionalInt.empty()), new ClientConnected(client("through-sentinel", 42)))
                        .await().atMost(WAIT);
                assertThat(onMaster.hash("mqtt:client:through-sentinel")).containsEntry("state", "1")
                        .containsEntry("online_at", "42");
            } finally {
                viaSentinel.close().await().atMost(WAIT);
            }
        }
    }

    @Test
    void anUnknownMasterNameFailsWithAnErrorNamingIt() {
        try (RedisServer master = RedisServer.start();
                RedisServer sentinel = RedisServer.sentinel(master, "mqttbackends-master")) {
            BackendPool<?> wrong = backend.open(poolConfig(Map.of("type", "sentinel", "sentinel", "no-such-master",
                    "server", "127.0.0.1:" + sentinel.port())), context);
            try {
                assertThatThrownBy(() -> wrong.ping().await().atMost(WAIT))
                        .hasMessageContaining("redis.pool1 (master 'no-such-master' through sentinels 127.0.0.1:")
                        .satisfies(e -> assertThat(wrong.classify(e)).isEqualTo(FailureClass.UNAVAILABLE));
            } finally {
                wrong.close().await().atMost(WAIT);
            }
        }
    }
}
