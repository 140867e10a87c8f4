package io.mqttbackends.runtime.ingest;

import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;
import static io.mqttbackends.runtime.ingest.TestConfigs.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.TestCertificates;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 point 8: Mosquitto killed with SIGKILL and restarted from a persistence file older than the runtime's
 * subscriptions. The restored broker answers the runtime's reconnect with Session Present = 1 and a session that has
 * none of its subscriptions; the runtime must subscribe again and receive everything published after its reconnect.
 *
 * <p>The older file is made deterministically: the runtime's client id once held a session without these
 * subscriptions (a client connected under it with session expiry and subscribed to an older filter only), and the
 * broker saved it by a clean stop, exactly what an autosave between that moment and the runtime's SUBSCRIBE saves.
 * The autosave interval is an hour, so nothing the runtime does later reaches the file before the SIGKILL.
 */
class BrokerRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int AFTER_RESTART = 20;

    private final String id = unique();
    private final String clientId = "it-restart-" + id;
    private final String prefix = "it-restart-" + id;
    private Path dir;
    private PrivateMosquitto broker;
    private AssertSubscriber<Inbound> run;
    private final LogCapture log = LogCapture.of(MqttIngress.class.getName());

    @AfterEach
    void cleanUp() {
        log.close();
        if (run != null) {
            run.cancel();
        }
        if (broker != null) {
            broker.close();
        }
        if (dir != null) {
            TestCertificates.deleteTree(dir);
        }
    }

    @Test
    void afterARestartFromAnOlderSavedSessionTheRuntimeSubscribesAgainAndReceivesEverythingPublishedAfter()
            throws Exception {
        dir = Files.createTempDirectory("mqttbackends-broker-restart");
        broker = PrivateMosquitto.builder(dir).persistence(3600).start();
        Mqtt5BlockingClient earlier = client(clientId);
        // clean start off, as the runtime connects: Mosquitto 2.0.11 saves no session that began with clean start
        earlier.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
        earlier.subscribeWith().topicFilter(prefix + "/older-configuration/#").qos(MqttQos.AT_LEAST_ONCE).send();
        earlier.disconnect();
        broker.close();
        broker.restart();
        assertThat(Files.exists(dir.resolve("mosquitto.db"))).as("persistence file saved by the clean stop").isTrue();

        MqttIngress ingress = new MqttIngress(runtimeConfig(Map.of(
                "mqtt.port", String.valueOf(broker.port()),
                "mqtt.client-id", clientId,
                "mqtt.session-expiry", "PT1H",
                "ingest.emqx-rule.enabled", "false",
                "ingest.emqx-sys.enabled", "false",
                "ingest.raw.topics", prefix + "/raw/#")));
        run = ingress.events().onItem().invoke(Inbound::acknowledge).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        await("first connection subscribed").atMost(WAIT).until(ingress::isConnected);
        publish("before");
        await().atMost(WAIT).until(() -> payloads().contains("before"));

        broker.kill();
        await("readiness down while the broker is gone").atMost(WAIT).until(() -> !ingress.isConnected());
        broker.restart();
        await("reconnected and subscribed again").atMost(WAIT).untilAsserted(() -> assertThat(ingress.isConnected())
                .as("connected and subscribed; stream failure: %s; broker log:%n%s", run.getFailure(), broker.log())
                .isTrue());

        List<String> sent = IntStream.range(0, AFTER_RESTART).mapToObj(i -> "after-" + i).toList();
        sent.forEach(this::publish);
        await("every message published after the reconnect").atMost(WAIT)
                .untilAsserted(() -> assertThat(payloads()).as("payloads received; broker log:%n%s", broker.log())
                        .containsAll(sent));
        assertThat(log.records()).extracting(LogCapture.Line::message)
                .as("the restored broker resumed the older session (Session Present) and the runtime subscribed")
                .filteredOn(line -> line.startsWith("MQTT session " + clientId + " subscribed"))
                .hasSize(2)
                .allMatch(line -> line.endsWith("session present at connect: true)"));
    }

    private Mqtt5BlockingClient client(String identifier) {
        return Mqtt5Client.builder().identifier(identifier).serverHost("127.0.0.1").serverPort(broker.port())
                .buildBlocking();
    }

    private void publish(String payload) {
        Mqtt5BlockingClient publisher = client("it-restart-pub-" + id);
        publisher.connect();
        publisher.publishWith().topic(prefix + "/raw/t").payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.disconnect();
    }

    private List<String> payloads() {
        return run.getItems().stream().map(item -> {
            MessagePublish event = (MessagePublish) ((DecodeResult.Decoded) item.result()).event();
            return new String(event.message().payload(), StandardCharsets.UTF_8);
        }).toList();
    }
}
