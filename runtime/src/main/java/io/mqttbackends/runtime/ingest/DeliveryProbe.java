package io.mqttbackends.runtime.ingest;

import java.time.Duration;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The bookkeeping of the delivery probe: which probes are out, since when, and whether the broker is late returning
 * them. Times are {@link System#nanoTime()} values passed in, so the rule is testable without waiting.
 *
 * <p>The rule: the broker has stopped delivering when a probe has been out longer than the timeout, counted from the
 * later of its publication and the last moment the runtime held an un-acked event. While the runtime holds un-acked
 * events the broker's window may be full of them (a slow database), and a probe queued behind them proves nothing;
 * the pipeline's own stall-timeout covers that case. With nothing held, the broker has no reason not to deliver.
 */
final class DeliveryProbe {
    private final long timeoutNanos;
    /** Probes published and not back, by sequence number, with their publication time. */
    private final NavigableMap<Long, Long> outstanding = new TreeMap<>();
    private long sequence;
    private long heldAt = Long.MIN_VALUE;

    DeliveryProbe(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** A probe is about to be published at {@code now}: its sequence number, which its payload carries. */
    synchronized long publishing(long now) {
        long number = ++sequence;
        outstanding.put(number, now);
        return number;
    }

    /** The probe never reached the broker (refused, connection lost): it is not waited for. */
    synchronized void notPublished(long number) {
        outstanding.remove(number);
    }

    /**
     * Probe {@code number} came back. The broker delivers one session's QoS 1 publishes in order, so every earlier
     * probe that is still out was lost with an earlier connection and is not waited for either.
     */
    synchronized void returned(long number) {
        outstanding.headMap(number, true).clear();
    }

    /** The runtime held an un-acked event at {@code now}. */
    synchronized void held(long now) {
        heldAt = Math.max(heldAt, now);
    }

    /** A new connection: probes of the old one are not waited for. */
    synchronized void reset() {
        outstanding.clear();
    }

    /** How long the overdue probe has been waited for, when it is past the timeout; else empty. */
    synchronized Optional<Duration> overdue(long now) {
        if (outstanding.isEmpty()) {
            return Optional.empty();
        }
        long waited = now - Math.max(outstanding.firstEntry().getValue(), heldAt);
        return waited > timeoutNanos ? Optional.of(Duration.ofNanos(waited)) : Optional.empty();
    }
}
