package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.testing.TestMqtt.userProperty;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.TestMqtt;
import java.time.Duration;
import java.util.List;

/** What an end-to-end test class's rig gives every database alike: the broker, the event topics, the runtime. */
interface E2eRig {

    /** A client of the test's broker. */
    TestMqtt mqtt(String clientIdPrefix);

    /** The prefix of the EMQX rule events the runtime consumes. */
    String rulePrefix();

    /** The runtime's MQTT client id, which its replays carry as {@code mqttbackends-origin}. */
    String runtimeClientId();

    /**
     * A device subscribes to {@code topic}, {@code events} publishes its session.subscribed, and exactly
     * {@code expected} replays of the runtime arrive, each within {@code wait}.
     */
    default List<Mqtt5Publish> replays(TestMqtt events, String client, String topic, int expected, Duration wait) {
        List<Mqtt5Publish> replayed;
        try (TestMqtt device = mqtt("e2e-device")) {
            device.subscribe(topic, 1);
            events.publishJson(rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            replayed = device.receiveExactly(expected, wait.toSeconds(), "replay on " + topic);
        }
        assertThat(replayed).allSatisfy(p -> assertThat(userProperty(p, "mqttbackends-origin"))
                .isEqualTo(runtimeClientId()));
        return replayed;
    }
}
