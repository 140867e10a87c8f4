package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void percentilesOfAUniformSpreadInMilliseconds() {
        LatencyStats stats = new LatencyStats();
        for (long ms = 1; ms <= 1000; ms++) {
            stats.record(ms * 1000);
        }

        LatencyStats.Summary s = stats.summary();

        assertThat(s.count()).isEqualTo(1000);
        assertThat(s.p50Ms()).isCloseTo(500.0, within(0.5));
        assertThat(s.p99Ms()).isCloseTo(990.0, within(1.0));
        assertThat(s.maxMs()).isCloseTo(1000.0, within(1.0));
        assertThat(s.negative()).isZero();
    }

    @Test
    void oneSlowOutlierInAHundredShowsInP99NotInP50() {
        LatencyStats stats = new LatencyStats();
        for (int i = 0; i < 98; i++) {
            stats.record(2_000);
        }
        stats.record(80_000);
        stats.record(80_000);

        assertThat(stats.summary().p50Ms()).isCloseTo(2.0, within(0.01));
        assertThat(stats.summary().p99Ms()).isCloseTo(80.0, within(0.1));
    }

    @Test
    void negativeLatencyFromClockGranularityCountsAsZeroAndIsReported() {
        LatencyStats stats = new LatencyStats();
        stats.record(-3);
        stats.record(1_500);

        assertThat(stats.summary().negative()).isEqualTo(1);
        assertThat(stats.summary().p50Ms()).isEqualTo(0.0);
        assertThat(stats.summary().maxMs()).isCloseTo(1.5, within(0.01));
    }

    @Test
    void nothingRecordedHasNoPercentiles() {
        LatencyStats.Summary s = new LatencyStats().summary();

        assertThat(s.count()).isZero();
        assertThat(s.p50Ms()).isNull();
        assertThat(s.p99Ms()).isNull();
    }
}
