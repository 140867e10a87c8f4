package io.mqttbackends.runtime.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Subscribes to the runtime's dead-letter topic on the local Mosquitto (QoS 1, clean session) and keeps every record
 * that arrives, parsed, from the moment the constructor returns (the subscription is granted by then).
 */
public final class DeadLetterWatcher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mqtt5AsyncClient client;
    private final List<JsonNode> records = new CopyOnWriteArrayList<>();
    private final List<String> unreadable = new CopyOnWriteArrayList<>();

    public DeadLetterWatcher(String topic) {
        this(TestMqtt.HOST, TestMqtt.PORT, topic);
    }

    public DeadLetterWatcher(String host, int port, String topic) {
        client = MqttClient.builder().useMqttVersion5()
                .identifier("dead-letter-watcher-" + UUID.randomUUID().toString().substring(0, 8))
                .serverHost(host).serverPort(port).buildAsync();
        try {
            client.connect().get(10, TimeUnit.SECONDS);
            client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .callback(publish -> {
                        try {
                            records.add(JSON.readTree(publish.getPayloadAsBytes()));
                        } catch (IOException e) {
                            unreadable.add(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8));
                        }
                    })
                    .send().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot watch the dead-letter topic " + topic, e);
        }
    }

    /** Every record received so far; a payload that is not JSON comes as a text node. */
    public List<JsonNode> records() {
        List<JsonNode> all = new ArrayList<>(records);
        unreadable.forEach(text -> all.add(JSON.getNodeFactory().textNode(text)));
        return all;
    }

    /** The {@code payload} of every record received so far, decoded from base64 as UTF-8 (null where absent). */
    public List<String> payloads() {
        return records.stream().map(r -> r.hasNonNull("payload")
                ? new String(Base64.getDecoder().decode(r.get("payload").asText()), StandardCharsets.UTF_8)
                : null).toList();
    }

    public int count() {
        return records.size() + unreadable.size();
    }

    @Override
    public void close() {
        try {
            client.disconnect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Already gone: nothing to release.
        }
    }
}
