package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuidGeneratorTest {

    @Test
    void idsAre32UpperHexAndStrictlyIncreasing() {
        GuidGenerator ids = new GuidGenerator("node1");
        List<String> minted = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            minted.add(ids.next());
        }
        assertThat(minted).allMatch(id -> id.matches("[0-9A-F]{32}"));
        for (int i = 1; i < minted.size(); i++) {
            assertThat(minted.get(i)).isGreaterThan(minted.get(i - 1));
        }
    }

    @Test
    void layoutIsMicrosNodeHashSequence() {
        Instant now = Instant.parse("2025-01-02T03:04:05.123456789Z");
        GuidGenerator ids = new GuidGenerator("node1", Clock.fixed(now, ZoneOffset.UTC));
        String first = ids.next();
        String second = ids.next();
        long micros = now.getEpochSecond() * 1_000_000L + 123_456;
        assertThat(first.substring(0, 16)).isEqualTo(String.format("%016X", micros));
        assertThat(first.substring(28)).isEqualTo("0000");
        assertThat(second.substring(28)).isEqualTo("0001");
        assertThat(second.substring(16, 28)).isEqualTo(first.substring(16, 28));
    }

    @Test
    void exhaustedSequenceAndClockGoingBackStayIncreasing() {
        Instant now = Instant.parse("2025-01-02T03:04:05Z");
        GuidGenerator ids = new GuidGenerator("node1", Clock.fixed(now, ZoneOffset.UTC));
        BigInteger previous = BigInteger.ZERO;
        for (int i = 0; i < 0x10000 + 10; i++) {
            BigInteger id = new BigInteger(ids.next(), 16);
            assertThat(id).isGreaterThan(previous);
            previous = id;
        }
        GuidGenerator later = new GuidGenerator("node1", Clock.fixed(now.minusSeconds(1), ZoneOffset.UTC));
        assertThat(later.next()).hasSize(32);
    }
}
