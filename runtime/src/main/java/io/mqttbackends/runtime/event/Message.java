package io.mqttbackends.runtime.event;

import java.util.Map;
import java.util.Objects;

/**
 * An MQTT application message as the broker saw it.
 *
 * @param msgid          the message id: EMQX's hex GUID for {@code emqx-rule} events, one minted by the runtime for
 *                       {@code raw} publishes
 * @param from           the publisher's client id (may be empty when the source does not say)
 * @param topic          the topic name
 * @param qos            0, 1 or 2
 * @param retain         the retain flag as published
 * @param payload        the raw payload bytes
 * @param timestamp      when the broker received it, epoch milliseconds
 * @param userProperties MQTT 5 user properties of the publish (empty when none)
 */
public record Message(String msgid, String from, String topic, int qos, boolean retain, byte[] payload,
        long timestamp, Map<String, String> userProperties) {

    /** User property that marks a publish made by this runtime (a replay); such a message is never stored again. */
    public static final String ORIGIN_PROPERTY = "mqttbackends-origin";
    /** User property carrying the stored message id of a replay, so its ack moves the cursor. */
    public static final String MSGID_PROPERTY = "mqttbackends-msgid";
    /** User property ({@code true}) on a replay answering a retained lookup; the MQTT retain flag stays off. */
    public static final String RETAINED_PROPERTY = "mqttbackends-retained";

    public Message {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload;
        userProperties = userProperties == null ? Map.of() : Map.copyOf(userProperties);
        from = from == null ? "" : from;
    }

    /** Whether this runtime published the message (a replay of stored data). */
    public boolean isReplay() {
        return userProperties.containsKey(ORIGIN_PROPERTY);
    }

    /** The id under which the message is stored: the replayed original's id for a replay, else its own id. */
    public String storedMsgid() {
        return userProperties.getOrDefault(MSGID_PROPERTY, msgid);
    }
}
