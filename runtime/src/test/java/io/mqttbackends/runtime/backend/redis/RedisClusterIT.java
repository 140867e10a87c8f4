package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.testing.PoolRuns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.testing.RedisServer;
import io.mqttbackends.runtime.testing.TestRedis;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Redis Cluster of three private masters on loopback: the keys of one event hash to different slots and
 * nodes, so each command must reach its own node.
 */
class RedisClusterIT extends RedisTestSupport {
    private static final String TOPIC = "cluster/t";

    static List<RedisServer> nodes;

    @BeforeAll
    static void startCluster() {
        nodes = RedisServer.cluster(3);
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(RedisServer::close);
    }

    @Test
    void functionsAndCommandsWorkAcrossSlotsOfAClusterPool() {
        BackendPool<?> cluster = backend.open(poolConfig(Map.of("type", "cluster", "database", "0",
                "server", "127.0.0.1:" + nodes.get(0).port() + ",127.0.0.1:" + nodes.get(1).port())), context);
        try (TestRedis read = TestRedis.cluster(nodes.get(2).port())) {
            run(cluster, "on_client_connected", HookPoint.CLIENT_CONNECTED, new ClientConnected(client("cc", 7)));
            assertThat(read.hash("mqtt:client:cc")).containsEntry("state", "1");
            assertThat(read.hash("mqtt:node:" + NODE)).containsEntry("cc", "7");

            for (int i = 0; i < 3; i++) {
                Message m = message("k" + (3 - i), TOPIC, 1, false, "p" + i, 1000 + i);
                run(cluster, "on_message_publish", HookPoint.MESSAGE_PUBLISH, publish(m));
            }
            assertThat(read.zrange("mqtt:msg:" + TOPIC)).containsExactly("k3", "k2", "k1");
            assertThat(List.of("mqtt:msg:" + TOPIC, "mqtt:msg:k1", "mqtt:msg:k2", "mqtt:msg:k3").stream()
                    .map(k -> read.command("CLUSTER", "KEYSLOT", k).toInteger()).distinct().count())
                    .as("one event's keys live in different slots").isGreaterThan(1);
            assertThat(read.ttl("mqtt:msg:k1")).isPositive();

            ActionOutcome outcome = run(cluster, "on_message_fetch_for_queue", HookPoint.SESSION_SUBSCRIBED,
                    subscribed("s", TOPIC));
            assertThat(((ActionOutcome.Deliver) outcome).messages()).extracting(StoredMessage::msgid)
                    .containsExactly("k3", "k2", "k1");

            run(cluster, "on_message_acked_for_pubsub", HookPoint.MESSAGE_ACKED,
                    acked("s", message("k2", TOPIC, 1, false, "p1", 1001)));
            assertThat(read.string("mqtt:acked:s:" + TOPIC)).contains("k2");

            PoolRuns.run(cluster, commandsHook(HookPoint.CLIENT_CONNECTED, true, "SET a:${clientid} 1",
                    "SET b:${clientid} 2", "SET c:${clientid} 3"), new ClientConnected(client("cc", 8)))
                    .await().atMost(WAIT);
            assertThat(List.of(read.string("a:cc"), read.string("b:cc"), read.string("c:cc")))
                    .extracting(o -> o.orElse(null)).containsExactly("1", "2", "3");
        } finally {
            cluster.close().await().atMost(WAIT);
        }
    }

    private static ActionOutcome run(BackendPool<?> pool, String function, HookPoint hookPoint,
            io.mqttbackends.runtime.event.Event event) {
        return PoolRuns.run(pool, functionHook(hookPoint, function, OptionalInt.empty()), event).await().atMost(WAIT);
    }
}
