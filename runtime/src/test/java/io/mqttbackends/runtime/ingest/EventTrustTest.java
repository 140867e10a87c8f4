package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.hook.EventDispatcher;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.LogCapture;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared token on event publishes and the signed origin property. */
class EventTrustTest {
    private static final String TOKEN = "s3cret-token-of-32-characters!!!";
    private static final String EVENT_TOPIC = "mqttbackends/events/client.connected";

    private static InboundDecoding decoding(Map<String, String> settings) {
        return new InboundDecoding(TestConfigs.runtimeConfig(settings));
    }

    private static Inbound receive(InboundDecoding decoding, String topic, String payload,
            Map<String, String> properties) {
        return decoding.decode(new IncomingPublish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false,
                properties, 0), () -> { }).orElseThrow();
    }

    @Test
    void withATokenAnEmqxRuleEventWithoutItOrWithAnotherIsRefusedAndWithItDecoded() {
        InboundDecoding decoding = decoding(Map.of("ingest.token", TOKEN));
        String event = EmqxEvents.ruleConnected("dev-1", "u");

        assertThat(receive(decoding, EVENT_TOPIC, event, Map.of()).result())
                .isEqualTo(new DecodeResult.Untrusted("missing-token", "the publish does not carry the token of"
                        + " mqttbackends.ingest.token in its user property mqttbackends-token"));
        assertThat(receive(decoding, EVENT_TOPIC, event, Map.of("mqttbackends-token", TOKEN + "x")).result())
                .isInstanceOf(DecodeResult.Untrusted.class).extracting("kind").isEqualTo("wrong-token");
        assertThat(receive(decoding, EVENT_TOPIC, event, Map.of("mqttbackends-token", "")).result())
                .extracting("kind").isEqualTo("wrong-token");
        assertThat(receive(decoding, EVENT_TOPIC, event, Map.of("mqttbackends-token", TOKEN)).result())
                .isInstanceOf(DecodeResult.Decoded.class);
    }

    @Test
    void withoutATokenEventsAreDecodedAsBefore() {
        assertThat(receive(decoding(Map.of()), EVENT_TOPIC, EmqxEvents.ruleConnected("dev-1", "u"), Map.of())
                .result()).isInstanceOf(DecodeResult.Decoded.class);
    }

    @Test
    void rawPublishesNeedNoToken() {
        assertThat(receive(decoding(Map.of("ingest.token", TOKEN)), "devices/d1/temp", "21", Map.of()).result())
                .isInstanceOf(DecodeResult.Decoded.class);
    }

    @Test
    void aRefusedEventIsAckedCountedAndLoggedOncePerKindWithoutTheToken() {
        InboundDecoding decoding = decoding(Map.of("ingest.token", TOKEN));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RuntimeMetrics metrics = new RuntimeMetrics(registry);
        EventDispatcher dispatcher = new EventDispatcher(null, null, metrics) {
            @Override
            public Uni<Void> dispatch(io.mqttbackends.runtime.event.Event event) {
                throw new AssertionError("a refused event was dispatched");
            }
        };
        var config = TestConfigs.runtimeConfig(Map.of());
        EventPipeline pipeline = new EventPipeline(null, new MqttIngress(config), dispatcher,
                letter -> Uni.createFrom().voidItem(), metrics, config);
        AtomicInteger acks = new AtomicInteger();
        try (LogCapture log = new LogCapture()) {
            for (String given : new String[] {null, "wrong-1-" + TOKEN, "wrong-2-" + TOKEN}) {
                Map<String, String> properties = new HashMap<>();
                if (given != null) {
                    properties.put("mqttbackends-token", given);
                }
                Inbound forged = decoding.decode(new IncomingPublish(EVENT_TOPIC, EmqxEvents.ruleConnected("dev-1",
                        "u").getBytes(StandardCharsets.UTF_8), 1, false, properties, 0), acks::incrementAndGet)
                        .orElseThrow();
                pipeline.handle(forged).await().atMost(Duration.ofSeconds(5));
            }
            assertThat(acks).hasValue(3);
            assertThat(registry.get("mqttbackends.events.rejected").tags("format", "emqx-rule", "reason",
                    "missing-token").functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get("mqttbackends.events.rejected").tags("format", "emqx-rule", "reason",
                    "wrong-token").functionCounter().count()).isEqualTo(2.0);
            assertThat(log.lines()).hasSize(2).allSatisfy(line -> assertThat(line).contains("refusing emqx-rule input"
                    + " on topic '" + EVENT_TOPIC + "'").doesNotContain(TOKEN));
        }
    }

    @Test
    void theTokenMayComeFromAFileAndIsCheckedAtStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        InboundDecoding fromFile = decoding(Map.of("ingest.token-file", file.toString()));
        assertThat(receive(fromFile, EVENT_TOPIC, EmqxEvents.ruleConnected("d", "u"),
                Map.of("mqttbackends-token", TOKEN)).result()).isInstanceOf(DecodeResult.Decoded.class);

        assertThatThrownBy(() -> decoding(Map.of("ingest.token", "short")))
                .hasMessage("mqttbackends.ingest.token must be at least 16 characters long");
        assertThatThrownBy(() -> decoding(Map.of("ingest.token", TOKEN, "ingest.token-file", file.toString())))
                .hasMessage("set mqttbackends.ingest.token or mqttbackends.ingest.token-file, not both");
        assertThatThrownBy(() -> decoding(Map.of("ingest.token-file", dir.resolve("missing").toString())))
                .hasMessageStartingWith("mqttbackends.ingest.token-file " + dir.resolve("missing")
                        + " cannot be read");
    }

    @Test
    void withATokenOnlyASignedOriginMarksAReplayAForgedOneIsDroppedAndTheMessageStored() {
        InboundDecoding decoding = decoding(Map.of("ingest.token", TOKEN));
        EventTrust trust = decoding.trust();
        String topic = "devices/d1/state";
        Map<String, String> replay = new HashMap<>(Map.of(Message.ORIGIN_PROPERTY, "mqttbackends-runtime",
                Message.MSGID_PROPERTY, "0A1B"));
        replay.putAll(trust.originSignature(topic, replay, "on".getBytes(StandardCharsets.UTF_8)));
        assertThat(replay).containsKey(EventTrust.ORIGIN_MAC_PROPERTY);

        assertThat(receive(decoding, topic, "on", replay).result()).isInstanceOf(DecodeResult.Skipped.class);

        Map<String, String> otherPayload = receivedProperties(decoding, topic, "off", replay);
        assertThat(otherPayload).doesNotContainKeys(Message.ORIGIN_PROPERTY, Message.MSGID_PROPERTY,
                EventTrust.ORIGIN_MAC_PROPERTY);
        Map<String, String> otherTopic = receivedProperties(decoding, "devices/d2/state", "on", replay);
        assertThat(otherTopic).doesNotContainKey(Message.ORIGIN_PROPERTY);
        Map<String, String> bare = receivedProperties(decoding, topic, "on", Map.of(Message.ORIGIN_PROPERTY, "x",
                Message.MSGID_PROPERTY, "forged", "app", "kept"));
        assertThat(bare).isEqualTo(Map.of("app", "kept"));

        // A runtime with another token does not recognise the replay either.
        InboundDecoding other = decoding(Map.of("ingest.token", "another-token-of-32-characters!!"));
        assertThat(receive(other, topic, "on", replay).result()).isInstanceOf(DecodeResult.Decoded.class);
    }

    @Test
    void withATokenASignedReplayRepublishedByAnEmqxRuleIsStillRecognised() {
        InboundDecoding decoding = decoding(Map.of("ingest.token", TOKEN));
        String topic = "devices/d1/state";
        Map<String, String> replay = new HashMap<>(Map.of(Message.ORIGIN_PROPERTY, "rt", Message.MSGID_PROPERTY,
                "0A1B"));
        replay.putAll(decoding.trust().originSignature(topic, replay, "on".getBytes(StandardCharsets.UTF_8)));
        Map<String, String> token = Map.of("mqttbackends-token", TOKEN);

        assertThat(receive(decoding, "mqttbackends/events/message.publish", EmqxEvents.rulePublish("E1", "rt", topic,
                1, false, "on", replay), token).result()).isInstanceOf(DecodeResult.Skipped.class);
        Map<String, String> forged = new HashMap<>(replay);
        forged.put(EventTrust.ORIGIN_MAC_PROPERTY, "AAAA");
        DecodeResult stored = receive(decoding, "mqttbackends/events/message.publish", EmqxEvents.rulePublish("E2",
                "dev", topic, 1, false, "on", forged), token).result();
        assertThat(((MessagePublish) ((DecodeResult.Decoded) stored).event()).message().storedMsgid())
                .isEqualTo("E2");
    }

    @Test
    void withoutATokenABareOriginStillMarksAReplay() {
        assertThat(receive(decoding(Map.of()), "devices/d1/state", "on", Map.of(Message.ORIGIN_PROPERTY, "x"))
                .result()).isInstanceOf(DecodeResult.Skipped.class);
    }

    private static Map<String, String> receivedProperties(InboundDecoding decoding, String topic, String payload,
            Map<String, String> properties) {
        DecodeResult result = receive(decoding, topic, payload, properties).result();
        return ((MessagePublish) ((DecodeResult.Decoded) result).event()).message().userProperties();
    }
}
