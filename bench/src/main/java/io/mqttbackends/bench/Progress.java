package io.mqttbackends.bench;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Waits for a count to reach the expected number of messages, then for it to stay put for a moment (a duplicate
 * arriving late must show in the verification). Gives up when the count has not moved for {@code --stall-seconds}:
 * the figures then show what arrived, and the verification fails.
 */
final class Progress {
    /** How long the count must stay put after reaching N. */
    private static final long SETTLE_MILLIS = 500;

    private Progress() {
    }

    /**
     * @param pollMillis how often to count: a counter in memory can be read often, a {@code count(*)} costs the
     *     database CPU that the runtime competes for, so it is read rarely (the end time comes from the rows' own
     *     time stamps, not from the poll)
     */
    static long await(String what, BenchOptions options, LongSupplier count, long pollMillis) {
        long stablePolls = Math.max(1, SETTLE_MILLIS / pollMillis);
        long last = -1;
        long lastChange = System.nanoTime();
        int stable = 0;
        while (true) {
            long now = count.getAsLong();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
                stable = 0;
            } else {
                stable++;
            }
            if (now >= options.messages() && stable >= stablePolls) {
                return now;
            }
            if (System.nanoTime() - lastChange > options.stallSeconds() * 1_000_000_000L) {
                System.err.printf("bench: %s stalled at %d of %d messages for %d s%n", what, now,
                        options.messages(), options.stallSeconds());
                return now;
            }
            LockSupport.parkNanos(pollMillis * 1_000_000L);
        }
    }
}
