package io.mqttbackends.runtime.action;

import io.mqttbackends.model.LogText;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.Subscription;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.RetentionRun;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.CompletionStage;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs hooks' actions through their pool's {@link PoolBatcher} (ordered per key, writes batched, the retry policy)
 * and carries their outcomes out through broker control.
 *
 * <p>An action given up after its retries is logged at ERROR with the hook line, counted, and published to the
 * dead-letter topic; the event then moves on: one bad event must not stop the stream.
 */
@ApplicationScoped
public class ActionRunner {
    private static final Logger LOG = Logger.getLogger(ActionRunner.class);

    private final RuntimeConfig.Retry retry;
    private final BrokerControl broker;
    private final DeadLetterSink deadLetters;
    private final RuntimeMetrics metrics;
    /** Each pool's batcher; the batcher of a {@code BackendPool<W>} is a {@code PoolBatcher<W>}. */
    private final Map<BackendPool<?>, PoolBatcher<?>> batchers = new ConcurrentHashMap<>();
    /** The batcher serving each pool name now, for the age gauge, which outlives pools replaced by a reload. */
    private final Map<String, PoolBatcher<?>> byName = new ConcurrentHashMap<>();
    private final PoolContext poolContext;
    private final SubscriptionPolicy subscriptions;

    public ActionRunner(RuntimeConfig config, BrokerControl broker, DeadLetterSink deadLetters,
            RuntimeMetrics metrics) {
        this.retry = config.retry();
        this.broker = broker;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.subscriptions = new SubscriptionPolicy(config.brokerControl().allowWildcardSubscriptions(), metrics);
        this.poolContext = new PoolContext() {
            @Override
            public Uni<Void> requestBroker(ActionOutcome request) {
                return reachBack(request);
            }

            @Override
            public boolean brokerCanSubscribeClients() {
                return broker.canSubscribeClients();
            }

            @Override
            public void rejected(String source, String kind) {
                metrics.eventRejected(source, kind);
            }

            @Override
            public void retentionRan(String pool, RetentionRun run) {
                metrics.retentionRun(pool, run.deletedRows(), run.succeeded(), run.duration());
            }
        };
    }

    /** What pools may ask of the runtime: handed to every {@link io.mqttbackends.runtime.backend.Backend#open}. */
    public PoolContext poolContext() {
        return poolContext;
    }

    /**
     * Queues the action for the event now, which fixes its place in its pool's order: callers submit the hooks of
     * an event in conf order and events in arrival order. Completes with the action's outcome once it ran, or with
     * {@link ActionOutcome#NONE} once it was given up; never fails.
     */
    public <W> Uni<ActionOutcome> submit(BackendPool<W> pool, PoolAction<W> action, HookConfig hook, Event event) {
        String poolName = pool.config().qualifiedName();
        long start = System.nanoTime();
        // Submitted now, not on subscription: the call fixes the action's place in its pool's order.
        CompletionStage<ActionOutcome> queued = batcher(pool).submit(hook, action, event);
        return Uni.createFrom().completionStage(queued)
                .onItem().invoke(() -> metrics.action(poolName, hook.actionName(), "success", since(start)))
                .onFailure().call(failure -> {
                    metrics.action(poolName, hook.actionName(), "failure", since(start));
                    LOG.errorf("hook %s (%s on %s) gave up on %s event (client '%s', topic '%s'): %s",
                            hook.location(), hook.actionName(), poolName, event.hookPoint(),
                            LogText.of(event.clientid()), LogText.of(event.topic().orElse("")), describe(failure));
                    metrics.deadLetter(poolName, hook.actionName());
                    return deadLetters.publish(new DeadLetter(hook.location().toString(), Optional.of(poolName),
                            Optional.of(hook.actionName()), event, failure));
                })
                .onFailure().recoverWithItem(ActionOutcome.NONE);
    }

