package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;

/** A subscriber acknowledged a QoS 1/2 message; {@link #client()} is the receiver. */
public record MessageAcked(ClientInfo client, Message message) implements MessageEvent {
    @Override
    public HookPoint hookPoint() {
        return HookPoint.MESSAGE_ACKED;
    }
}
