package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Request;
import java.util.List;
import java.util.function.Function;

/**
 * An action that only writes: the commands an event sends, in order, with no reply that matters and outcome
 * {@link ActionOutcome#NONE}. Kept apart from read-and-reply actions so that the writes of many events can be
 * pipelined together.
 */
public final class RedisWrite implements PoolAction {
    private final Function<Event, List<Request>> commands;
    private final RedisPool pool;
    private final boolean pipelined;

    /**
     * @param pipelined whether the commands of one event may go out as one pipeline, or each must wait for the
     *                  previous one's reply (a {@code commands} action without {@code "pipeline"})
     */
    RedisWrite(RedisPool pool, Function<Event, List<Request>> commands, boolean pipelined) {
        this.pool = pool;
        this.commands = commands;
        this.pipelined = pipelined;
    }

    /** Whether the commands of one event may be pipelined. */
    public boolean pipelined() {
        return pipelined;
    }

    /** The commands this event sends, in order. */
    public List<Request> commands(Event event) {
        return commands.apply(event);
    }

    /**
     * Sends the event's commands: as one {@code MULTI}/{@code EXEC} pipeline when batchable, otherwise one at a time
     * (on a cluster, whose keys span nodes, and for a {@code commands} action without {@code "pipeline"}).
     */
    @Override
    public Uni<ActionOutcome> run(Event event) {
        List<Request> requests = commands(event);
        return (batchable() ? pool.atomically(requests) : pool.sendEach(requests).replaceWithVoid())
                .onItem().transform(done -> ActionOutcome.NONE);
    }

    /** Pipelined writes outside a cluster run with other events' writes in one {@code MULTI}/{@code EXEC}. */
    @Override
    public boolean batchable() {
        return pipelined && !pool.isCluster();
    }
}
