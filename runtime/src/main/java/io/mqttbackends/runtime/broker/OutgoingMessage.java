package io.mqttbackends.runtime.broker;

import java.util.Map;
import java.util.Optional;

/**
 * A message the runtime publishes itself (a replay, a dead-letter record), in no MQTT client's types.
 *
 * @param topic          where it goes
 * @param qos            0, 1 or 2
 * @param payload        its bytes
 * @param userProperties MQTT 5 user properties, in order
 * @param contentType    the MQTT 5 content type, if any
 */
public record OutgoingMessage(String topic, int qos, byte[] payload, Map<String, String> userProperties,
        Optional<String> contentType) {
}
