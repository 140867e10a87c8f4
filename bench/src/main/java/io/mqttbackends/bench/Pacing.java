package io.mqttbackends.bench;

/**
 * When a paced publisher's next message is due. Message {@code seq} is due at {@code start + seq * interval};
 * a publisher ahead of its schedule sleeps until then, but for at least {@link #MIN_SLEEP_NANOS}, and then sends
 * everything that has come due in one go. Sleeping per message (every 265 µs at 15,000 msgs/s over four publishers),
 * the co-located driver used 62 % of a core and made 55,000 context switches per second in the half-rate pass; with
 * per-millisecond sleeps, 36 % and 32,000. The average rate is kept, and so is the per-message stamp (taken when a
 * message is created, after the sleep), so the latency still measures what the message waited for once sent.
 */
public final class Pacing {
    static final long MIN_SLEEP_NANOS = 1_000_000L;

    private final long intervalNanos;

    /** @param ratePerSecond this publisher's rate; 0 or less: as fast as possible */
    public Pacing(double ratePerSecond) {
        this.intervalNanos = ratePerSecond > 0 ? (long) (1e9 / ratePerSecond) : 0;
    }

    /** Nanoseconds to sleep before sending message {@code seq}, or 0 when it is due at {@code now}. */
    public long sleepBefore(long seq, long startNanos, long now) {
        long wait = startNanos + seq * intervalNanos - now;
        return wait > 0 ? Math.max(wait, MIN_SLEEP_NANOS) : 0;
    }
}
