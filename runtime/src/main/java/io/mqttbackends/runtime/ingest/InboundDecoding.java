package io.mqttbackends.runtime.ingest;

import io.mqttbackends.model.LogText;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessageDelivered;
import io.mqttbackends.runtime.event.MessageEvent;
import io.mqttbackends.runtime.event.MessagePublish;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What the configured ingest formats make of an incoming publish, apart from any MQTT client: the topic filters to
 * subscribe, the format a topic routes to, whether the publish proves its source (the shared token), and that
 * format's decoder.
 */
final class InboundDecoding {
    private static final Logger LOG = Logger.getLogger(InboundDecoding.class);
    /** What a payload over {@code mqttbackends.ingest.max-payload-size} is counted and dead-lettered as. */
    static final String PAYLOAD_TOO_LARGE = "payload-too-large";
    /** MQTT 5's largest packet: a 4-byte remaining length of 268,435,455 plus the fixed header. */
    private static final long MQTT_MAXIMUM_PACKET_SIZE = 268_435_460L;

    private final Map<IngestFormat, List<String>> filters = new EnumMap<>(IngestFormat.class);
    private final FormatRouter router;
    private final Map<IngestFormat, EventDecoder> decoders = new EnumMap<>(IngestFormat.class);
    private final UnroutedTopics unrouted = new UnroutedTopics(System::nanoTime);
    private final EventTrust trust;
    private final long maxPayloadSize;

    /** Fails, naming the settings, when the size limits do not fit MQTT or each other. */
    InboundDecoding(RuntimeConfig config) {
        this.trust = EventTrust.from(config.ingest());
        long packet = config.mqtt().maximumPacketSize().asLongValue();
        this.maxPayloadSize = config.ingest().maxPayloadSize().asLongValue();
        if (packet < 1 || packet > MQTT_MAXIMUM_PACKET_SIZE) {
            throw new IllegalArgumentException("mqttbackends.mqtt.maximum-packet-size must be between 1 and "
                    + MQTT_MAXIMUM_PACKET_SIZE + " bytes (MQTT 5's limit), not " + packet);
        }
        if (maxPayloadSize < 1 || maxPayloadSize >= packet) {
            throw new IllegalArgumentException("mqttbackends.ingest.max-payload-size (" + maxPayloadSize + " bytes) "
                    + "must be at least 1 and below mqttbackends.mqtt.maximum-packet-size (" + packet + " bytes): "
                    + "the broker discards packets over the latter without the runtime seeing them, so only "
                    + "payloads between the two are refused visibly");
        }
        for (IngestFormat format : IngestFormat.values()) {
            if (format.settings(config.ingest()).enabled()) {
                filters.put(format, format.filters(config.ingest()));
            }
        }
        this.router = new FormatRouter(filters);
        router.overlaps().forEach(pair -> LOG.warnf("Ingest topic filters overlap: %s. Brokers such as Mosquitto "
                + "deliver one copy per matching subscription, so such publishes are processed once per copy", pair));
        decoders.put(IngestFormat.EMQX_RULE, new EmqxRuleDecoder(config.node(), trust));
        decoders.put(IngestFormat.EMQX_SYS, new EmqxSysDecoder());
        decoders.put(IngestFormat.RAW, new RawDecoder(new GuidGenerator(config.node()), config.node(), trust));
    }

    /** Which event sources and origin properties the runtime believes. */
    EventTrust trust() {
        return trust;
    }

    /** The topic filters to subscribe, every enabled format's. */
    List<String> subscriptionFilters() {
        return router.subscriptionFilters();
    }

    /** The enabled formats and their filters, for logs. */
    Map<IngestFormat, List<String>> filters() {
        return filters;
    }

    /**
     * Decodes a publish by the format its topic routes to; empty (and acked) when no configured filter matches, a
     * subscription left in the persistent session by an earlier configuration. An {@code emqx-rule} publish without
     * the shared token (when one is set) is {@link DecodeResult.Untrusted}, not decoded.
     */
    Optional<Inbound> decode(IncomingPublish incoming, Runnable ack) {
        Optional<IngestFormat> routed = router.route(incoming.topic());
        if (routed.isEmpty()) {
            ack.run();
            unrouted.dropped(incoming.topic());
            return Optional.empty();
        }
        IngestFormat format = routed.get();
        Optional<String> untrusted = format == IngestFormat.EMQX_RULE ? trust.tokenProblem(incoming.userProperties())
                : Optional.empty();
        DecodeResult result = untrusted.<DecodeResult>map(kind -> new DecodeResult.Untrusted(kind, "the publish does"
                + " not carry the token of mqttbackends.ingest.token in its user property "
                + EventTrust.TOKEN_PROPERTY)).orElseGet(() -> refuseOversized(decoders.get(format).decode(incoming)));
        return Optional.of(new Inbound(format, incoming.topic(), result, ack));
    }

    /**
     * A message event whose payload is over {@code max-payload-size} becomes {@link DecodeResult.Refused}, its
     * payload dropped here so that nothing downstream holds it. The size checked is the message's: a raw publish's
     * payload, an emqx-rule event's decoded {@code payload} field (the JSON around it is bounded by the packet size,
     * which the broker enforces).
     */
    private DecodeResult refuseOversized(DecodeResult result) {
        if (result instanceof DecodeResult.Decoded decoded && decoded.event() instanceof MessageEvent event
                && event.message().payload().length > maxPayloadSize) {
            return new DecodeResult.Refused(withoutPayload(event), PAYLOAD_TOO_LARGE,
                    event.message().payload().length, maxPayloadSize);
        }
        return result;
    }

    private static Event withoutPayload(MessageEvent event) {
        Message m = event.message();
        Message empty = new Message(m.msgid(), m.from(), m.topic(), m.qos(), m.retain(), new byte[0], m.timestamp(),
                m.userProperties());
        if (event instanceof MessagePublish publish) {
            return new MessagePublish(publish.client(), empty);
        }
        if (event instanceof MessageDelivered delivered) {
            return new MessageDelivered(delivered.client(), empty);
        }
        return new MessageAcked(((MessageAcked) event).client(), empty);
    }
}
