package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;
import java.util.Optional;

/** A client disconnected; {@code reason} as the broker gave it (empty when unknown). */
public record ClientDisconnected(ClientInfo client, String reason) implements Event {
    @Override
    public HookPoint hookPoint() {
        return HookPoint.CLIENT_DISCONNECTED;
    }

    @Override
    public Optional<String> topic() {
        return Optional.empty();
    }
}
