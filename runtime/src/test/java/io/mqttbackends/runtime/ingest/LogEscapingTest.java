package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.hook.EventDispatcher;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.LogCapture;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Client-supplied text reaches the log escaped: a client id or topic holding a line break, as an attacker would
 * send it to forge a log line, yields exactly one line with the break written as an escape.
 */
class LogEscapingTest {
    private static final String FORGED = "2026-12-03 12:00:00,000 ERROR [io.mqt.run.hoo.ActiveConfiguration] forged";

    private final RuntimeConfig config = TestConfigs.runtimeConfig(Map.of());
    private final RuntimeMetrics metrics = new RuntimeMetrics(new SimpleMeterRegistry());
    private final InboundDecoding decoding = new InboundDecoding(config);

    private EventPipeline pipelineFailingEveryEvent() {
        EventDispatcher dispatcher = new EventDispatcher(null, null, metrics) {
            @Override
            public Uni<Void> dispatch(io.mqttbackends.runtime.event.Event event) {
                return Uni.createFrom().failure(new IllegalStateException("database said no"));
            }
        };
        return new EventPipeline(null, new MqttIngress(config), dispatcher, letter -> Uni.createFrom().voidItem(),
                metrics, config);
    }

    private Inbound decode(String topic, String payload) {
        return decoding.decode(new IncomingPublish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false,
                Map.of(), 0), () -> { }).orElseThrow();
    }

    @Test
    void aClientIdWithANewlineInAnEventIsLoggedOnOneLineEscaped() {
        String clientid = "dev-1\n" + FORGED;
        Inbound event = decode("mqttbackends/events/client.connected", EmqxEvents.ruleConnected(clientid, "u"));
        try (LogCapture log = new LogCapture()) {
            pipelineFailingEveryEvent().handle(event).await().atMost(Duration.ofSeconds(5));

            assertThat(log.lines()).singleElement().asString()
                    .startsWith("ERROR [io.mqttbackends.runtime.ingest.EventPipeline] handling a client.connected"
                            + " event of client 'dev-1\\u000a" + FORGED + "'");
        }
    }

    @Test
    void aTopicAndDetailWithLineSeparatorsInMalformedInputAreLoggedOnOneLineEscaped() {
        String topic = "mqttbackends/events/x\u2028" + FORGED;
        Inbound malformed = decode(topic, "{\"event\": \"no.such\\r\\n" + FORGED + "\", \"clientid\": \"c\"}");
        try (LogCapture log = new LogCapture()) {
            pipelineFailingEveryEvent().handle(malformed).await().atMost(Duration.ofSeconds(5));

            assertThat(log.lines()).singleElement().asString()
                    .startsWith("WARN  [io.mqttbackends.runtime.ingest.EventPipeline] skipping malformed emqx-rule"
                            + " input on topic 'mqttbackends/events/x\\u2028" + FORGED + "' (unknown-event: no.such"
                            + "\\u000d\\u000a" + FORGED + ")");
        }
    }
}
