package io.mqttbackends.runtime.backend;

import io.mqttbackends.runtime.action.ActionOutcome;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;

/**
 * A hook's action compiled for one pool. Runs on a Vert.x event loop or any other thread and never blocks.
 * Guards shared by every database (QoS 0 is not stored, a replay is not re-stored, ...) are applied by the hook
 * stage before the action runs, so an action does its database work unconditionally.
 */
@FunctionalInterface
public interface PoolAction {
    Uni<ActionOutcome> run(Event event);
}
