package io.mqttbackends.runtime.backend;

import io.mqttbackends.runtime.config.ActionSpec;
import io.mqttbackends.runtime.config.ConfigException;
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

    /**
     * The statements of a hook that does not call a function, checked to be in the one {@code language} this
     * database runs.
     *
     * @throws ConfigException naming the hook line otherwise
     */
    static ActionSpec.Statements statements(HookConfig hook, ActionSpec.Language language) {
        ActionSpec.Statements statements = (ActionSpec.Statements) hook.action();
        if (statements.language() != language) {
            throw new ConfigException(hook.location(), hook.kind() + " hooks run \"" + language.key()
                    + "\" statements, not \"" + statements.language().key() + "\"");
        }
        return statements;
    }

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