    /** Carries out an action's outcome through broker control; never fails (a failure is logged and counted). */
    public Uni<Void> reachBack(ActionOutcome outcome) {
        if (outcome instanceof ActionOutcome.Deliver deliver && !deliver.messages().isEmpty()) {
            return brokerCall("deliver", deliver.clientid(),
                    () -> broker.deliver(deliver.clientid(), deliver.messages()));
        }
        if (outcome instanceof ActionOutcome.SubscribeClient subscribe) {
            List<Subscription> admitted = subscriptions.admitted(subscribe.clientid(), subscribe.subscriptions());
            if (!admitted.isEmpty()) {
                return brokerCall("subscribe", subscribe.clientid(),
                        () -> broker.subscribe(subscribe.clientid(), admitted));
            }
        }
        if (outcome instanceof ActionOutcome.UnsubscribeClient unsubscribe) {
            List<String> topics = subscriptions.unsubscribable(unsubscribe.clientid(), unsubscribe.topics());
            if (!topics.isEmpty()) {
                return brokerCall("unsubscribe", unsubscribe.clientid(),
                        () -> broker.unsubscribe(unsubscribe.clientid(), topics));
            }
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * A reload replaced {@code pool}: its actions that find it unavailable go to the same hook of the new
     * configuration ({@code successor} finds it), so that a fix such as a corrected password reaches the events that
     * were waiting for it. Does nothing for a pool that never ran an action.
     */
    public void retire(BackendPool<?> pool, Function<HookConfig, Optional<Successor<?>>> successor) {
        PoolBatcher<?> batcher = batchers.get(pool);
        if (batcher != null) {
            batcher.retire((hook, event) -> successor.apply(hook).map(next -> submitTo(next, hook, event)));
        }
    }

    /** The pool and action that replace a hook's after a reload. */
    public record Successor<W>(BackendPool<W> pool, PoolAction<W> action) {
    }

    private <W> CompletionStage<ActionOutcome> submitTo(Successor<W> next, HookConfig hook, Event event) {
        return batcher(next.pool()).submit(hook, next.action(), event);
    }

    /** Forgets a pool's batcher once the pool was drained and closed (a configuration reload replaced it). */
    public void release(BackendPool<?> pool) {
        PoolBatcher<?> released = batchers.remove(pool);
        if (released != null) {
            byName.remove(pool.config().qualifiedName(), released);
        }
    }

    @SuppressWarnings("unchecked") // batchers maps each pool to the batcher built for it, of the same W
    private <W> PoolBatcher<W> batcher(BackendPool<W> pool) {
        return (PoolBatcher<W>) batchers.computeIfAbsent(pool, p -> {
            PoolBatcher<W> created = new PoolBatcher<>(pool, retry, metrics);
            String name = pool.config().qualifiedName();
            byName.put(name, created);
            metrics.oldestUnsettled(name, () -> {
                PoolBatcher<?> current = byName.get(name);
                return current == null ? Duration.ZERO : current.oldestUnsettled();
            });
            return created;
        });
    }

    /** Retries what the broker may still accept; a definitive answer (e.g. 404 client not found) is final. */
    private Uni<Void> brokerCall(String operation, String clientid, Supplier<Uni<Void>> call) {
        return Uni.createFrom().<Void>deferred(call::get)
                .onFailure(failure -> !(failure instanceof BrokerControlException refused) || refused.isTransient())
                .retry().withBackOff(retry.initialBackoff(), retry.maxBackoff())
                .atMost(Math.max(0, retry.maxAttempts() - 1))
                .onItem().invoke(() -> metrics.brokerCall(operation, "success"))
                .onFailure().invoke(failure -> {
                    metrics.brokerCall(operation, "failure");
                    LOG.errorf("broker control gave up on %s for client '%s': %s", operation,
                            LogText.of(clientid), describe(failure));
                })
                .onFailure().recoverWithNull();
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** A database or the broker may echo client data (a duplicate key, a topic) in its error message. */
    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + LogText.of(failure.getMessage());
    }
}
