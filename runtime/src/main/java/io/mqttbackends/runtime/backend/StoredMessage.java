package io.mqttbackends.runtime.backend;

/**
 * A message read back from a database, to be replayed to a subscriber.
 *
 * @param msgid    the stored message id (travels as the {@code mqttbackends-msgid} user property of the replay)
 * @param topic    the original topic
 * @param sender   the original publisher
 * @param qos      the original QoS
 * @param retain   whether to flag the replay as retained (retained lookups)
 * @param payload  the stored payload bytes
 * @param arrived  when it was stored, epoch milliseconds
 */
public record StoredMessage(String msgid, String topic, String sender, int qos, boolean retain, byte[] payload,
        long arrived) {
}
