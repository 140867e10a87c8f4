package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.testing.LogCapture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Publishes on topics no filter routes are reported with bounded memory and a bounded log. */
class UnroutedTopicsTest {
    private static final int TOPICS = 200_000;

    @Test
    void twoHundredThousandDistinctTopicsKeepTenInMemoryAndLogElevenLines() {
        AtomicLong now = new AtomicLong(0);
        UnroutedTopics unrouted = new UnroutedTopics(now::get);
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < TOPICS; i++) {
                unrouted.dropped("old/filter/" + i);
                assertThat(unrouted.remembered()).isLessThanOrEqualTo(UnroutedTopics.LOGGED_PER_PERIOD);
            }
            assertThat(log.lines()).hasSize(UnroutedTopics.LOGGED_PER_PERIOD)
                    .allSatisfy(line -> assertThat(line).contains("Dropping publish on 'old/filter/"));

            now.addAndGet(UnroutedTopics.PERIOD.toNanos());
            unrouted.dropped("old/filter/next-period");
            assertThat(log.lines()).hasSize(UnroutedTopics.LOGGED_PER_PERIOD + 2);
            assertThat(log.lines().get(UnroutedTopics.LOGGED_PER_PERIOD)).contains("Dropped "
                    + (TOPICS - UnroutedTopics.LOGGED_PER_PERIOD) + " more publish(es)");
            assertThat(log.lines().get(UnroutedTopics.LOGGED_PER_PERIOD + 1)).contains("'old/filter/next-period'");
            assertThat(unrouted.remembered()).isEqualTo(1);
        }
    }

    @Test
    void aTopicIsLoggedOncePerPeriodNotOncePerPublish() {
        AtomicLong now = new AtomicLong(0);
        UnroutedTopics unrouted = new UnroutedTopics(now::get);
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 1000; i++) {
                unrouted.dropped("stale/topic");
            }
            assertThat(log.lines()).hasSize(1);
            now.addAndGet(UnroutedTopics.PERIOD.toNanos());
            unrouted.dropped("stale/topic");
            assertThat(log.lines()).hasSize(2);
        }
    }
}
