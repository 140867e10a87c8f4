package io.mqttbackends.runtime.testing;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A real MQTT 5 client on the local Mosquitto (127.0.0.1:1883) for tests: publish, subscribe, receive. */
public final class TestMqtt implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 1883;

    private final Mqtt5BlockingClient client;
    private final Mqtt5BlockingClient.Mqtt5Publishes publishes;

    public TestMqtt(String clientIdPrefix) {
        this(clientIdPrefix, PORT);
    }

    /** A client of the broker on {@code port} of 127.0.0.1 (a test's private Mosquitto). */
    public TestMqtt(String clientIdPrefix, int port) {
        this(clientIdPrefix, port, null, null);
    }

    /** A client of the broker on {@code port} logging in as {@code username} (none when null). */
    public TestMqtt(String clientIdPrefix, int port, String username, String password) {
        Mqtt5ClientBuilder builder = MqttClient.builder().useMqttVersion5()
                .identifier(clientIdPrefix + "-" + UUID.randomUUID().toString().substring(0, 8))
                .serverHost(HOST).serverPort(port);
        if (username != null) {
            builder.simpleAuth(Mqtt5SimpleAuth.builder().username(username)
                    .password(password.getBytes(StandardCharsets.UTF_8)).build());
        }
        client = builder.buildBlocking();
        publishes = client.publishes(MqttGlobalPublishFilter.ALL);
        client.connect();
    }

    public void publish(String topic, byte[] payload, int qos, boolean retain, Map<String, String> userProperties) {
        Mqtt5UserPropertiesBuilder props = Mqtt5UserProperties.builder();
        userProperties.forEach(props::add);
        client.publish(Mqtt5Publish.builder().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain)
                .userProperties(props.build()).build());
    }

    public void publish(String topic, String payload, int qos, boolean retain) {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, Map.of());
    }

    /** Publishes a JSON event (e.g. an EMQX rule-engine event) at QoS 1. */
    public void publishJson(String topic, String json) {
        publish(topic, json, 1, false);
    }

    public void subscribe(String filter, int qos) {
        client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send();
    }

    public Optional<Mqtt5Publish> receive(long seconds) {
        try {
            return publishes.receive(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Exactly {@code expected} publishes, each within {@code seconds} of the previous one, and then none for a second:
     * fails naming which one did not come, or that more came.
     */
    public List<Mqtt5Publish> receiveExactly(int expected, long seconds, String what) {
        List<Mqtt5Publish> received = new ArrayList<>();
        for (int i = 0; i < expected; i++) {
            int n = i + 1;
            received.add(receive(seconds).orElseThrow(() -> new AssertionError(
                    what + " " + n + " of " + expected + " did not come")));
        }
        receive(1).ifPresent(extra -> {
            throw new AssertionError("more than " + expected + " " + what + "s came: " + extra);
        });
        return received;
    }

    /**
     * The runtime's replay of a retained message: the broker also sends its own retained copy on subscribe, so the
     * replay is whichever of the next two publishes carries the {@code mqttbackends-origin} property.
     */
    public Mqtt5Publish receiveRetainedReplay(long seconds) {
        for (int i = 0; i < 2; i++) {
            Mqtt5Publish p = receive(seconds).orElseThrow(() -> new AssertionError("no replay"));
            if (userProperty(p, "mqttbackends-origin") != null) {
                return p;
            }
        }
        throw new AssertionError("no publish carried mqttbackends-origin");
    }

    /** The value of a user property of a received publish, {@code null} when absent. */
    public static String userProperty(Mqtt5Publish publish, String name) {
        return publish.getUserProperties().asList().stream().filter(u -> u.getName().toString().equals(name))
                .map(u -> u.getValue().toString()).findFirst().orElse(null);
    }

    @Override
    public void close() {
        publishes.close();
        if (client.getState().isConnected()) {
            client.disconnect();
        }
    }
}
