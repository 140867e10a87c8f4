package io.mqttbackends.runtime.ingest;

import static io.mqttbackends.runtime.ingest.JsonFields.firstLong;
import static io.mqttbackends.runtime.ingest.JsonFields.optionalText;
import static io.mqttbackends.runtime.ingest.JsonFields.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import java.util.Arrays;
import java.util.Optional;

/**
 * Decodes EMQX 5 client notifications published on {@code <prefix>/brokers/<node>/clients/<clientid>/<event>}
 * (EMQX 5's $SYS client event topics, docs/emqx-events.md), also the gateway form {@code
 * .../brokers/<node>/gateway/<gw>/clients/<clientid>/<event>}. The prefix
 * is not checked ({@code $SYS} in production; tests use another because Mosquitto does not route client publishes on
 * {@code $SYS}). The node comes from the topic; the client id from the payload, else from the topic.
 */
public final class EmqxSysDecoder implements EventDecoder {

    @Override
    public DecodeResult decode(IncomingPublish publish) {
        return JsonFields.guard(() -> decode(SysTopic.parse(publish.topic()), publish));
    }

    private static DecodeResult decode(SysTopic topic, IncomingPublish publish) {
        JsonNode json = JsonFields.parseObject(publish.payload());
        return switch (topic.event) {
            case "connected" -> new DecodeResult.Decoded(
                    new ClientConnected(client(json, topic, publish.receivedAt(), "connected_at")));
            case "disconnected" -> new DecodeResult.Decoded(new ClientDisconnected(
                    client(json, topic, publish.receivedAt(), "disconnected_at"),
                    optionalText(json, "reason").orElse("")));
            case "subscribed" -> {
                JsonNode subopts = JsonFields.object(json, "subopts");
                yield new DecodeResult.Decoded(new SessionSubscribed(client(json, topic, publish.receivedAt()),
                        requiredText(json, "topic"), JsonFields.qos(subopts, "qos", Optional.of(0)),
                        JsonFields.optionalBoolean(subopts, "is_new", true)));
            }
            case "unsubscribed" -> new DecodeResult.Decoded(new SessionUnsubscribed(
                    client(json, topic, publish.receivedAt()), requiredText(json, "topic")));
            default -> new DecodeResult.Malformed("unknown-event", topic.event);
        };
    }

    /** {@code ts} is when the notification was made; the event's own time field, if any, is the fallback. */
    private static ClientInfo client(JsonNode json, SysTopic topic, long receivedAt, String... eventTimeFields) {
        long timestamp = firstLong(json, firstLong(json, receivedAt, eventTimeFields), "ts");
        return new ClientInfo(optionalText(json, "clientid").orElse(topic.clientid),
                optionalText(json, "username"), optionalText(json, "ipaddress"), topic.node, timestamp);
    }

    private record SysTopic(String node, String clientid, String event) {

        static SysTopic parse(String topic) {
            String[] levels = topic.split("/", -1);
            int brokers = Arrays.asList(levels).indexOf("brokers");
            int clients = brokers < 0 ? -1 : indexOf(levels, "clients", brokers + 2);
            // a client id may itself contain '/', so it is everything between "clients" and the last level
            if (clients < 0 || clients + 2 >= levels.length) {
                throw new JsonFields.BadInput("bad-topic", "not <prefix>/brokers/<node>/clients/<clientid>/<event>: "
                        + topic);
            }
            String clientid = String.join("/", Arrays.copyOfRange(levels, clients + 1, levels.length - 1));
            return new SysTopic(levels[brokers + 1], clientid, levels[levels.length - 1]);
        }

        private static int indexOf(String[] levels, String level, int from) {
            for (int i = from; i < levels.length; i++) {
                if (levels[i].equals(level)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
