package io.mqttbackends.runtime.backend;

import io.smallrye.mutiny.Uni;

/**
 * What a pool may ask of the rest of the runtime, handed to {@link Backend#open}: a backend injects no application
 * bean, so it cannot reach past this.
 */
public interface PoolContext {

    /**
     * Carries a broker request out (subscribe or unsubscribe a client, deliver messages) as if an action had returned
     * it, e.g. for a message on a Redis control channel; completes when done or given up, never fails.
     */
    Uni<Void> requestBroker(ActionOutcome request);

    /** Whether broker control can subscribe and unsubscribe clients from outside (EMQX's REST API). */
    boolean brokerCanSubscribeClients();

    /** Counts input the pool received and ignored as malformed, by source and kind (a metric; no client data). */
    void rejected(String source, String kind);

    /**
     * Records a finished run of the pool's message retention ({@code retention.*}; a metric). A context that keeps
     * no metrics, such as a test's, may ignore it.
     *
     * @param pool the pool's qualified name ({@code pgsql.pool1})
     */
    default void retentionRan(String pool, RetentionRun run) {
    }
}
