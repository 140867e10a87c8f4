package io.mqttbackends.runtime.ingest;

import io.mqttbackends.model.LogText;
import io.mqttbackends.runtime.config.RuntimeConfig;
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

    private final Map<IngestFormat, List<String>> filters = new EnumMap<>(IngestFormat.class);
    private final FormatRouter router;
    private final Map<IngestFormat, EventDecoder> decoders = new EnumMap<>(IngestFormat.class);
    private final UnroutedTopics unrouted = new UnroutedTopics(System::nanoTime);
    private final EventTrust trust;

    InboundDecoding(RuntimeConfig config) {
        this.trust = EventTrust.from(config.ingest());
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
     * the shared token (when one is set) is {@link DecodeResult.Refused}, not decoded.
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
        DecodeResult result = untrusted.<DecodeResult>map(kind -> new DecodeResult.Refused(kind, "the publish does"
                + " not carry the token of mqttbackends.ingest.token in its user property "
                + EventTrust.TOKEN_PROPERTY)).orElseGet(() -> decoders.get(format).decode(incoming));
        return Optional.of(new Inbound(format, incoming.topic(), result, ack));
    }
}
