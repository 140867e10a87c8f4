package io.mqttbackends.runtime.ingest;

/**
 * One publish handed to the pipeline.
 *
 * @param format which decoder read it
 * @param topic  the topic it arrived on
 * @param result the decoded event, a skip, or why it is malformed
 * @param ack    sends the MQTT acknowledgement; run it once every action of the event succeeded (or the event was
 *               given up: dead-lettered, skipped, malformed). It must run eventually for every item, because the MQTT
 *               client sends PUBACKs in receive order: one item never acked holds back the PUBACKs of all later ones
 *               and, once Receive Maximum of them are unacked, the broker stops sending
 */
public record Inbound(IngestFormat format, String topic, DecodeResult result, Runnable ack) {

    /** Runs {@link #ack()}; idempotent, thread-safe, non-blocking. */
    public void acknowledge() {
        ack.run();
    }
}
