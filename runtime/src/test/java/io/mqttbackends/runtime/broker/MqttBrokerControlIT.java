package io.mqttbackends.runtime.broker;

import static io.mqttbackends.runtime.ingest.TestConfigs.discardSession;
import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;
import static io.mqttbackends.runtime.ingest.TestConfigs.testClient;
import static io.mqttbackends.runtime.ingest.TestConfigs.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.ingest.Inbound;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replays through the real Mosquitto 2.0 on 127.0.0.1:1883, seen by a real subscriber. */
class MqttBrokerControlIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final String id = unique();
    private final String runtimeId = "it-control-" + id;
    private final String topic = "it-control-" + id + "/devices/d1";
    private final MqttIngress ingress = new MqttIngress(runtimeConfig(Map.of(
            "mqtt.client-id", runtimeId,
            "ingest.emqx-rule.enabled", "false",
            "ingest.emqx-sys.enabled", "false",
            "ingest.raw.topics", "it-control-" + id + "/in/#")));
    private final MqttBrokerControl control = new MqttBrokerControl(ingress);
    private final List<AssertSubscriber<Inbound>> runs = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        runs.forEach(AssertSubscriber::cancel);
        await().atMost(WAIT).untilAsserted(() -> discardSession(runtimeId));
    }

    @Test
    void deliverRepublishesInOrderWithOriginAndMsgid() throws InterruptedException {
        Mqtt5BlockingClient subscriber = testClient("it-sub-" + id);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            runs.add(ingress.events().subscribe().withSubscriber(AssertSubscriber.create(10)));
            await().atMost(WAIT).until(ingress::isConnected);

            control.deliver("d1", List.of(stored("M1", 1, false), stored("M2", 1, false), stored("M3", 1, true),
                    stored("M4", 0, false))).await().atMost(WAIT);

            List<Mqtt5Publish> replays = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replays.add(received.receive(WAIT.toSeconds(), TimeUnit.SECONDS).orElseThrow());
            }
            // MQTT orders only within one QoS level, and the HiveMQ client hands buffered QoS 1 before QoS 0
            assertThat(replays).filteredOn(p -> p.getQos() == MqttQos.AT_LEAST_ONCE)
                    .extracting(MqttBrokerControlIT::payload).containsExactly("payload-M1", "payload-M2",
                            "payload-M3");
            assertThat(replays).filteredOn(p -> p.getQos() == MqttQos.AT_MOST_ONCE)
                    .extracting(MqttBrokerControlIT::payload).containsExactly("payload-M4");
            assertThat(replays).extracting(Mqtt5Publish::isRetain).containsOnly(false);
            assertThat(properties(replays.get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
                    Message.ORIGIN_PROPERTY, runtimeId, Message.MSGID_PROPERTY, "M1"));
            assertThat(replays).filteredOn(p -> payload(p).equals("payload-M3")).singleElement()
                    .extracting(MqttBrokerControlIT::properties).isEqualTo(Map.of(
                    Message.ORIGIN_PROPERTY, runtimeId, Message.MSGID_PROPERTY, "M3",
                    Message.RETAINED_PROPERTY, "true"));
        } finally {
            subscriber.disconnect();
        }
    }

    @Test
    void deliverFailsWhenTheSessionIsNotRunning() {
        assertThatThrownBy(() -> control.deliver("d1", List.of(stored("M1", 1, false))).await().atMost(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not started");
    }

    @Test
    void cannotSubscribeClients() {
        assertThat(control.canSubscribeClients()).isFalse();
        assertThatThrownBy(() -> control.subscribe("d1", List.of(new Subscription("a/b", 1))).await()
                .atMost(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("broker-control.type=emqx");
    }

    private StoredMessage stored(String msgid, int qos, boolean retain) {
        return new StoredMessage(msgid, topic, "publisher", qos, retain,
                ("payload-" + msgid).getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L);
    }

    private static String payload(Mqtt5Publish publish) {
        return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> properties(Mqtt5Publish publish) {
        return publish.getUserProperties().asList().stream()
                .collect(Collectors.toMap(p -> p.getName().toString(), p -> p.getValue().toString()));
    }
}
