package io.mqttbackends.runtime.backend;

/** What a pool promises about the writes of one {@link BackendPool#apply} call. */
public enum BatchGuarantee {
    /**
     * All writes of the call take effect or none does (one SQL transaction). A failure marks every write
     * {@link WriteResult.NotApplied} (or, in a batch of one, {@link WriteResult.Failed}): the action stage splits
     * the batch to find the write at fault.
     */
    ATOMIC,
    /**
     * Each write takes effect or fails on its own (a Redis pipeline, a MongoDB bulk write, Cassandra statements).
     * Since a retry may repeat writes that took effect, every write of such a pool must be idempotent.
     */
    PER_ITEM
}
