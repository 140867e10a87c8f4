package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BacklogTest {

    @Test
    void publisherWithinTheBoundGoesWithoutAskingTheConsumer() {
        AtomicLong asked = new AtomicLong();
        Backlog backlog = new Backlog(10, asked::incrementAndGet, 1);

        for (long n = 1; n <= 10; n++) {
            backlog.awaitRoom(n);
        }

        assertThat(asked).hasValue(0);
    }

    @Test
    void publisherAheadByMoreThanTheBoundWaitsUntilTheConsumerCatchesUp() {
        // every poll finds one more message consumed
        AtomicLong consumed = new AtomicLong();
        Backlog backlog = new Backlog(10, consumed::incrementAndGet, 1);

        backlog.awaitRoom(15);

        assertThat(consumed).hasValue(5);
    }
}
