package io.mqttbackends.runtime.backend;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;

/**
 * A hook's action compiled for one pool. Runs on a Vert.x event loop or any other thread and never blocks.
 * Guards shared by every database (QoS 0 is not stored, a replay is not re-stored, ...) are applied by the hook
 * stage before the action runs, so an action does its database work unconditionally.
 */
@FunctionalInterface
public interface PoolAction {

    /** Runs the action for one event, as one unit: it takes effect whole or fails. */
    Uni<ActionOutcome> run(Event event);

    /**
     * Whether this action only writes and always yields {@link ActionOutcome#NONE}. The action stage then runs it
     * together with its pool's other pending writes through {@link BackendPool#runBatch}, in one round trip;
     * actions that read (fetches, lookups) run alone, in their place in the pool's order.
     */
    default boolean batchable() {
        return false;
    }
}
