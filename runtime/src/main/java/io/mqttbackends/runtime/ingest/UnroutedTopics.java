package io.mqttbackends.runtime.ingest;

import io.mqttbackends.model.LogText;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Reports publishes on topics no configured filter matches (subscriptions an earlier configuration left in the
 * persistent session) with bounded memory and a bounded log: per {@link #PERIOD}, the first {@link #LOGGED_PER_PERIOD}
 * distinct topics are logged at WARN, the rest only counted, and the count is logged once at the next such publish
 * after the period. Remembering every topic ever logged grew without end: 200,000 topics after a reload held 31 MB
 * of heap and wrote a 58 MB log.
 */
final class UnroutedTopics {
    private static final Logger LOG = Logger.getLogger(UnroutedTopics.class);
    static final Duration PERIOD = Duration.ofMinutes(1);
    static final int LOGGED_PER_PERIOD = 10;

    private final LongSupplier nanoTime;
    private final Set<String> logged = new HashSet<>();
    private long periodStart;
    private long unlogged;

    UnroutedTopics(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.periodStart = nanoTime.getAsLong();
    }

    /** One publish on {@code topic}, which no configured ingest filter matches (it was acked and dropped). */
    synchronized void dropped(String topic) {
        long now = nanoTime.getAsLong();
        if (now - periodStart >= PERIOD.toNanos()) {
            if (unlogged > 0) {
                LOG.warnf("Dropped %d more publish(es) on topics no configured ingest filter matches in the last %s"
                        + " (not logged one by one)", unlogged, PERIOD);
            }
            logged.clear();
            unlogged = 0;
            periodStart = now;
        }
        if (logged.contains(topic)) {
            return;
        }
        if (logged.size() >= LOGGED_PER_PERIOD) {
            unlogged++;
            return;
        }
        logged.add(topic);
        LOG.warnf("Dropping publish on '%s': no configured ingest filter matches it (a subscription left in the "
                + "persistent session by an earlier configuration?)", LogText.of(topic));
    }

    /** How many topics are remembered now (at most {@link #LOGGED_PER_PERIOD}). */
    synchronized int remembered() {
        return logged.size();
    }
}
