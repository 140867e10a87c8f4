package io.mqttbackends.runtime.ingest;

import static io.mqttbackends.runtime.ingest.JsonFields.firstLong;
import static io.mqttbackends.runtime.ingest.JsonFields.optionalText;
import static io.mqttbackends.runtime.ingest.JsonFields.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessageDelivered;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes the JSON an EMQX 5 rule republishes with payload {@code ${.}} (field names: EMQX 5's rule-engine events,
 * docs/emqx-events.md). The {@code event}
 * field selects the hook point. Events EMQX defines but no hook point consumes (dropped messages, connack, authn/authz)
 * are skipped; an event name EMQX does not define is malformed, because it means the rule or template is wrong.
 * Only {@code id}, {@code clientid} and, for message and session events, {@code topic} (and {@code qos} for messages)
 * are required; everything else has a sensible default, so trimmed-down rules still work.
 */
public final class EmqxRuleDecoder implements EventDecoder {

    private static final Set<String> IGNORED_EVENTS = Set.of("message.dropped", "delivery.dropped", "client.connack",
            "client.check_authz_complete", "client.check_authn_complete", "schema.validation_failed",
            "message.transformation_failed", "alarm.activated", "alarm.deactivated");

    private final String defaultNode;
    private final EventTrust trust;

    /**
     * @param defaultNode the node name used when the event does not carry {@code node}
     * @param trust       which origin properties (in {@code pub_props}) to believe
     */
    EmqxRuleDecoder(String defaultNode, EventTrust trust) {
        this.defaultNode = defaultNode;
        this.trust = trust;
    }

    @Override
    public DecodeResult decode(IncomingPublish publish) {
        return JsonFields.guard(() -> decode(JsonFields.parseObject(publish.payload()), publish.receivedAt()));
    }

    private DecodeResult decode(JsonNode json, long receivedAt) {
        String event = requiredText(json, "event");
        return switch (event) {
            case "client.connected" -> new DecodeResult.Decoded(
                    new ClientConnected(client(json, receivedAt, "connected_at", "timestamp")));
            case "client.disconnected" -> new DecodeResult.Decoded(new ClientDisconnected(
                    client(json, receivedAt, "disconnected_at", "timestamp"),
                    optionalText(json, "reason").orElse("")));
            case "session.subscribed" -> new DecodeResult.Decoded(new SessionSubscribed(
                    client(json, receivedAt, "timestamp"), requiredText(json, "topic"),
                    JsonFields.qos(json, "qos", Optional.of(0)), JsonFields.optionalBoolean(json, "is_new", true)));
            case "session.unsubscribed" -> new DecodeResult.Decoded(new SessionUnsubscribed(
                    client(json, receivedAt, "timestamp"), requiredText(json, "topic")));
            case "message.publish" -> publish(json, receivedAt);
            case "message.delivered" -> new DecodeResult.Decoded(new MessageDelivered(
                    client(json, receivedAt, "timestamp"), message(json, receivedAt, "from_clientid")));
            case "message.acked" -> new DecodeResult.Decoded(new MessageAcked(
                    client(json, receivedAt, "timestamp"), message(json, receivedAt, "from_clientid")));
            default -> IGNORED_EVENTS.contains(event)
                    ? new DecodeResult.Skipped("event " + event + " has no hook point")
                    : new DecodeResult.Malformed("unknown-event", event);
        };
    }

    private DecodeResult publish(JsonNode json, long receivedAt) {
        Message message = message(json, receivedAt, "clientid");
        if (message.isReplay()) {
            return new DecodeResult.Skipped("replay published by mqttbackends");
        }
        return new DecodeResult.Decoded(new MessagePublish(client(json, receivedAt, "timestamp"), message));
    }

    private ClientInfo client(JsonNode json, long receivedAt, String... timestampFields) {
        Optional<String> peerhost = optionalText(json, "peerhost")
                .or(() -> optionalText(json, "peername").map(JsonFields::hostOf));
        return new ClientInfo(requiredText(json, "clientid"), optionalText(json, "username"), peerhost,
                optionalText(json, "node").orElse(defaultNode), firstLong(json, receivedAt, timestampFields));
    }

    private Message message(JsonNode json, long receivedAt, String fromField) {
        String topic = requiredText(json, "topic");
        byte[] payload = JsonFields.payload(json);
        return new Message(requiredText(json, "id"), optionalText(json, fromField).orElse(""), topic,
                JsonFields.qos(json, "qos", Optional.empty()),
                JsonFields.optionalBoolean(JsonFields.object(json, "flags"), "retain", false), payload,
                firstLong(json, receivedAt, "publish_received_at", "timestamp"), trust.believedProperties(topic,
                        JsonFields.stringMap(JsonFields.object(json, "pub_props"), "User-Property"), payload));
    }
}
