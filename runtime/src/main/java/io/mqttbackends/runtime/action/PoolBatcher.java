package io.mqttbackends.runtime.action;

import io.mqttbackends.runtime.backend.ActionOutcome;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Invocation;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the actions of one pool in order per ordering key, batching writes.
 *
 * <p>Actions are spread over as many partitions as the pool has connections, by the event's ordering key (client id
 * for lifecycle events, topic for messages), so one key's actions always meet in the same partition, in the order
 * they were submitted. A partition runs one unit at a time: either a run of consecutive batchable writes, at most
 * {@code batch_size} of them, through {@link BackendPool#runBatch} (one round trip, all or nothing), or one reading
 * action alone. While a unit runs, the next actions queue up and form the next batch, so batches grow with the load
 * and a lone action waits for no one; {@code batch_time} adds a wait for more actions when a partition is idle.
 *
 * <p>Failures: a database that is unreachable is retried with backoff for as long as it lasts (the events stay
 * unacked, so nothing is lost). Any other failure is retried a bounded number of times; a batch that still fails is
 * then run one action at a time, so the good actions commit and only the bad one fails, to be given up by the caller.
 */
final class PoolBatcher {
    private static final Logger LOG = Logger.getLogger(PoolBatcher.class);
    /**
     * Timers for {@code batch_time}. A timer starts the partition's drain, which issues the batch's database call
     * from this thread; the clients' calls are asynchronous, so the thread is never held.
     */
    private static final ScheduledExecutorService LINGER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqttbackends-batch-linger");
        t.setDaemon(true);
        return t;
    });

    private final BackendPool pool;
    private final String poolName;
    private final RuntimeConfig.Retry retry;
    private final RuntimeMetrics metrics;
    private final int maxBatch;
    private final Duration linger;
    private final Partition[] partitions;

    /** An action waiting for its turn, and where its outcome goes. */
    private record Call(HookConfig hook, PoolAction action, Event event, CompletableFuture<ActionOutcome> result) {
    }

    PoolBatcher(BackendPool pool, RuntimeConfig.Retry retry, RuntimeMetrics metrics) {
        this.pool = pool;
        this.poolName = pool.config().qualifiedName();
        this.retry = retry;
        this.metrics = metrics;
        this.maxBatch = pool.config().intValue("batch_size");
        this.linger = Duration.ofMillis(pool.config().intValue("batch_time"));
        this.partitions = new Partition[Math.max(1, pool.config().poolSize())];
        for (int i = 0; i < partitions.length; i++) {
            partitions[i] = new Partition();
        }
    }

    /**
     * Queues the action now, behind every action submitted before it for the same ordering key, and tells its
     * outcome when it ran (or fails when it was given up).
     */
    CompletionStage<ActionOutcome> submit(HookConfig hook, PoolAction action, Event event) {
        Call call = new Call(hook, action, event, new CompletableFuture<>());
        int partition = Math.floorMod(Objects.hash(event.hookPoint().kind(), event.orderingKey()), partitions.length);
        partitions[partition].add(call);
        return call.result();
    }

    private final class Partition {
        private final ArrayDeque<Call> queue = new ArrayDeque<>();
        /** A unit runs, or a linger timer is pending: either way {@link #drain} will come back to the queue. */
        private boolean busy;
        private boolean lingering;

        void add(Call call) {
            boolean drainNow;
            synchronized (this) {
                queue.add(call);
                if (!busy) {
                    busy = true;
                    lingering = !linger.isZero() && queue.size() < maxBatch;
                    if (lingering) {
                        LINGER.schedule(this::lingerElapsed, linger.toNanos(), TimeUnit.NANOSECONDS);
                    }
                    drainNow = !lingering;
                } else if (lingering && queue.size() >= maxBatch) {
                    lingering = false;
                    drainNow = true;
                } else {
                    drainNow = false;
                }
            }
            if (drainNow) {
                drain();
            }
        }

        private void lingerElapsed() {
            synchronized (this) {
                if (!lingering) {
                    return;
                }
                lingering = false;
            }
            drain();
        }

        /**
         * Runs units until the queue is empty. A unit that completes at once (no I/O) continues the loop here rather
         * than recursing through its callback, so a long queue of such units cannot overflow the stack.
         */
        void drain() {
            while (true) {
                List<Call> unit;
                synchronized (this) {
                    unit = takeUnit();
                    if (unit.isEmpty()) {
                        busy = false;
                        return;
                    }
                }
                CompletableFuture<Void> done = run(unit).subscribeAsCompletionStage();
                if (!done.isDone()) {
                    done.whenComplete((ignored, failure) -> drain());
                    return;
                }
            }
        }

        /** A run of consecutive batchable writes, or the one reading action at the head. */
        private List<Call> takeUnit() {
            Call first = queue.poll();
            if (first == null) {
                return List.of();
            }
            if (!first.action().batchable()) {
                return List.of(first);
            }
            List<Call> unit = new ArrayList<>();
            unit.add(first);
            while (unit.size() < maxBatch && queue.peek() != null && queue.peek().action().batchable()) {
                unit.add(queue.poll());
            }
            return unit;
        }
    }

    /** Runs one unit to the end and completes its calls; never fails. */
    private Uni<Void> run(List<Call> unit) {
        if (unit.size() == 1) {
            Call call = unit.get(0);
            return withRetries(call.hook().actionName(), () -> call.action().run(call.event()))
                    .onItem().invoke(outcome -> call.result().complete(outcome))
                    .onFailure().invoke(failure -> call.result().completeExceptionally(failure))
                    .onFailure().recoverWithNull()
                    .replaceWithVoid();
        }
        metrics.batch(poolName, unit.size());
        List<Invocation> writes = unit.stream().map(c -> new Invocation(c.action(), c.event())).toList();
        return withRetries("batch", () -> pool.runBatch(writes))
                .onItem().invoke(() -> unit.forEach(call -> call.result().complete(ActionOutcome.NONE)))
                .onFailure().recoverWithUni(failure -> isolate(unit, failure));
    }

    /** Runs a failed batch's calls one at a time, so that the good ones commit and only the bad one fails. */
    private Uni<Void> isolate(List<Call> unit, Throwable failure) {
        LOG.warnf("batch of %d writes on %s failed (%s); running them one by one to isolate the failing one",
                unit.size(), poolName, failure.toString());
        return Multi.createFrom().iterable(unit)
                .onItem().transformToUniAndConcatenate(call -> run(List.of(call)))
                .collect().last()
                .replaceWithVoid();
    }

    /**
     * The retry policy: unreachable-database failures retry with backoff until the database answers; other failures
     * retry {@code max-attempts - 1} times.
     */
    private <T> Uni<T> withRetries(String function, Supplier<Uni<T>> attempt) {
        return Uni.createFrom().<T>deferred(attempt::get)
                .onFailure().invoke(failure -> {
                    boolean unavailable = pool.isTransient(failure);
                    metrics.actionRetry(poolName, function, unavailable);
                    LOG.debugf("%s on %s failed (%s), retrying: %s", function, poolName,
                            unavailable ? "database unavailable" : "error", failure.toString());
                })
                .onFailure(pool::isTransient).retry()
                .withBackOff(retry.initialBackoff(), retry.maxBackoff()).indefinitely()
                .onFailure().retry()
                .withBackOff(retry.initialBackoff(), retry.maxBackoff()).atMost(Math.max(0, retry.maxAttempts() - 1));
    }
}
