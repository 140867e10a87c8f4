package io.mqttbackends.runtime.backend;

/** What a pool promises about the writes of one {@link BackendPool#apply} call. */
public enum BatchGuarantee {
    /**
     * All writes of the call take effect or none does (one SQL transaction). A failure fails the call, which the
     * action stage reads as every write not applied: it splits the batch until the write at fault is alone.
     */
    ATOMIC,
    /**
     * Each write takes effect or fails on its own (a Redis pipeline, a MongoDB bulk write, Cassandra statements).
     * Since a retry may repeat writes that took effect, every write of such a pool must be idempotent.
     */
    PER_ITEM
}
