package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The delivery probe's rule, on a clock of the test's own (seconds as nanoTime values). */
class DeliveryProbeTest {
    private static final long S = Duration.ofSeconds(1).toNanos();
    private final DeliveryProbe probe = new DeliveryProbe(Duration.ofSeconds(30));

    @Test
    void nothingOutIsNeverOverdue() {
        assertThat(probe.overdue(1_000 * S)).isEmpty();
    }

    @Test
    void aProbeOutLongerThanTheTimeoutIsOverdueFromTheOldestOne() {
        probe.publishing(0);
        probe.publishing(15 * S);
        assertThat(probe.overdue(30 * S)).isEmpty();
        assertThat(probe.overdue(31 * S)).contains(Duration.ofSeconds(31));
    }

    @Test
    void aProbeBackClearsItAndEveryEarlierOne() {
        long first = probe.publishing(0);
        long second = probe.publishing(15 * S);
        long third = probe.publishing(30 * S);
        probe.returned(second);
        assertThat(probe.overdue(45 * S)).isEmpty();
        assertThat(probe.overdue(61 * S)).as("the third is still out").contains(Duration.ofSeconds(31));
        probe.returned(first);
        assertThat(probe.overdue(61 * S)).as("a late earlier probe does not clear a later one").isPresent();
        probe.returned(third);
        assertThat(probe.overdue(1_000 * S)).isEmpty();
    }

    @Test
    void whileTheRuntimeHeldUnackedEventsTheClockDoesNotRun() {
        probe.publishing(0);
        probe.held(20 * S);
        assertThat(probe.overdue(45 * S)).as("30 s not yet passed since the last held event").isEmpty();
        assertThat(probe.overdue(51 * S)).contains(Duration.ofSeconds(31));
    }

    @Test
    void aProbeThatWasNotPublishedOrBelongedToAnEarlierConnectionIsNotWaitedFor() {
        long refused = probe.publishing(0);
        probe.notPublished(refused);
        assertThat(probe.overdue(100 * S)).isEmpty();
        probe.publishing(100 * S);
        probe.reset();
        assertThat(probe.overdue(200 * S)).isEmpty();
    }
}
