package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.RedisE2eResource.KEEP_LATEST_DATABASE;
import static io.mqttbackends.runtime.e2e.RedisE2eResource.RULE_PREFIX;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static io.mqttbackends.runtime.testing.TestMqtt.userProperty;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.RedisServer;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestRedis;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Any;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole runtime against real Mosquitto and a real (private) Redis, driven by EMQX's default redis hook lines:
 * real MQTT publishes for {@code raw}, and the exact JSON EMQX 5 emits for {@code emqx-rule} events.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisE2eResource.class, restrictToAnnotatedClass = true)
class RedisEndToEndIT {
    /** Generous: the first event after start waited over 20 s once on a loaded 2-core machine. */
    private static final Duration WAIT = Duration.ofSeconds(40);

    RedisServer server;
    RecordingHttpServer emqxApi;
    @RuntimeClientId
    String runtimeClientId;

    TestRedis redis;
    TestMqtt mqtt;

    @BeforeEach
    void connect() {
        redis = new TestRedis(server.port(), 0);
        mqtt = new TestMqtt("redis-e2e-publisher");
    }

    @AfterEach
    void disconnect() {
        mqtt.close();
        redis.close();
    }

    private static String uid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void connectWritesClientAndNodeHashesSubscribeLookupCallsEmqxAndDisconnectMarksOffline() {
        String client = "redis-dev-" + uid();
        redis.command("HSET", "mqtt:sub:" + client, "cmd/" + client, "1", "cfg/" + client, "2");

        mqtt.publishJson(RULE_PREFIX + "/client.connected", EmqxEvents.ruleConnected(client, "u1"));
        await().atMost(WAIT).until(() -> "1".equals(redis.hash("mqtt:client:" + client).get("state")));
        assertThat(redis.hash("mqtt:client:" + client)).containsEntry("offline_at", "undefined")
                .containsKey("online_at");
        assertThat(redis.hash("mqtt:node:" + EmqxEvents.NODE)).containsKey(client);
        await().atMost(WAIT).until(() -> calls("/api/v5/clients/" + client + "/subscribe/bulk").size() == 1);
        assertThat(calls("/api/v5/clients/" + client + "/subscribe/bulk").get(0).body())
                .contains("\"topic\":\"cmd/" + client + "\",\"qos\":1")
                .contains("\"topic\":\"cfg/" + client + "\",\"qos\":2");

        mqtt.publishJson(RULE_PREFIX + "/client.disconnected", EmqxEvents.ruleDisconnected(client, "u1", "normal"));
        await().atMost(WAIT).until(() -> "0".equals(redis.hash("mqtt:client:" + client).get("state")));
        assertThat(redis.hash("mqtt:client:" + client).get("offline_at")).matches("\\d{13}");
        assertThat(redis.hash("mqtt:node:" + EmqxEvents.NODE)).doesNotContainKey(client);
    }

    @Test
    void publishesStoreQos1MessagesWithTheirTtlAndRetainedPointersUntilAnEmptyRetainedDeletesThem() {
        String topic = "redis-e2e/raw/" + uid();
        mqtt.publish(topic, "qos0", 0, false);
        mqtt.publish(topic, "qos1", 1, false);
        await().atMost(WAIT).until(() -> redis.zrange("mqtt:msg:" + topic).size() == 1);
        String msgid = redis.zrange("mqtt:msg:" + topic).get(0);
        assertThat(msgid).matches("[0-9A-F]{32}");
        assertThat(redis.hash("mqtt:msg:" + msgid)).containsEntry("id", msgid).containsEntry("topic", topic)
                .containsEntry("qos", "1").containsEntry("payload", "qos1").containsEntry("retain", "false");
        assertThat(redis.ttl("mqtt:msg:" + msgid)).as("expired_time 3600 of EMQX's default conf")
                .isBetween(3500L, 3600L);
        long ts = Long.parseLong(redis.hash("mqtt:msg:" + msgid).get("ts"));
        assertThat(redis.zscore("mqtt:msg:" + topic, msgid)).contains((double) ts);

        String state = topic + "/state";
        mqtt.publish(state, "online", 0, true);
        await().atMost(WAIT).until(() -> redis.string("mqtt:retain:" + state).isPresent());
        String retainedId = redis.string("mqtt:retain:" + state).orElseThrow();
        assertThat(redis.ttl("mqtt:retain:" + state)).isBetween(3500L, 3600L);
        assertThat(redis.hash("mqtt:msg:" + retainedId)).containsEntry("payload", "online")
                .containsEntry("retain", "true").containsEntry("qos", "0");
        assertThat(redis.exists("mqtt:msg:" + state)).as("QoS 0 retained is not in the topic set").isFalse();

        mqtt.publish(state, "", 1, true);
        await().atMost(WAIT).until(() -> !redis.exists("mqtt:retain:" + state));
        assertThat(redis.exists("mqtt:msg:" + retainedId)).isFalse();
    }

