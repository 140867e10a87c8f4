package io.mqttbackends.runtime.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.mqttbackends.runtime.testing.RedisServer;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestRedis;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The private Redis stopped and started again in the middle of a run: readiness reports it, events published while
 * it is down wait unacked in the broker, and afterwards every message is stored exactly once, the earlier ones kept.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisE2eResource.class, restrictToAnnotatedClass = true)
class RedisRestartIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    RedisServer server;

    @Test
    void messagesPublishedWhileRedisIsDownAreAllStoredAfterItRestarts() {
        String topic = "redis-e2e/restart/" + UUID.randomUUID().toString().substring(0, 8);
        try (TestMqtt mqtt = new TestMqtt("redis-e2e-restart")) {
            for (int i = 0; i < 20; i++) {
                mqtt.publish(topic, "before-" + i, 1, false);
            }
            try (TestRedis redis = new TestRedis(server.port(), 0)) {
                await().atMost(WAIT).until(() -> redis.zrange("mqtt:msg:" + topic).size() == 20);
            }

            server.down();
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("\"pool redis.pool1\": \"down\"")));
            for (int i = 0; i < 20; i++) {
                mqtt.publish(topic, "during-" + i, 1, false);
            }
            server.up();

            try (TestRedis redis = new TestRedis(server.port(), 0)) {
                await().atMost(WAIT).until(() -> redis.zrange("mqtt:msg:" + topic).size() == 40);
                List<String> ids = redis.zrange("mqtt:msg:" + topic);
                Set<String> payloads = new HashSet<>();
                for (String id : ids) {
                    payloads.add(redis.hash("mqtt:msg:" + id).get("payload"));
                }
                assertThat(payloads).hasSize(40);
                assertThat(payloads).contains("before-0", "before-19", "during-0", "during-19");
            }
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        }
    }
}
