package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.testing.PoolRuns;

import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.broker.EmqxBrokerControl;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.RedisServer;
import io.mqttbackends.runtime.testing.TestRedis;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pub/sub control channel (docs/redis.md "Control channel") checked at the broker-control boundary: JSON published
 * on the channel
 * becomes EMQX REST subscribe/unsubscribe calls, recorded by a local stand-in for the EMQX API.
 */
class RedisControlChannelIT extends RedisTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    RecordingHttpServer emqxApi;
    String channel;
    BackendPool<?> controlled;

    @BeforeEach
    void openAPoolWithEmqxBrokerControl() {
        emqxApi = new RecordingHttpServer();
        channel = "mqttbackends-test-" + UUID.randomUUID().toString().substring(0, 8);
        controlled = backend.open(poolConfig(Map.of("channel", channel)), emqxContext());
    }

    @AfterEach
    void closeChannelPool() {
        controlled.close().await().atMost(WAIT);
        emqxApi.close();
    }

    private PoolContext emqxContext() {
        return context(new EmqxBrokerControl(new MqttBrokerControl(new MqttIngress(runtimeConfig(Map.of()))),
                vertx, new EmqxBrokerControl.Settings(emqxApi.url(), "k", "s")));
    }

    @Test
    void subscribeAndUnsubscribeMessagesCallTheBrokerWithQosAsStringOrNumber() throws Exception {
        publishUntilHeard(redis, "{\"type\":\"subscribe\",\"topic\":\"cmd/c1\",\"clientid\":\"c1\",\"qos\":\"1\"}",
                "/api/v5/clients/c1/subscribe/bulk");
        redis.command("PUBLISH", channel, "{\"type\":\"subscribe\",\"topic\":\"cfg/c1\",\"clientid\":\"c1\",\"qos\":2}");
        redis.command("PUBLISH", channel, "{\"type\":\"subscribe\",\"topic\":\"all\",\"clientid\":\"c1\"}");
        redis.command("PUBLISH", channel, "{\"type\":\"unsubscribe\",\"topic\":\"cmd/c1\",\"clientid\":\"c1\"}");
        await().atMost(WAIT).until(() -> emqxApi.requests().size() >= 4);

        List<RecordingHttpServer.Request> calls = emqxApi.requests();
        assertThat(calls).extracting(RecordingHttpServer.Request::path).containsSubsequence(
                "/api/v5/clients/c1/subscribe/bulk", "/api/v5/clients/c1/subscribe/bulk",
                "/api/v5/clients/c1/unsubscribe/bulk");
        assertThat(bodies(calls, "subscribe")).contains(
                "[{\"topic\":\"cmd/c1\",\"qos\":1}]", "[{\"topic\":\"cfg/c1\",\"qos\":2}]",
                "[{\"topic\":\"all\",\"qos\":0}]");
        assertThat(bodies(calls, "unsubscribe")).containsExactly("[{\"topic\":\"cmd/c1\"}]");
    }

    @Test
    void malformedMessagesAreCountedAndIgnoredAndTheChannelGoesOn() throws Exception {
        publishUntilHeard(redis, "{\"type\":\"subscribe\",\"topic\":\"first\",\"clientid\":\"c0\"}",
                "/api/v5/clients/c0/subscribe/bulk");
        for (String bad : List.of("not json", "[1]", "{\"type\":\"subscribe\",\"clientid\":\"c1\"}",
                "{\"type\":\"kick\",\"topic\":\"t\",\"clientid\":\"c1\"}",
                "{\"type\":\"subscribe\",\"topic\":\"t\",\"clientid\":\"c1\",\"qos\":7}")) {
            redis.command("PUBLISH", channel, bad);
        }
        redis.command("PUBLISH", channel, "{\"type\":\"subscribe\",\"topic\":\"after\",\"clientid\":\"c2\"}");
        await().atMost(WAIT).until(() -> emqxApi.requests().stream()
                .anyMatch(r -> r.path().equals("/api/v5/clients/c2/subscribe/bulk")));

        assertThat(emqxApi.requests()).hasSize(2);
        assertThat(rejected("not-json")).isEqualTo(2);
        assertThat(rejected("missing-field")).isEqualTo(1);
        assertThat(rejected("unknown-type")).isEqualTo(1);
        assertThat(rejected("bad-qos")).isEqualTo(1);
    }

    @Test
    void withBrokerControlMqttTheChannelIsInert() {
        BackendPool<?> inert = backend.open(poolConfig(Map.of("channel", channel + "-inert")), context);
        try {
            assertThat(redis.command("PUBSUB", "NUMSUB", channel + "-inert").get(1).toLong()).isZero();
        } finally {
            inert.close().await().atMost(WAIT);
        }
    }

    @Test
    void theChannelSubscribesAgainAfterRedisRestarts() throws Exception {
        try (RedisServer server = RedisServer.start(); TestRedis privateRedis = new TestRedis(server.port(), 0)) {
            BackendPool<?> pool = backend.open(poolConfig(Map.of("server", "127.0.0.1:" + server.port(),
                    "database", "0", "channel", channel)), emqxContext());
            try {
                publishUntilHeard(privateRedis, "{\"type\":\"subscribe\",\"topic\":\"t\",\"clientid\":\"before\"}",
                        "/api/v5/clients/before/subscribe/bulk");
                server.down();
                server.up();
                publishUntilHeard(privateRedis, "{\"type\":\"subscribe\",\"topic\":\"t\",\"clientid\":\"after\"}",
                        "/api/v5/clients/after/subscribe/bulk");
                // The data pool reconnects as well.
                PoolRuns.run(pool, functionHook(HookPoint.CLIENT_CONNECTED, "on_client_connected",
                        java.util.OptionalInt.empty()), new ClientConnected(client("after", 5)))
                        .await().atMost(WAIT);
                assertThat(privateRedis.hash("mqtt:client:after")).containsEntry("state", "1");
            } finally {
                pool.close().await().atMost(WAIT);
            }
        }
    }

    /**
     * Publishes {@code message} until a subscriber of the channel receives it (PUBLISH answers how many did): the pool
     * subscribes in the background, and pub/sub keeps nothing for a subscriber that is not there yet, so it is heard
     * exactly once. Then waits for the EMQX call it causes.
     */
    private void publishUntilHeard(TestRedis on, String message, String path) {
        await().atMost(WAIT).until(() -> on.command("PUBLISH", channel, message).toLong() > 0);
        await().atMost(WAIT).until(() -> emqxApi.requests().stream().anyMatch(r -> r.path().equals(path)));
    }

    private double rejected(String reason) {
        var counter = registry.find("mqttbackends.events.rejected").tags("format", "redis-channel", "reason", reason)
                .functionCounter();
        return counter == null ? 0 : counter.count();
    }

    private static List<String> bodies(List<RecordingHttpServer.Request> calls, String operation) throws Exception {
        List<String> bodies = new java.util.ArrayList<>();
        for (RecordingHttpServer.Request r : calls) {
            if (r.path().endsWith("/" + operation + "/bulk")) {
                JsonNode body = JSON.readTree(r.body());
                bodies.add(body.toString());
            }
        }
        return bodies;
    }
}