    @Test
    void queueModeReplaysEveryStoredMessageInOrderAndAnAckDeletesItForEveryone() {
        String topic = "queue/redis-e2e/" + uid();
        for (int i = 1; i <= 3; i++) {
            mqtt.publish(topic, "q" + i, 1, false);
        }
        await().atMost(WAIT).until(() -> redis.zrange("mqtt:msg:" + topic).size() == 3);
        List<String> stored = redis.zrange("mqtt:msg:" + topic);

        List<Mqtt5Publish> replayed = subscribeAndReceive("queue-a-" + uid(), topic, 3);
        assertThat(payloads(replayed)).containsExactly("q1", "q2", "q3");
        assertThat(replayed).extracting(p -> userProperty(p, "mqttbackends-msgid")).containsExactlyElementsOf(stored);

        // The device acks the first replay: EMQX reports the replay's own id with our user properties.
        mqtt.publishJson(RULE_PREFIX + "/message.acked", EmqxEvents.ruleAcked("AA" + uid(), runtimeClientId,
                "queue-a", topic, 1, "q1", Map.of("mqttbackends-origin", runtimeClientId,
                        "mqttbackends-msgid", stored.get(0))));
        await().atMost(WAIT).until(() -> !redis.exists("mqtt:msg:" + stored.get(0)));
        assertThat(redis.zrange("mqtt:msg:" + topic)).as("the replays were not stored again")
                .containsExactly(stored.get(1), stored.get(2));

        assertThat(payloads(subscribeAndReceive("queue-b-" + uid(), topic, 2))).containsExactly("q2", "q3");
    }

