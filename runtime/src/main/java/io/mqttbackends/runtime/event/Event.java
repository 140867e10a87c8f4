package io.mqttbackends.runtime.event;

import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.Placeholder;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * One broker event, decoded from any ingestion format. The seven variants match EMQX's hook points.
 */
public sealed interface Event permits ClientConnected, ClientDisconnected, SessionSubscribed, SessionUnsubscribed,
        MessageEvent {

    HookPoint hookPoint();

    /** The client the event concerns: for {@code message.publish} the publisher, for delivered/acked the receiver. */
    ClientInfo client();

    /** The topic (filter for session events, name for message events); empty for connect/disconnect. */
    Optional<String> topic();

    default String clientid() {
        return client().clientid();
    }

    /** The broker node that reported the event, or the runtime's configured default node name. */
    default String node() {
        return client().node();
    }

    /** When the broker saw the event, epoch milliseconds. */
    default long timestamp() {
        return client().timestamp();
    }

    default Optional<String> username() {
        return client().username();
    }

    default Optional<String> peerhost() {
        return client().peerhost();
    }

    /** The key whose events must apply in order: the client id for lifecycle events, the topic for messages. */
    default String orderingKey() {
        return hookPoint().kind() == HookPoint.Kind.LIFECYCLE ? clientid() : topic().orElse("");
    }

    /** The value a placeholder takes for this event, or {@code null} when the event does not carry it. */
    default Object placeholderValue(Placeholder placeholder) {
        return switch (placeholder) {
            case CLIENTID -> clientid();
            case USERNAME -> username().orElse(null);
            case PEERHOST -> peerhost().orElse(null);
            case NODE -> node();
            case TIMESTAMP -> Math.round(timestamp() / 1000.0);
            case TIMESTAMP_STR -> TIMESTAMP_STR_FORMAT.format(Instant.ofEpochMilli(timestamp()));
            case TOPIC -> topic().orElse(null);
            default -> null;
        };
    }

    /** {@code YYYY-MM-DD HH:MM:SS} in the runtime's local zone, as EMQX 4.x's {@code ${timestamp_str}}. */
    DateTimeFormatter TIMESTAMP_STR_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
}
