package io.mqttbackends.runtime.ingest;

import static io.mqttbackends.runtime.ingest.TestConfigs.discardSession;
import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;
import static io.mqttbackends.runtime.ingest.TestConfigs.testClient;
import static io.mqttbackends.runtime.ingest.TestConfigs.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real Mosquitto 2.0 on 127.0.0.1:1883. */
class MqttIngressIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final String id = unique();
    private final String clientId = "it-ingress-" + id;
    private final String prefix = "it-ingress-" + id;
    private final List<AssertSubscriber<Inbound>> runs = new ArrayList<>();
    private final List<String> retainedTopics = new ArrayList<>();
    private Mqtt5BlockingClient publisher;

    @BeforeEach
    void connectPublisher() {
        publisher = testClient("it-pub-" + id);
    }

    @AfterEach
    void cleanUp() {
        runs.forEach(AssertSubscriber::cancel);
        retainedTopics.forEach(topic -> publisher.publishWith().topic(topic).retain(true)
                .qos(MqttQos.AT_LEAST_ONCE).send());
        publisher.disconnect();
        await().atMost(WAIT).untilAsserted(() -> discardSession(clientId));
    }

    @Test
    void unackedEventIsRedeliveredAfterReconnectAndAckedOneIsNot() {
        MqttIngress ingress = ingress();
        AssertSubscriber<Inbound> first = start(ingress);
        publish(prefix + "/events/x", ruleEvent("00000000000000000000000000000A01"), Mqtt5UserProperties.of());
        assertThat(msgids(awaitItems(first, 1))).containsExactly("00000000000000000000000000000A01");

        stop(first);
        AssertSubscriber<Inbound> second = start(ingress);
        List<Inbound> redelivered = awaitItems(second, 1);
        assertThat(msgids(redelivered)).containsExactly("00000000000000000000000000000A01");
        redelivered.get(0).acknowledge();

        stop(second);
        AssertSubscriber<Inbound> third = start(ingress());
        publish(prefix + "/events/x", ruleEvent("00000000000000000000000000000A02"), Mqtt5UserProperties.of());
        assertThat(msgids(awaitItems(third, 1))).containsExactly("00000000000000000000000000000A02");
    }

    @Test
    void rawKeepsRetainFlagOfLivePublishesAndGetsNoStoredRetainedMessages() {
        retain(prefix + "/raw/old");
        AssertSubscriber<Inbound> run = start(ingress());
        retain(prefix + "/raw/live");
        publisher.publishWith().topic(prefix + "/raw/marker").qos(MqttQos.AT_LEAST_ONCE).send();

        List<Inbound> items = awaitItems(run, 2);
        assertThat(items).extracting(Inbound::topic).containsExactly(prefix + "/raw/live", prefix + "/raw/marker");
        assertThat(items).extracting(Inbound::format).containsOnly(IngestFormat.RAW);
        assertThat(items).extracting(item -> message(item).retain()).containsExactly(true, false);
        assertThat(message(items.get(0)).msgid()).matches("[0-9A-F]{32}");
    }

    @Test
    void ownReplayIsSkipped() {
        AssertSubscriber<Inbound> run = start(ingress());
        publish(prefix + "/raw/r", "x", Mqtt5UserProperties.builder().add(Message.ORIGIN_PROPERTY, clientId)
                .add(Message.MSGID_PROPERTY, "M1").build());
        assertThat(awaitItems(run, 1).get(0).result()).isInstanceOf(DecodeResult.Skipped.class);
    }

    @Test
    void sysEventsAreRoutedToTheSysDecoder() {
        AssertSubscriber<Inbound> run = start(ingress());
        publish(prefix + "/sys/brokers/n1/clients/dev1/connected", "{\"clientid\":\"dev1\",\"ts\":5}",
                Mqtt5UserProperties.of());
        Inbound item = awaitItems(run, 1).get(0);
        assertThat(item.format()).isEqualTo(IngestFormat.EMQX_SYS);
        ClientConnected event = (ClientConnected) ((DecodeResult.Decoded) item.result()).event();
        assertThat(event.clientid()).isEqualTo("dev1");
        assertThat(event.node()).isEqualTo("n1");
    }

    @Test
    void subscriptionsComeBackWhenTheBrokerLostTheSession() {
        MqttIngress ingress = ingress();
        AssertSubscriber<Inbound> run = start(ingress);
        // a clean-start login under our id takes the session over and deletes it; the ingress reconnects to nothing
        discardSession(clientId);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            publish(prefix + "/events/x", ruleEvent("00000000000000000000000000000B01"), Mqtt5UserProperties.of());
            return !run.getItems().isEmpty();
        });
        assertThat(msgids(run.getItems())).contains("00000000000000000000000000000B01");
    }

    @Test
    void twoRuntimesInOneShareGroupEachGetEveryEventExactlyOnceBetweenThem() {
        String secondId = clientId + "-b";
        try {
            AssertSubscriber<Inbound> a = start(sharedIngress(clientId));
            AssertSubscriber<Inbound> b = start(sharedIngress(secondId));
            for (int i = 0; i < 20; i++) {
                publish(prefix + "/raw/s", "m" + i, Mqtt5UserProperties.of());
            }
            await().atMost(WAIT).until(() -> a.getItems().size() + b.getItems().size() == 20);
            List<Inbound> all = new ArrayList<>(a.getItems());
            all.addAll(b.getItems());
            assertThat(all).extracting(item -> new String(message(item).payload(), StandardCharsets.UTF_8))
                    .hasSize(20).doesNotHaveDuplicates();
            assertThat(a.getItems()).isNotEmpty();
            assertThat(b.getItems()).isNotEmpty();
            all.forEach(Inbound::acknowledge);
        } finally {
            runs.forEach(AssertSubscriber::cancel);
            await().atMost(WAIT).untilAsserted(() -> discardSession(secondId));
        }
    }

    private MqttIngress sharedIngress(String id) {
        return new MqttIngress(runtimeConfig(Map.of(
                "mqtt.client-id", id,
                "mqtt.share-group", "g-" + this.id,
                "ingest.emqx-rule.enabled", "false",
                "ingest.emqx-sys.enabled", "false",
                "ingest.raw.topics", prefix + "/raw/#")));
    }

    private MqttIngress ingress() {
        return new MqttIngress(runtimeConfig(Map.of(
                "mqtt.client-id", clientId,
                "ingest.emqx-rule.topics", prefix + "/events/#",
                "ingest.emqx-sys.topics", prefix + "/sys/brokers/+/clients/#",
                "ingest.raw.topics", prefix + "/raw/#")));
    }

    private AssertSubscriber<Inbound> start(MqttIngress ingress) {
        AssertSubscriber<Inbound> run = ingress.events().subscribe().withSubscriber(AssertSubscriber.create(100));
        runs.add(run);
        await().atMost(WAIT).until(ingress::isConnected);
        return run;
    }

    private static void stop(AssertSubscriber<Inbound> run) {
        run.cancel();
    }

    private static List<Inbound> awaitItems(AssertSubscriber<Inbound> run, int count) {
        await().atMost(WAIT).until(() -> run.getItems().size() >= count);
        return run.getItems();
    }

    private void publish(String topic, String payload, Mqtt5UserProperties properties) {
        publisher.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).userProperties(properties).send();
    }

    private void retain(String topic) {
        retainedTopics.add(topic);
        publisher.publishWith().topic(topic).payload("r".getBytes(StandardCharsets.UTF_8)).retain(true)
                .qos(MqttQos.AT_LEAST_ONCE).send();
    }

    private static String ruleEvent(String msgid) {
        return """
                {"event":"message.publish","id":"%s","clientid":"dev1","topic":"devices/dev1","qos":1,
                 "payload":"hi","flags":{"retain":false},"timestamp":1700000000000}""".formatted(msgid);
    }

    private static Message message(Inbound item) {
        assertThat(item.result()).isInstanceOf(DecodeResult.Decoded.class);
        return ((MessagePublish) ((DecodeResult.Decoded) item.result()).event()).message();
    }

    private static List<String> msgids(List<Inbound> items) {
        return items.stream().map(item -> message(item).msgid()).toList();
    }
}
