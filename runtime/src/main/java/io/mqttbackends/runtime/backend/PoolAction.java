package io.mqttbackends.runtime.backend;

import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;
import java.util.function.Function;

/**
 * A hook's action compiled for one pool of write type {@code W}: either a write, which the action stage batches with
 * the pool's other writes through {@link BackendPool#apply}, or a read that answers something for the broker (a
 * fetch, a lookup) and runs alone. Guards shared by every database (QoS 0 is not stored, a replay is not re-stored)
 * are applied by the hook stage before, so an action does its database work unconditionally. Neither kind blocks.
 *
 * @param <W> the pool's write type
 */
public sealed interface PoolAction<W> {

    /**
     * Only writes, with nothing to ask of the broker.
     *
     * @param write the write one event makes; must be idempotent on a {@link BatchGuarantee#PER_ITEM} pool
     */
    record Write<W>(Function<Event, W> write) implements PoolAction<W> {
    }

    /**
     * Reads (and possibly writes) and answers with what the broker must do. Runs alone, in its place in its ordering
     * key's order, as one unit: it takes effect whole or fails.
     */
    record Read<W>(Function<Event, Uni<ActionOutcome>> run) implements PoolAction<W> {
    }
}
