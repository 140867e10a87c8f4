package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The seven EMQX hook points a backend hook can run on. */
public enum HookPoint {
    @JsonProperty("client.connected")
    CLIENT_CONNECTED(io.mqttbackends.model.HookPoint.CLIENT_CONNECTED),
    @JsonProperty("client.disconnected")
    CLIENT_DISCONNECTED(io.mqttbackends.model.HookPoint.CLIENT_DISCONNECTED),
    @JsonProperty("session.subscribed")
    SESSION_SUBSCRIBED(io.mqttbackends.model.HookPoint.SESSION_SUBSCRIBED),
    @JsonProperty("session.unsubscribed")
    SESSION_UNSUBSCRIBED(io.mqttbackends.model.HookPoint.SESSION_UNSUBSCRIBED),
    @JsonProperty("message.publish")
    MESSAGE_PUBLISH(io.mqttbackends.model.HookPoint.MESSAGE_PUBLISH),
    @JsonProperty("message.delivered")
    MESSAGE_DELIVERED(io.mqttbackends.model.HookPoint.MESSAGE_DELIVERED),
    @JsonProperty("message.acked")
    MESSAGE_ACKED(io.mqttbackends.model.HookPoint.MESSAGE_ACKED);

    private final io.mqttbackends.model.HookPoint point;

    HookPoint(io.mqttbackends.model.HookPoint point) {
        this.point = point;
    }

    /** The runtime's hook point of this name. */
    public io.mqttbackends.model.HookPoint point() {
        return point;
    }

    /** The name in conf keys, e.g. {@code message.publish}. */
    public String confName() {
        return point.confName();
    }
}
