package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Function;

/**
 * A pure write: the statements an event runs, in order, in one transaction, with nothing to ask of the broker. The
 * statements are exposed ({@link #commands}) so that a caller can run the writes of many events together.
 *
 * @param commands the ordered statements of one event
 * @param pool     where {@link #run} executes them
 */
public record SqlWrite(Function<Event, List<SqlCommand>> commands, SqlPool pool) implements PoolAction {

    @Override
    public Uni<ActionOutcome> run(Event event) {
        return Uni.createFrom().deferred(() -> pool.inOneTransaction(commands.apply(event)))
                .onItem().transform(done -> ActionOutcome.NONE);
    }

    /** Many events' writes can share one transaction ({@link SqlPool#runBatch}). */
    @Override
    public boolean batchable() {
        return true;
    }
}
