package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** One open connection pool of a backend, and the actions compiled against it. */
public interface BackendPool {

    PoolConfig config();

    /**
     * Compiles a hook's action (a built-in function or statement templates) for this pool once, at load.
     *
     * @throws io.mqttbackends.model.conf.ConfigException when the action cannot run here (names the hook line)
     */
    PoolAction prepare(HookConfig hook);

    /**
     * Runs several {@link PoolAction#batchable() batchable} actions of this pool, in list order, as one unit and in
     * as few round trips as the database allows (one transaction with pipelined or multi-row statements, a Redis
     * pipeline, a bulk write): either all of them take effect or the returned Uni fails and none does, so the
     * action stage can retry the batch, or run its elements one by one to isolate a bad one, without applying
     * anything twice. Only actions this pool {@link #prepare prepared} are passed in.
     */
    Uni<Void> runBatch(List<Invocation> writes);

    /** Completes when the database answers a trivial query; fails otherwise. Used by readiness. */
    Uni<Void> ping();

    /** Creates the shipped tables/keyspace/collections if they do not exist ({@code schema.init}). */
    Uni<Void> initSchema();

    /**
     * Whether a failure is worth retrying because the database may come back (connection refused or lost, shutdown,
     * too many connections), as opposed to a failure of this event's data or statement, which retrying cannot fix.
     */
    boolean isTransient(Throwable failure);

    /** Closes the pool; in-flight work completes first. */
    Uni<Void> close();
}
