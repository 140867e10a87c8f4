package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.conf.PoolConfig;
import java.time.Duration;

/**
 * What a pool declares to the action stage, which batches and retries by it.
 *
 * @param guarantee     atomic or per item ({@link BatchGuarantee})
 * @param concurrency   how many calls the pool serves usefully at once: the action stage runs that many ordered
 *                      partitions (its connection count)
 * @param maxBatchCount the most writes one {@link BackendPool#apply} call takes
 * @param maxBatchBytes the most payload bytes (estimated) one call takes; a single larger write still goes alone
 * @param callTimeout   how long any one call to the database may take before it counts as
 *                      {@link FailureClass#UNAVAILABLE} and is retried
 */
public record PoolTraits(BatchGuarantee guarantee, int concurrency, int maxBatchCount, long maxBatchBytes,
        Duration callTimeout) {

    public PoolTraits {
        if (concurrency < 1 || maxBatchCount < 1 || maxBatchBytes < 1 || callTimeout.isNegative()
                || callTimeout.isZero()) {
            throw new IllegalArgumentException("invalid pool traits: " + concurrency + ", " + maxBatchCount + ", "
                    + maxBatchBytes + ", " + callTimeout);
        }
    }

    /** The most payload bytes one call takes (estimated), whatever {@code batch_size} allows. */
    public static final long MAX_BATCH_BYTES = 16L << 20;

    /**
     * The traits a pool takes from its conf: one partition per connection (each database's pool-size key),
     * {@code batch_size} writes and at most {@link #MAX_BATCH_BYTES} per call, {@code call_timeout}.
     */
    public static PoolTraits of(PoolConfig config, BatchGuarantee guarantee) {
        return new PoolTraits(guarantee, Math.max(1, config.poolSize()), config.intValue("batch_size"),
                MAX_BATCH_BYTES, Duration.ofMillis(config.intValue("call_timeout")));
    }
}
