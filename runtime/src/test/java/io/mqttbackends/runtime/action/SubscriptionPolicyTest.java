package io.mqttbackends.runtime.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.broker.DeadLetters;
import io.mqttbackends.runtime.broker.EmqxBrokerControl;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Server-side subscriptions, whichever backend or channel asked for them, are checked before they reach the broker
 * (a real HTTP endpoint stands in for the EMQX API and records what reached it).
 */
class SubscriptionPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx = Vertx.vertx();
    private final RecordingHttpServer emqx = new RecordingHttpServer();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        emqx.close();
        vertx.closeAndAwait();
    }

    private void reachBack(Map<String, String> settings, ActionOutcome outcome) {
        RuntimeConfig config = TestConfigs.runtimeConfig(settings);
        EmqxBrokerControl broker = new EmqxBrokerControl(new MqttBrokerControl(new MqttIngress(config)), vertx,
                new EmqxBrokerControl.Settings(emqx.url(), "k", "s"));
        new ActionRunner(config, broker, new DeadLetters(config, new MqttIngress(config)), new RuntimeMetrics(registry))
                .reachBack(outcome).await().atMost(Duration.ofSeconds(10));
    }

    private static ActionOutcome subscribe(String clientid) {
        return new ActionOutcome.SubscribeClient(clientid, List.of(
                new Subscription("#", 1), new Subscription("$SYS/#", 0), new Subscription("cmd/c1", 1),
                new Subscription("cfg/c1", 5), new Subscription("a/#/b", 1), new Subscription("+/#", 1),
                new Subscription("$share/g/#", 1), new Subscription("$share/g/grp/+", 2)));
    }

    private List<String> subscribedTopics() throws Exception {
        assertThat(emqx.requests()).singleElement().satisfies(r -> assertThat(r.path())
                .isEqualTo("/api/v5/clients/c1/subscribe/bulk"));
        List<String> topics = new ArrayList<>();
        for (JsonNode n : JSON.readTree(emqx.requests().get(0).body())) {
            topics.add(n.get("topic").asText() + "@" + n.get("qos").asInt());
        }
        return topics;
    }

    private double refused(String reason) {
        return registry.counter("mqttbackends.subscriptions.refused", "reason", reason).count();
    }

    @Test
    void filtersMatchingEverythingSystemTopicsBadFiltersAndBadQosAreRefusedTheRestSubscribed() throws Exception {
        try (LogCapture log = new LogCapture()) {
            reachBack(Map.of(), subscribe("c1"));

            assertThat(subscribedTopics()).containsExactly("cmd/c1@1", "$share/g/grp/+@2");
            assertThat(refused("matches-everything")).isEqualTo(3);
            assertThat(refused("system-topic")).isEqualTo(1);
            assertThat(refused("bad-qos")).isEqualTo(1);
            assertThat(refused("bad-filter")).isEqualTo(1);
            assertThat(log.lines()).hasSize(6).anySatisfy(line -> assertThat(line).contains(
                    "not subscribing client 'c1' to '#' (QoS 1): the filter matches every topic; set"
                            + " mqttbackends.broker-control.allow-wildcard-subscriptions=true to allow it"))
                    .anySatisfy(line -> assertThat(line).contains("not subscribing client 'c1' to '$SYS/#' (QoS 0):"
                            + " a $-topic"))
                    .anySatisfy(line -> assertThat(line).contains("to 'cfg/c1' (QoS 5): QoS must be 0, 1 or 2"))
                    .anySatisfy(line -> assertThat(line).contains("to 'a/#/b' (QoS 1): not a valid topic filter"
                            + " (# must be the whole last level)"));
        }
    }

    @Test
    void theSettingAllowsWildcardsAndSystemTopicsButNeverBadFiltersOrQos() throws Exception {
        reachBack(Map.of("broker-control.allow-wildcard-subscriptions", "true"), subscribe("c1"));

        assertThat(subscribedTopics()).containsExactly("#@1", "$SYS/#@0", "cmd/c1@1", "+/#@1", "$share/g/#@1",
                "$share/g/grp/+@2");
        assertThat(refused("bad-qos")).isEqualTo(1);
        assertThat(refused("bad-filter")).isEqualTo(1);
    }

    @Test
    void whenEverySubscriptionIsRefusedTheBrokerIsNotCalledAndTheClientIdIsLoggedEscaped() {
        try (LogCapture log = new LogCapture()) {
            reachBack(Map.of(), new ActionOutcome.SubscribeClient("c1\nFORGED LINE", List.of(
                    new Subscription("#", 1))));

            assertThat(emqx.requests()).isEmpty();
            assertThat(log.lines()).singleElement().asString().contains("not subscribing client 'c1\\u000aFORGED"
                    + " LINE' to '#'");
        }
    }

    @Test
    void anInvalidFilterIsNotUnsubscribed() {
        reachBack(Map.of(), new ActionOutcome.UnsubscribeClient("c1", List.of("a/#/b", "cmd/c1")));

        assertThat(emqx.requests()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/api/v5/clients/c1/unsubscribe/bulk");
            assertThat(r.body()).isEqualTo("[{\"topic\":\"cmd/c1\"}]");
        });
        assertThat(refused("bad-filter")).isEqualTo(1);
    }
}
