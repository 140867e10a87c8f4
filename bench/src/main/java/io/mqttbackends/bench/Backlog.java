package io.mqttbackends.bench;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Keeps the publishers at most {@code bound} messages ahead of the consumer (the subscriber's count, or the rows
 * stored). Mosquitto assigns a message its packet id when it queues it for a subscriber, not when it sends it, so
 * more than 65,535 messages queued for one session reuse the ids of messages still in flight: the subscriber then
 * drops the connection for a protocol error and the redelivery duplicates rows. Measured here: 200,000 messages
 * published at full speed into a runtime storing 700/s ended with 561,293 rows. With the bound, a consumer slower
 * than the publishers sets the pace, which is what "sustained" means.
 */
final class Backlog {
    private final long bound;
    private final LongSupplier consumed;
    private final long pollNanos;
    private volatile long lastConsumed;
    private long lastPoll;

    /** @param pollMillis how often {@code consumed} may be read (a database count is not free) */
    Backlog(long bound, LongSupplier consumed, long pollMillis) {
        this.bound = bound;
        this.consumed = consumed;
        this.pollNanos = pollMillis * 1_000_000L;
        this.lastPoll = System.nanoTime() - pollNanos;
    }

    /**
     * Returns once the message numbered {@code published} (1-based, over all publishers) may go out. Within the
     * bound it takes no lock: the publishers call it for every message, and a contended monitor parks threads.
     */
    void awaitRoom(long published) {
        if (published - lastConsumed > bound) {
            waitForConsumer(published);
        }
    }

    private synchronized void waitForConsumer(long published) {
        while (published - lastConsumed > bound) {
            long wait = lastPoll + pollNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
            lastConsumed = consumed.getAsLong();
            lastPoll = System.nanoTime();
        }
    }
}
