package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RawDecoderTest {

    private final RawDecoder decoder = new RawDecoder(new GuidGenerator("n1"), "n1", EventTrust.NONE);

    @Test
    void anyPublishIsAMessagePublishWithMintedId() {
        byte[] payload = {0, 1, (byte) 0xFF};
        DecodeResult result = decoder.decode(new IncomingPublish("sensors/1", payload, 1, true, Map.of("k", "v"),
                1_700_000_000_000L));
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        MessagePublish event = (MessagePublish) ((DecodeResult.Decoded) result).event();
        Message m = event.message();
        assertThat(m.msgid()).matches("[0-9A-F]{32}");
        assertThat(m.from()).isEmpty();
        assertThat(m.topic()).isEqualTo("sensors/1");
        assertThat(m.qos()).isEqualTo(1);
        assertThat(m.retain()).isTrue();
        assertThat(m.payload()).containsExactly(payload);
        assertThat(m.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(m.userProperties()).containsEntry("k", "v");
        assertThat(event.node()).isEqualTo("n1");
        assertThat(event.timestamp()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void consecutiveIdsIncrease() {
        IncomingPublish publish = new IncomingPublish("t", "x".getBytes(StandardCharsets.UTF_8), 0, false, null, 1);
        String first = ((MessagePublish) ((DecodeResult.Decoded) decoder.decode(publish)).event()).message().msgid();
        String second = ((MessagePublish) ((DecodeResult.Decoded) decoder.decode(publish)).event()).message().msgid();
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void ownReplayIsSkipped() {
        DecodeResult result = decoder.decode(new IncomingPublish("t", new byte[0], 1, false,
                Map.of(Message.ORIGIN_PROPERTY, "mqttbackends-runtime", Message.MSGID_PROPERTY, "ABC"), 1));
        assertThat(result).isInstanceOf(DecodeResult.Skipped.class);
    }
}
