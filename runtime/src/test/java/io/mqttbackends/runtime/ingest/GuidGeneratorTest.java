package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
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
    void anExhaustedSequenceBorrowsTheNextMicrosecondAndIdsStayIncreasing() {
        Instant now = Instant.parse("2025-01-02T03:04:05Z");
        GuidGenerator ids = new GuidGenerator("node1", Clock.fixed(now, ZoneOffset.UTC));
        long micros = now.getEpochSecond() * 1_000_000L;
        BigInteger previous = BigInteger.ZERO;
        String last = null;
        for (int i = 0; i < 0x10000 + 10; i++) {
            last = ids.next();
            BigInteger id = new BigInteger(last, 16);
            assertThat(id).isGreaterThan(previous);
            previous = id;
        }
        // 0x10000 ids used up the sequence of `micros`; the next 10 are on the following microsecond.
        assertThat(last.substring(0, 16)).isEqualTo(String.format("%016X", micros + 1));
        assertThat(last.substring(28)).isEqualTo("0009");
    }

    @Test
    void whenTheClockStepsBackIdsKeepTheLastTimestampAndCountOnUntilTheClockPassesIt() {
        Instant start = Instant.parse("2025-01-02T03:04:05.000100Z");
        long micros = start.getEpochSecond() * 1_000_000L + 100;
        SteppedClock clock = new SteppedClock(start);
        GuidGenerator ids = new GuidGenerator("node1", clock);
        String before = ids.next();

        clock.set(start.minusSeconds(2));
        String back1 = ids.next();
        String back2 = ids.next();
        assertThat(List.of(back1, back2)).allSatisfy(id ->
                assertThat(id.substring(0, 16)).isEqualTo(String.format("%016X", micros)));
        assertThat(back1.substring(28)).isEqualTo("0001");
        assertThat(back2.substring(28)).isEqualTo("0002");

        clock.set(start.plusNanos(1_000));
        String after = ids.next();
        assertThat(after.substring(0, 16)).isEqualTo(String.format("%016X", micros + 1));
        assertThat(after.substring(28)).isEqualTo("0000");
        assertThat(List.of(before, back1, back2, after)).doesNotHaveDuplicates().isSorted();
    }

    /** A clock the test moves by hand, backwards too. */
    private static final class SteppedClock extends Clock {
        private Instant now;

        SteppedClock(Instant start) {
            now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the generator reads instants only");
        }
    }
}
