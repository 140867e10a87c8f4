package io.mqttbackends.runtime.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who may feed the runtime, on a Mosquitto of the test's own with the access rules docs/security.md
 * gives ({@code password_file}, {@code acl_file}) and the runtime's shared token set. The runtime logs in as
 * {@link #RUNTIME_USER}, which may read and write everything; a device logs in as its own user and may use only
 * {@code trust-e2e/devices/<user>/#}. An "EMQX rule" client stands in for EMQX's republish action and publishes events
 * as the runtime's user. Through real MQTT and real PostgreSQL (EMQX's default functions) this shows that:
 * <ul>
 * <li>a device's forged {@code client.connected} event on the events prefix is dropped by the broker and stored
 * nowhere; events without the token or with another one, even from the runtime's user, are refused and counted;
 * the same event with the token is stored;</li>
 * <li>a device's publish carrying a bare (or copied) {@code mqttbackends-origin} property is stored like any other,
 * while the runtime's own signed replay of a retained message is recognised and not stored again.</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(value = EventTrustIT.Resource.class, restrictToAnnotatedClass = true)
class EventTrustIT {
    static final String PREFIX = "trust-e2e";
    static final String EVENTS = PREFIX + "-events";
    static final String TOKEN = "e2e-token-" + FailureRig.random() + FailureRig.random();
    static final String RUNTIME_USER = "mqttbackends";
    static final String RUNTIME_PASSWORD = "rt-" + FailureRig.random();
    static final String DEVICE = "d1";
    static final String DEVICE_PASSWORD = "dev-" + FailureRig.random();
    /** The Mosquitto ACL of docs/security.md: the runtime's user everything, a device its own tree only. */
    static final String ACL = String.join("\n",
            "user " + RUNTIME_USER,
            "topic readwrite #",
            "",
            "pattern readwrite " + PREFIX + "/devices/%u/#",
            "");
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The private broker with access control, EMQX's default functions on PostgreSQL, the token. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            PrivateMosquitto broker = rig.closeAtEnd(PrivateMosquitto.startWithAccessControl(
                    rig.confDir().getParent().resolve("mosquitto"),
                    Map.of(RUNTIME_USER, RUNTIME_PASSWORD, DEVICE, DEVICE_PASSWORD), ACL));
            rig.note("port", String.valueOf(broker.port()));
            String topics = "\"topic\": \"" + PREFIX + "/#\", ";
            rig.write(rig.pgsqlPool("pool1", TestPostgres.PORT, "schema.init = true") + String.join("\n",
                    "backend.pgsql.hook.client.connected.1 = {\"action\": {\"function\": \"on_client_connected\"},"
                            + " \"pool\": \"pool1\"}",
                    "backend.pgsql.hook.session.subscribed.1 = {" + topics + "\"action\": {\"function\":"
                            + " \"on_retain_lookup\"}, \"pool\": \"pool1\"}",
                    "backend.pgsql.hook.message.publish.1 = {" + topics + "\"action\": {\"function\":"
                            + " \"on_message_publish\"}, \"pool\": \"pool1\"}",
                    "backend.pgsql.hook.message.publish.2 = {" + topics + "\"action\": {\"function\":"
                            + " \"on_message_retain\"}, \"pool\": \"pool1\"}",
                    ""));
        }

        @Override
        protected Map<String, String> properties(FailureRig rig) {
            return Map.of("mqttbackends.mqtt.port", rig.note("port"),
                    "mqttbackends.mqtt.username", RUNTIME_USER,
                    "mqttbackends.mqtt.password", RUNTIME_PASSWORD,
                    "mqttbackends.ingest.emqx-rule.enabled", "true",
                    "mqttbackends.ingest.emqx-rule.topics", EVENTS + "/#",
                    "mqttbackends.ingest.token", TOKEN);
        }
    }

    FailureRig rig;

    private TestMqtt ruleEngine() {
        return new TestMqtt(PREFIX + "-rule", Integer.parseInt(rig.note("port")), RUNTIME_USER, RUNTIME_PASSWORD);
    }

    private TestMqtt device() {
        return new TestMqtt(DEVICE, Integer.parseInt(rig.note("port")), DEVICE, DEVICE_PASSWORD);
    }

    private static void publishEvent(TestMqtt client, String event, String json, Map<String, String> properties) {
        client.publish(EVENTS + "/" + event, json.getBytes(StandardCharsets.UTF_8), 1, false, properties);
    }

    @Test
    void onlyEventsFromTheRuntimesUserWithTheTokenAreApplied() {
        String id = FailureRig.random();
        try (TestPostgres pg = rig.pg(); TestMqtt device = device(); TestMqtt rule = ruleEngine()) {
            String forgedByDevice = "victim-device-" + id;
            Mqtt5PubAckReasonCode brokerAnswer = Mqtt5PubAckReasonCode.SUCCESS;
            try {
                publishEvent(device, "client.connected", EmqxEvents.ruleConnected(forgedByDevice, "x"), Map.of());
            } catch (Mqtt5PubAckException refused) {
                brokerAnswer = refused.getMqttMessage().getReasonCode();
            }
            publishEvent(rule, "client.connected", EmqxEvents.ruleConnected("victim-no-token-" + id, "x"), Map.of());
            publishEvent(rule, "client.connected", EmqxEvents.ruleConnected("victim-wrong-token-" + id, "x"),
                    Map.of("mqttbackends-token", TOKEN + "-not"));
            String genuine = "genuine-" + id;
            publishEvent(rule, "client.connected", EmqxEvents.ruleConnected(genuine, "u"),
                    Map.of("mqttbackends-token", TOKEN));

            await().atMost(WAIT).ignoreExceptions().until(() -> pg.count(
                    "select count(*) from mqtt_client where clientid = $1 and state = 1", genuine) == 1);
            // Refused events are counted as they are taken, in order, before the genuine one after them is stored.
            List<String> rejected = given().get("/q/metrics").asString().lines()
                    .filter(l -> l.startsWith("mqttbackends_events_rejected_total")).toList();
            assertThat(rejected).containsExactlyInAnyOrder(
                    "mqttbackends_events_rejected_total{format=\"emqx-rule\",reason=\"missing-token\"} 1.0",
                    "mqttbackends_events_rejected_total{format=\"emqx-rule\",reason=\"wrong-token\"} 1.0");
            assertThat(pg.count("select count(*) from mqtt_client where clientid like 'victim-%' and clientid like $1",
                    "%" + id)).as("rows of forged events").isZero();
            assertThat(pg.count("select count(*) from mqtt_client where clientid = $1", forgedByDevice)).isZero();
            // Mosquitto 2.0 answers a denied QoS 1 publish with PUBACK "not authorized" (MQTT 5).
            assertThat(brokerAnswer).as("the broker's answer to the device's forged event")
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    void aDevicesOriginPropertyIsIgnoredAndTheRuntimesSignedReplayIsNotStoredAgain() {
        String id = FailureRig.random();
        String base = PREFIX + "/devices/" + DEVICE + "/" + id;
        try (TestPostgres pg = rig.pg(); TestMqtt device = device(); TestMqtt rule = ruleEngine()) {
            String bare = base + "/bare";
            device.publish(bare, "not-a-replay".getBytes(StandardCharsets.UTF_8), 1, false, Map.of(
                    "mqttbackends-origin", "mqttbackends-runtime", "mqttbackends-msgid", "FORGED"));
            await().atMost(WAIT).ignoreExceptions().until(() -> pg.count(
                    "select count(*) from mqtt_msg where topic = $1", bare) == 1);
            assertThat(pg.rows("select msgid from mqtt_msg where topic = $1", bare).get(0).getString("msgid"))
                    .matches("[0-9A-F]{32}");

            String state = base + "/state";
            device.publish(state, "on".getBytes(StandardCharsets.UTF_8), 1, true, Map.of());
            await().atMost(WAIT).ignoreExceptions().until(() -> pg.count(
                    "select count(*) from mqtt_retain where topic = $1", state) == 1);
            device.subscribe(state, 1);
            publishEvent(rule, "session.subscribed", EmqxEvents.ruleSubscribed(DEVICE, state, 1),
                    Map.of("mqttbackends-token", TOKEN));
            Mqtt5Publish replay = device.receiveRetainedReplay(WAIT.toSeconds());
            assertThat(TestMqtt.userProperty(replay, "mqttbackends-origin-mac")).isNotBlank();

            Map<String, String> copied = new HashMap<>();
            replay.getUserProperties().asList().forEach(p -> copied.put(p.getName().toString(),
                    p.getValue().toString()));
            device.publish(state, "copied-properties".getBytes(StandardCharsets.UTF_8), 1, false, copied);
            device.publish(state, "sentinel".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1 and payload"
                    + " = $2", state, "sentinel".getBytes(StandardCharsets.UTF_8)) == 1);
            List<String> stored = pg.rows("select payload from mqtt_msg where topic = $1 order by id", state).stream()
                    .map(r -> r.getBuffer("payload").toString(StandardCharsets.UTF_8)).toList();
            assertThat(stored).as("the retained original, the device's copy, the sentinel; the replay not again")
                    .containsExactly("on", "copied-properties", "sentinel");
        }
    }
}
