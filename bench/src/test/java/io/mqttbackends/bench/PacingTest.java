package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacingTest {
    private static final long START = 1_000_000_000L;

    @Test
    void unpacedPublisherNeverSleeps() {
        assertThat(new Pacing(0).sleepBefore(1_000, START, START)).isZero();
    }

    @Test
    void messageThatIsDueGoesAtOnce() {
        Pacing pacing = new Pacing(4_000); // one message every 250 µs

        assertThat(pacing.sleepBefore(4, START, START + 1_000_000)).isZero();
        assertThat(pacing.sleepBefore(3, START, START + 1_000_000)).isZero();
    }

    @Test
    void publisherAheadOfScheduleSleepsUntilTheMessageIsDueButAtLeastAMillisecond() {
        Pacing pacing = new Pacing(4_000);

        assertThat(pacing.sleepBefore(1, START, START)).isEqualTo(Pacing.MIN_SLEEP_NANOS);
        assertThat(pacing.sleepBefore(40, START, START)).isEqualTo(10_000_000L);
    }

    @Test
    void afterAMinimumSleepTheMessagesThatCameDueGoTogether() {
        Pacing pacing = new Pacing(4_000);
        long woke = START + Pacing.MIN_SLEEP_NANOS;

        for (long seq = 1; seq <= 4; seq++) {
            assertThat(pacing.sleepBefore(seq, START, woke)).as("message %d", seq).isZero();
        }
        assertThat(pacing.sleepBefore(5, START, woke)).isEqualTo(Pacing.MIN_SLEEP_NANOS);
    }
}
