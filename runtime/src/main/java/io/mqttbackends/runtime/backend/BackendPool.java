package io.mqttbackends.runtime.backend;

import io.mqttbackends.runtime.config.HookConfig;
import io.mqttbackends.runtime.config.PoolConfig;
import io.smallrye.mutiny.Uni;

/** One open connection pool of a backend, and the actions compiled against it. */
public interface BackendPool {

    PoolConfig config();

    /**
     * Compiles a hook's action (a built-in function or statement templates) for this pool once, at load.
     *
     * @throws io.mqttbackends.runtime.config.ConfigException when the action cannot run here (names the hook line)
     */
    PoolAction prepare(HookConfig hook);

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
