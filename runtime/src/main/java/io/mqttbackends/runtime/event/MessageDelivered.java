package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;

/** A message was delivered to a subscriber; {@link #client()} is the receiver. */
public record MessageDelivered(ClientInfo client, Message message) implements MessageEvent {
    @Override
    public HookPoint hookPoint() {
        return HookPoint.MESSAGE_DELIVERED;
    }
}
