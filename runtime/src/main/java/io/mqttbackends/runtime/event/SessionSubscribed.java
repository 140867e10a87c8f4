package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.Placeholder;
import java.util.Optional;

/**
 * A session gained a subscription.
 *
 * @param filter the subscription's topic filter, exactly as subscribed
 * @param qos    the granted subscription QoS
 * @param isNew  whether the subscription did not exist before (EMQX {@code is_new}; true when the source does not say)
 */
public record SessionSubscribed(ClientInfo client, String filter, int qos, boolean isNew) implements Event {
    @Override
    public HookPoint hookPoint() {
        return HookPoint.SESSION_SUBSCRIBED;
    }

    @Override
    public Optional<String> topic() {
        return Optional.of(filter);
    }

    @Override
    public Object placeholderValue(Placeholder placeholder) {
        return placeholder == Placeholder.QOS ? Integer.valueOf(qos) : Event.super.placeholderValue(placeholder);
    }
}
