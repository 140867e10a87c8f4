package io.mqttbackends.runtime.action;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.broker.BrokerControl;
import io.mqttbackends.runtime.broker.BrokerControlException;
import io.mqttbackends.runtime.config.HookConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one hook's action for one event, with the retry policy, and carries its outcome out through broker control.
 *
 * <p>A failure the pool calls transient (database unreachable) is retried with backoff for as long as it lasts: the
 * event stays unacked, so the broker keeps it and nothing is lost. Any other failure is retried a bounded number of
 * times, then logged at ERROR with the hook line and counted, and the event moves on: one bad event must not stop
 * the stream.
 */
@ApplicationScoped
public class ActionRunner {
    private static final Logger LOG = Logger.getLogger(ActionRunner.class);

    private final RuntimeConfig.Retry retry;
    private final BrokerControl broker;
    private final RuntimeMetrics metrics;

    public ActionRunner(RuntimeConfig config, BrokerControl broker, RuntimeMetrics metrics) {
        this.retry = config.retry();
        this.broker = broker;
        this.metrics = metrics;
    }

    /** Completes when the action and its reach-back are done or given up; never fails. */
    public Uni<Void> run(BackendPool pool, PoolAction action, HookConfig hook, Event event) {
        String poolName = pool.config().qualifiedName();
        long start = System.nanoTime();
        return attempt(pool, action, hook, event)
                .onItem().transformToUni(outcome -> reachBack(outcome))
                .onItem().invoke(() -> metrics.action(poolName, hook.actionName(), "success", since(start)))
                .onFailure().invoke(failure -> {
                    metrics.action(poolName, hook.actionName(), "failure", since(start));
                    LOG.errorf("hook %s (%s on %s) gave up on %s event (client '%s', topic '%s'): %s",
                            hook.location(), hook.actionName(), poolName, event.hookPoint(), event.clientid(),
                            event.topic().orElse(""), describe(failure));
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<ActionOutcome> attempt(BackendPool pool, PoolAction action, HookConfig hook, Event event) {
        String poolName = pool.config().qualifiedName();
        return Uni.createFrom().deferred(() -> action.run(event))
                .onFailure().invoke(failure -> {
                    boolean unavailable = pool.isTransient(failure);
                    metrics.actionRetry(poolName, hook.actionName(), unavailable);
                    LOG.debugf("hook %s on %s failed (%s), retrying: %s", hook.location(), poolName,
                            unavailable ? "database unavailable" : "error", describe(failure));
                })
                .onFailure(pool::isTransient).retry()
                .withBackOff(retry.initialBackoff(), retry.maxBackoff()).indefinitely()
                .onFailure().retry()
                .withBackOff(retry.initialBackoff(), retry.maxBackoff()).atMost(Math.max(0, retry.maxAttempts() - 1));
    }

    /**
     * Carries an outcome out through broker control, retrying what the broker may still accept; fails when the
     * broker refused or kept failing. Also used for requests that arrive outside hooks (the Redis control channel).
     */
    public Uni<Void> reachBack(ActionOutcome outcome) {
        if (outcome instanceof ActionOutcome.Deliver deliver && !deliver.messages().isEmpty()) {
            return brokerCall("deliver", () -> broker.deliver(deliver.clientid(), deliver.messages()));
        }
        if (outcome instanceof ActionOutcome.SubscribeClient subscribe && !subscribe.subscriptions().isEmpty()) {
            return brokerCall("subscribe", () -> broker.subscribe(subscribe.clientid(), subscribe.subscriptions()));
        }
        if (outcome instanceof ActionOutcome.UnsubscribeClient unsubscribe && !unsubscribe.topics().isEmpty()) {
            return brokerCall("unsubscribe", () -> broker.unsubscribe(unsubscribe.clientid(), unsubscribe.topics()));
        }
        return Uni.createFrom().voidItem();
    }

    /** Retries what the broker may still accept; a definitive answer (e.g. 404 client not found) is final. */
    private Uni<Void> brokerCall(String operation, Supplier<Uni<Void>> call) {
        return Uni.createFrom().<Void>deferred(call::get)
                .onFailure(failure -> !(failure instanceof BrokerControlException refused) || refused.isTransient())
                .retry().withBackOff(retry.initialBackoff(), retry.maxBackoff())
                .atMost(Math.max(0, retry.maxAttempts() - 1))
                .onItem().invoke(() -> metrics.brokerCall(operation, "success"))
                .onFailure().invoke(() -> metrics.brokerCall(operation, "failure"));
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }
}
