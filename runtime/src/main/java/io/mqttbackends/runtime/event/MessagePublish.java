package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;

/** A message was published; {@link #client()} is the publisher. */
public record MessagePublish(ClientInfo client, Message message) implements MessageEvent {
    @Override
    public HookPoint hookPoint() {
        return HookPoint.MESSAGE_PUBLISH;
    }
}
