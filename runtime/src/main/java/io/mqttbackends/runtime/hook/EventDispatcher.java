package io.mqttbackends.runtime.hook;

import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.action.ActionRunner;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one event's hooks. Each applying hook is submitted at once, in conf order, to its pool's action stage, which
 * keeps the order of one ordering key (client id for lifecycle events, topic for messages) per pool, runs other keys
 * in parallel and batches writes; the reach-backs (replays, subscriptions) are carried out in conf order once their
 * actions are done. The whole event runs against the configuration generation it started with.
 */
@ApplicationScoped
public class EventDispatcher {

    private final ActiveConfiguration configuration;
    private final ActionRunner runner;
    private final RuntimeMetrics metrics;

    public EventDispatcher(ActiveConfiguration configuration, ActionRunner runner, RuntimeMetrics metrics) {
        this.configuration = configuration;
        this.runner = runner;
        this.metrics = metrics;
    }

    /**
     * Submits the event's actions now, which fixes their place in each pool's order, and completes when every action
     * was applied or given up (given-up actions are dead-lettered by the action stage) and every reach-back was
     * carried out. Fails only on a fault outside the actions (a bug); the configuration it acquired is released on
     * every path.
     */
    public Uni<Void> dispatch(Event event) {
        metrics.eventStarted();
        ActiveConfiguration.Lease lease;
        try {
            lease = configuration.acquire();
        } catch (RuntimeException e) {
            metrics.eventFinished();
            return Uni.createFrom().failure(e);
        }
        Uni<Void> reachedBack;
        try {
            List<Uni<ActionOutcome>> outcomes = new ArrayList<>();
            for (BoundHook<?> hook : lease.table().hooksFor(event)) {
                outcomes.add(submit(hook, event));
            }
            // Reach-backs in conf order, each once its action is done; a plain chain, since most events have one hook.
            reachedBack = Uni.createFrom().voidItem();
            for (Uni<ActionOutcome> outcome : outcomes) {
                reachedBack = reachedBack.onItem().transformToUni(previous -> outcome.onItem()
                        .transformToUni(runner::reachBack));
            }
        } catch (RuntimeException e) {
            reachedBack = Uni.createFrom().failure(e);
        }
        return reachedBack.eventually(() -> {
            lease.close();
            metrics.eventFinished();
        });
    }

    private <W> Uni<ActionOutcome> submit(BoundHook<W> hook, Event event) {
        BackendPool<W> pool = hook.pool();
        PoolAction<W> action = hook.action();
        HookConfig config = hook.config();
        return runner.submit(pool, action, config, event);
    }
}
