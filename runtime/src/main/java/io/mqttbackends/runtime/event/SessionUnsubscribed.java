package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;
import java.util.Optional;

/** A session dropped a subscription to {@code filter}. */
public record SessionUnsubscribed(ClientInfo client, String filter) implements Event {
    @Override
    public HookPoint hookPoint() {
        return HookPoint.SESSION_UNSUBSCRIBED;
    }

    @Override
    public Optional<String> topic() {
        return Optional.of(filter);
    }
}
