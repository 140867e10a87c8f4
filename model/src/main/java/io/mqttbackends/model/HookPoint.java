package io.mqttbackends.model;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The seven EMQX 4.x hook points a backend hook can attach to, with the placeholders each one offers to statement
 * templates (EMQX 4.4's statement templates, docs/configuration.md "Placeholders", plus ours: {@code username},
 * {@code peerhost}, {@code node}, {@code timestamp}).
 */
public enum HookPoint {
    CLIENT_CONNECTED("client.connected", Kind.LIFECYCLE,
            EnumSet.of(Placeholder.CLIENTID, Placeholder.USERNAME, Placeholder.PEERHOST, Placeholder.NODE,
                    Placeholder.TIMESTAMP)),
    CLIENT_DISCONNECTED("client.disconnected", Kind.LIFECYCLE,
            EnumSet.of(Placeholder.CLIENTID, Placeholder.USERNAME, Placeholder.PEERHOST, Placeholder.NODE,
                    Placeholder.TIMESTAMP)),
    SESSION_SUBSCRIBED("session.subscribed", Kind.LIFECYCLE,
            EnumSet.of(Placeholder.CLIENTID, Placeholder.TOPIC, Placeholder.QOS, Placeholder.USERNAME,
                    Placeholder.PEERHOST, Placeholder.NODE, Placeholder.TIMESTAMP)),
    SESSION_UNSUBSCRIBED("session.unsubscribed", Kind.LIFECYCLE,
            EnumSet.of(Placeholder.CLIENTID, Placeholder.TOPIC, Placeholder.QOS, Placeholder.USERNAME,
                    Placeholder.PEERHOST, Placeholder.NODE, Placeholder.TIMESTAMP)),
    MESSAGE_PUBLISH("message.publish", Kind.MESSAGE,
            EnumSet.of(Placeholder.MSGID, Placeholder.CLIENTID, Placeholder.TOPIC, Placeholder.QOS,
                    Placeholder.RETAIN, Placeholder.PAYLOAD, Placeholder.TIMESTAMP, Placeholder.TIMESTAMP_STR,
                    Placeholder.USERNAME, Placeholder.PEERHOST, Placeholder.NODE, Placeholder.MESSAGE)),
    MESSAGE_DELIVERED("message.delivered", Kind.MESSAGE,
            EnumSet.of(Placeholder.CLIENTID, Placeholder.TOPIC, Placeholder.MSGID, Placeholder.QOS,
                    Placeholder.USERNAME, Placeholder.PEERHOST, Placeholder.NODE, Placeholder.TIMESTAMP)),
    MESSAGE_ACKED("message.acked", Kind.MESSAGE,
            EnumSet.of(Placeholder.CLIENTID, Placeholder.TOPIC, Placeholder.MSGID, Placeholder.QOS,
                    Placeholder.USERNAME, Placeholder.PEERHOST, Placeholder.NODE, Placeholder.TIMESTAMP));

    /** Whether events of a hook point are ordered by client id (lifecycle) or by topic (messages). */
    public enum Kind { LIFECYCLE, MESSAGE }

    private final String confName;
    private final Kind kind;
    private final Set<Placeholder> placeholders;

    HookPoint(String confName, Kind kind, Set<Placeholder> placeholders) {
        this.confName = confName;
        this.kind = kind;
        this.placeholders = placeholders;
    }

    /** The name used in conf keys, e.g. {@code client.connected}. */
    public String confName() {
        return confName;
    }

    public Kind kind() {
        return kind;
    }

    /** Placeholders a statement template may use at this hook point. */
    public Set<Placeholder> placeholders() {
        return placeholders;
    }

    /** Whether the hook's {@code topic} filter applies: connect/disconnect events carry no topic. */
    public boolean hasTopic() {
        return this != CLIENT_CONNECTED && this != CLIENT_DISCONNECTED;
    }

    public static Optional<HookPoint> fromConfName(String name) {
        return Arrays.stream(values()).filter(h -> h.confName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return confName;
    }
}
