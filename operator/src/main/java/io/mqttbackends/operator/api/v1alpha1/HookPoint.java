package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The seven EMQX hook points a backend hook can run on. */
public enum HookPoint {
    @JsonProperty("client.connected")
    CLIENT_CONNECTED("client.connected"),
    @JsonProperty("client.disconnected")
    CLIENT_DISCONNECTED("client.disconnected"),
    @JsonProperty("session.subscribed")
    SESSION_SUBSCRIBED("session.subscribed"),
    @JsonProperty("session.unsubscribed")
    SESSION_UNSUBSCRIBED("session.unsubscribed"),
    @JsonProperty("message.publish")
    MESSAGE_PUBLISH("message.publish"),
    @JsonProperty("message.delivered")
    MESSAGE_DELIVERED("message.delivered"),
    @JsonProperty("message.acked")
    MESSAGE_ACKED("message.acked");

    private final String confName;

    HookPoint(String confName) {
        this.confName = confName;
    }

    /** The name in conf keys, e.g. {@code message.publish}. */
    public String confName() {
        return confName;
    }
}
