package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BenchPayloadTest {

    @Test
    void publishTimeAndSequenceReadBackFromThePaddedPayload() {
        byte[] payload = BenchPayload.encode(1_764_160_000_123_456L, 42, 256);

        assertThat(payload).hasSize(256);
        assertThat(BenchPayload.publishMicros(payload)).isEqualTo(1_764_160_000_123_456L);
        assertThat(BenchPayload.sequence(payload)).isEqualTo(42);
        assertThat(new String(payload, StandardCharsets.US_ASCII)).startsWith("1764160000123456 0000000042 x")
                .endsWith("xxx");
    }

    @Test
    void sequenceSitsWhereTheSqlSubstringReadsIt() {
        String text = new String(BenchPayload.encode(1, 987_654_321L, BenchPayload.HEADER_BYTES),
                StandardCharsets.US_ASCII);

        assertThat(text.substring(BenchPayload.SEQUENCE_FROM - 1,
                BenchPayload.SEQUENCE_FROM - 1 + BenchPayload.SEQUENCE_DIGITS)).isEqualTo("0987654321");
        assertThat(text.substring(0, 16)).isEqualTo("0000000000000001");
    }

    @Test
    void payloadSmallerThanTheHeaderIsRefused() {
        assertThatThrownBy(() -> BenchPayload.encode(1, 1, BenchPayload.HEADER_BYTES - 1))
                .hasMessageContaining("below the 28-byte header");
    }

    @Test
    void foreignPayloadIsRejectedNotMisread() {
        assertThatThrownBy(() -> BenchPayload.publishMicros("hello world, not a bench payload".getBytes()))
                .hasMessageContaining("not a benchmark payload");
        assertThatThrownBy(() -> BenchPayload.sequence(new byte[5])).hasMessageContaining("5 bytes");
    }
}
