package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * One open connection pool of a backend, and the actions compiled against it.
 *
 * <p><b>Lifecycle</b>, in the order the runtime calls it: {@link Backend#open} builds the pool without connecting;
 * {@link #prepare} compiles each hook bound to it (at load, before anything runs); {@link #initSchema} runs once
 * if {@code schema.init} is set, before the pool's first event; then {@link #apply} and the
 * {@linkplain PoolAction.Read reads} run for events, and {@link #ping} for readiness, concurrently; {@link #close}
 * once no configuration uses the pool any more, after its last event finished. The action stage puts a
 * {@linkplain PoolTraits#callTimeout() time limit} on every one of these calls.
 *
 * <p><b>The batch contract.</b> {@link #apply} takes writes this pool {@linkplain #prepare prepared}, in the order
 * they must take effect, and answers one {@link WriteResult} per write. The action stage retries the writes that are
 * {@linkplain WriteResult.NotApplied not applied}, classifies the {@linkplain WriteResult.Failed failed} ones
 * ({@link #classify}) and retries or gives them up, so a write may reach the database more than once: on an
 * {@link BatchGuarantee#ATOMIC} pool the transaction guarantees it took effect at most once; on a
 * {@link BatchGuarantee#PER_ITEM} pool every write must be idempotent (upserts, {@code max}, unique message ids),
 * which each backend proves with a contract test that applies the same batch twice.
 *
 * @param <W> the pool's write type: what one event's write action produces for {@link #apply}
 */
public interface BackendPool<W> {

    PoolConfig config();

    /** What the action stage needs to batch and retry this pool's calls. */
    PoolTraits traits();

    /**
     * Compiles a hook's action (a built-in function or statement templates) for this pool once, at load.
     *
     * @throws io.mqttbackends.model.conf.ConfigException when the action cannot run here (names the hook line)
     */
    PoolAction<W> prepare(HookConfig hook);

    /**
     * Applies writes in list order, in as few round trips as the database allows, and answers one result per write
     * (the list has the same size and order). Fails only when the call as a whole failed before any result was
     * known (the action stage then treats every write as not applied, with that cause).
     */
    Uni<List<WriteResult>> apply(List<W> writes);

    /** Completes when the database answers a trivial query; fails otherwise. Used by readiness. */
    Uni<Void> ping();

    /** Creates the shipped tables/keyspace/collections if they do not exist ({@code schema.init}); idempotent. */
    Uni<Void> initSchema();

    /** How the action stage treats a failure of this pool's calls. */
    FailureClass classify(Throwable failure);

    /** Closes the pool; in-flight work completes first. */
    Uni<Void> close();
}
