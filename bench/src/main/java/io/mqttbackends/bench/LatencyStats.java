package io.mqttbackends.bench;

import org.HdrHistogram.Histogram;

/**
 * Latencies in microseconds, up to an hour, at 3 significant digits (HdrHistogram). Thread-safe: the broker
 * ceiling's subscriber records from the MQTT client's threads.
 */
public final class LatencyStats {
    private static final long MAX_MICROS = 3_600_000_000L;
    private final Histogram histogram = new Histogram(MAX_MICROS, 3);
    private long negative;

    /**
     * Records one latency. Both ends are read from the same machine's clock, so a negative value can only be the
     * clocks' granularity (the database's and the JVM's): it is counted and recorded as 0.
     */
    public synchronized void record(long micros) {
        if (micros < 0) {
            negative++;
        }
        histogram.recordValue(Math.min(Math.max(micros, 0), MAX_MICROS));
    }

    public synchronized Summary summary() {
        if (histogram.getTotalCount() == 0) {
            return new Summary(0, null, null, null, negative);
        }
        return new Summary(histogram.getTotalCount(), millis(histogram.getValueAtPercentile(50)),
                millis(histogram.getValueAtPercentile(99)), millis(histogram.getMaxValue()), negative);
    }

    private static double millis(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    /** Percentiles in milliseconds (two decimals); null when nothing was recorded. */
    public record Summary(long count, Double p50Ms, Double p99Ms, Double maxMs, long negative) {
    }
}
