package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.event.MessagePublish;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The payload size limit at decoding: what is over it is refused without its payload, what is not goes on. */
class InboundDecodingTest {
    private final InboundDecoding decoding = new InboundDecoding(TestConfigs.runtimeConfig(Map.of(
            "ingest.max-payload-size", "1K", "ingest.raw.topics", "raw/#")));

    private DecodeResult decode(String topic, byte[] payload) {
        return decoding.decode(new IncomingPublish(topic, payload, 1, false, Map.of(), 0L), new AtomicInteger()::incrementAndGet)
                .orElseThrow().result();
    }

    @Test
    void aRawPayloadOverTheLimitIsRefusedWithItsSizeAndWithoutItsBytes() {
        DecodeResult result = decode("raw/1", new byte[1025]);

        assertThat(result).isInstanceOfSatisfying(DecodeResult.Refused.class, refused -> {
            assertThat(refused.reason()).isEqualTo("payload-too-large");
            assertThat(refused.size()).isEqualTo(1025);
            assertThat(refused.limit()).isEqualTo(1024);
            assertThat(((MessagePublish) refused.event()).message().payload()).isEmpty();
            assertThat(refused.event().topic()).contains("raw/1");
        });
    }

    @Test
    void aRawPayloadAtTheLimitIsDecoded() {
        assertThat(decode("raw/1", new byte[1024])).isInstanceOf(DecodeResult.Decoded.class);
    }

    /** The emqx-rule envelope may be larger than the limit: what counts is the decoded payload field. */
    @Test
    void anEmqxRuleEventIsJudgedByItsDecodedPayloadField() {
        String padding = "\"username\": \"" + "u".repeat(2000) + "\", ";
        String fits = "{\"event\": \"message.publish\", \"id\": \"0005F\", \"clientid\": \"c1\", " + padding
                + "\"topic\": \"t/1\", \"qos\": 1, \"payload\": \"" + "p".repeat(1024) + "\"}";
        String over = fits.replace("\"payload\": \"", "\"payload\": \"p");

        assertThat(decode("mqttbackends/events/message_publish", fits.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeResult.Decoded.class);
        assertThat(decode("mqttbackends/events/message_publish", over.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DecodeResult.Refused.class, refused -> {
                    assertThat(refused.size()).isEqualTo(1025);
                    assertThat(refused.event().clientid()).isEqualTo("c1");
                });
    }

    @Test
    void aPayloadLimitNotBelowThePacketSizeFailsStartNamingBothSettings() {
        assertThatThrownBy(() -> new InboundDecoding(TestConfigs.runtimeConfig(Map.of(
                "ingest.max-payload-size", "1M", "mqtt.maximum-packet-size", "1M"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mqttbackends.ingest.max-payload-size (1048576 bytes)")
                .hasMessageContaining("mqttbackends.mqtt.maximum-packet-size (1048576 bytes)");
        assertThatThrownBy(() -> new InboundDecoding(TestConfigs.runtimeConfig(Map.of(
                "mqtt.maximum-packet-size", "300M"))))
                .hasMessageContaining("mqttbackends.mqtt.maximum-packet-size must be between 1 and 268435460");
    }
}
