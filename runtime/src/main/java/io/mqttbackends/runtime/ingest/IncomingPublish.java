package io.mqttbackends.runtime.ingest;

import java.util.Map;
import java.util.Objects;

/**
 * One MQTT publish as the ingress received it, free of client-library types so decoders stay pure.
 *
 * @param topic          topic name
 * @param payload        payload bytes
 * @param qos            QoS the publish arrived with
 * @param retain         the retain flag (as published: raw subscriptions use Retain-As-Published)
 * @param userProperties MQTT 5 user properties (for a repeated name the last value wins)
 * @param receivedAt     receive time, epoch milliseconds
 */
public record IncomingPublish(String topic, byte[] payload, int qos, boolean retain,
        Map<String, String> userProperties, long receivedAt) {

    public IncomingPublish {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload;
        userProperties = userProperties == null ? Map.of() : Map.copyOf(userProperties);
    }
}