    @Test
    void pubsubModeStartsAtTheNewestThenReplaysWhatFollowsTheAckedCursorAndUnsubscribeDropsIt() {
        String topic = "pubsub/redis-e2e/" + uid();
        String client = "pubsub-" + uid();
        mqtt.publish(topic, "before", 1, false);
        await().atMost(WAIT).until(() -> redis.zrange("mqtt:msg:" + topic).size() == 1);
        mqtt.publishJson(RULE_PREFIX + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> redis.string("mqtt:acked:" + client + ":" + topic)
                .equals(java.util.Optional.of(redis.zrange("mqtt:msg:" + topic).get(0))));

        for (int i = 1; i <= 4; i++) {
            mqtt.publish(topic, "p" + i, 1, false);
        }
        await().atMost(WAIT).until(() -> redis.zrange("mqtt:msg:" + topic).size() == 5);
        List<String> stored = redis.zrange("mqtt:msg:" + topic);
        mqtt.publishJson(RULE_PREFIX + "/message.acked",
                EmqxEvents.ruleAcked(stored.get(2), "", client, topic, 1, "p2", Map.of()));
        await().atMost(WAIT).until(() -> redis.string("mqtt:acked:" + client + ":" + topic)
                .equals(java.util.Optional.of(stored.get(2))));

        List<Mqtt5Publish> replayed = new ArrayList<>();
        try (TestMqtt device = new TestMqtt("redis-e2e-device")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(RULE_PREFIX + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            for (int i = 0; i < 2; i++) {
                replayed.add(device.receive(WAIT.toSeconds()).orElseThrow(() -> new AssertionError("no replay")));
            }
            assertThat(device.receive(1)).isEmpty();
        }
        assertThat(payloads(replayed)).containsExactly("p3", "p4");
        assertThat(redis.zrange("mqtt:msg:" + topic)).as("pubsub acks delete nothing").hasSize(5);

        mqtt.publishJson(RULE_PREFIX + "/session.unsubscribed", EmqxEvents.ruleUnsubscribed(client, topic));
        await().atMost(WAIT).until(() -> !redis.exists("mqtt:acked:" + client + ":" + topic));
    }

    @Test
    void retainLookupReplaysTheStoredRetainedMessageMarkedRetained() {
        String topic = "redis-e2e/retained/" + uid();
        mqtt.publish(topic, "last-state", 1, true);
        await().atMost(WAIT).until(() -> redis.string("mqtt:retain:" + topic).isPresent());
        try (TestMqtt device = new TestMqtt("redis-e2e-retained")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(RULE_PREFIX + "/session.subscribed", EmqxEvents.ruleSubscribed("ret-" + uid(), topic, 1));
            Mqtt5Publish replay = device.receiveRetainedReplay(WAIT.toSeconds());
            assertThat(new String(replay.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("last-state");
            assertThat(userProperty(replay, "mqttbackends-retained")).isEqualTo("true");
        } finally {
            mqtt.publish(topic, "", 1, true);
        }
        await().atMost(WAIT).until(() -> !redis.exists("mqtt:retain:" + topic));
    }

    @Test
    void keepLatestModeKeepsOnlyTheNewestReplaysItAndAnAckDeletesIt() {
        String topic = "latest/redis-e2e/" + uid();
        try (TestRedis latestDb = new TestRedis(server.port(), KEEP_LATEST_DATABASE)) {
            mqtt.publish(topic, "old", 1, false);
            mqtt.publish(topic, "new", 1, false);
            await().atMost(WAIT).until(() -> "new".equals(latestDb.hash("mqtt:latest_msg:" + topic).get("payload")));
            assertThat(latestDb.ttl("mqtt:latest_msg:" + topic)).isBetween(3500L, 3600L);

            List<Mqtt5Publish> replayed = subscribeAndReceive("latest-" + uid(), topic, 1);
            assertThat(payloads(replayed)).containsExactly("new");

            String id = latestDb.hash("mqtt:latest_msg:" + topic).get("id");
            mqtt.publishJson(RULE_PREFIX + "/message.acked", EmqxEvents.ruleAcked(id, "", "latest-reader", topic, 1,
                    "new", Map.of()));
            await().atMost(WAIT).until(() -> !latestDb.exists("mqtt:latest_msg:" + topic));
        }
    }

    @Test
    void theControlChannelSubscribesAndUnsubscribesClientsThroughEmqx() {
        String client = "chan-" + uid();
        String path = "/api/v5/clients/" + client + "/subscribe/bulk";
        // The runtime's pool subscribes in the background and pub/sub keeps nothing for a subscriber not there yet:
        // publish until a subscriber receives it (PUBLISH answers how many did), then wait for the call it causes.
        await().atMost(WAIT).until(() -> redis.command("PUBLISH", "mqtt_channel",
                "{\"type\":\"subscribe\",\"topic\":\"cmd/" + client + "\",\"clientid\":\"" + client + "\",\"qos\":\"1\"}")
                .toLong() > 0);
        await().atMost(WAIT).until(() -> !calls(path).isEmpty());
        assertThat(calls(path).get(0).body()).isEqualTo("[{\"topic\":\"cmd/" + client + "\",\"qos\":1}]");
        redis.command("PUBLISH", "mqtt_channel", "garbage");
        redis.command("PUBLISH", "mqtt_channel",
                "{\"type\":\"unsubscribe\",\"topic\":\"cmd/" + client + "\",\"clientid\":\"" + client + "\"}");
        await().atMost(WAIT).until(() -> calls("/api/v5/clients/" + client + "/unsubscribe/bulk").size() == 1);
        given().get("/q/metrics").then().statusCode(200).body(containsString(
                "mqttbackends_events_rejected_total{format=\"redis-channel\",reason=\"not-json\"}"));
    }

    @Test
    void metricsAndReadinessReportTheRedisPools() {
        String topic = "redis-e2e/metrics/" + uid();
        mqtt.publish(topic, "x", 1, false);
        await().atMost(WAIT).until(() -> redis.zrange("mqtt:msg:" + topic).size() == 1);
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mqttbackends_actions_seconds_count{function=\"on_message_publish\","
                        + "outcome=\"success\",pool=\"redis.pool1\"}"))
                .body(containsString("mqttbackends_pool_up{pool=\"redis.pool1\"} 1.0"))
                .body(containsString("mqttbackends_pool_up{pool=\"redis.pool2\"} 1.0")));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("\"pool redis.pool1\": \"up\""));
    }

    @Test
    void theRedisExtensionCreatesNoDefaultClient() {
        assertThat(Arc.container().select(io.vertx.redis.client.Redis.class, Any.Literal.INSTANCE).isResolvable())
                .isFalse();
        assertThat(Arc.container().select(io.vertx.mutiny.redis.client.Redis.class, Any.Literal.INSTANCE)
                .isResolvable()).isFalse();
    }

    /** A device subscribes to {@code topic}, the runtime gets its session.subscribed, and replays arrive. */
    private List<Mqtt5Publish> subscribeAndReceive(String client, String topic, int expected) {
        List<Mqtt5Publish> replayed = new ArrayList<>();
        try (TestMqtt device = new TestMqtt("redis-e2e-device")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(RULE_PREFIX + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            for (int i = 0; i < expected; i++) {
                replayed.add(device.receive(WAIT.toSeconds()).orElseThrow(() -> new AssertionError("no replay")));
            }
            assertThat(device.receive(1)).isEmpty();
        }
        assertThat(replayed).allSatisfy(p -> assertThat(userProperty(p, "mqttbackends-origin"))
                .isEqualTo(runtimeClientId));
        return replayed;
    }

    private List<RecordingHttpServer.Request> calls(String path) {
        return emqxApi.requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    private static List<String> payloads(List<Mqtt5Publish> publishes) {
        return publishes.stream().map(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).toList();
    }

}
