package io.mqttbackends.runtime.backend;

/** A topic filter and QoS to subscribe a client to (server-side subscription). */
public record Subscription(String topic, int qos) {
}
