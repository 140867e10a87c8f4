package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;
import java.util.Optional;

/** A client connected. */
public record ClientConnected(ClientInfo client) implements Event {
    @Override
    public HookPoint hookPoint() {
        return HookPoint.CLIENT_CONNECTED;
    }

    @Override
    public Optional<String> topic() {
        return Optional.empty();
    }
}
