package io.mqttbackends.runtime.action;

import io.mqttbackends.model.LogText;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.PoolTraits;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.MessageEvent;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the actions of one pool in order per ordering key, batching writes, and settles every action: it is applied,
 * or it is given up (the caller dead-letters it), never left hanging.
 *
 * <p>Actions are spread over as many partitions as the pool {@linkplain PoolTraits#concurrency() serves at once}, by
 * the event's ordering key (client id for lifecycle events, topic for messages), so one key's actions always meet in
 * the same partition, in the order they were submitted. A partition runs one unit at a time: either a run of
 * consecutive writes (at most {@link PoolTraits#maxBatchCount()} of them and {@link PoolTraits#maxBatchBytes()} of
 * payload) through {@link BackendPool#apply}, or one read alone. While a unit runs, the next actions queue up and form
 * the next batch, so batches grow with the load and a lone action waits for no one; {@code batch_time} adds a wait
 * for more actions when a partition is idle. A unit is settled whole before the partition moves on.
 *
 * <p>Failures, per write ({@link WriteResult}) and by the pool's {@linkplain BackendPool#classify class}: every call
 * has the pool's {@linkplain PoolTraits#callTimeout() time limit}, and a call that exceeds it counts as the database
 * being unavailable. A database that is unavailable is retried with backoff for as long as that lasts (the events
 * stay un-acked, so nothing is lost). A write the database refuses ({@link FailureClass#PERMANENT}) is given up at
 * once; any other failure is retried up to {@code max-attempts} times. Writes that were not applied only because of
 * another write are applied again; when a batch failed as a whole without naming its culprit (an atomic pool), it is
 * split in halves, in order, until the write at fault stands alone, so the good writes commit in a few round trips.
 */
final class PoolBatcher<W> {
    private static final Logger LOG = Logger.getLogger(PoolBatcher.class);
    /** What a write costs besides its payload, in the byte estimate of a batch. */
    private static final long WRITE_OVERHEAD_BYTES = 256;
    /**
     * Timers for {@code batch_time} and for retry backoff. A timer starts a database call from this thread; the
     * clients' calls are asynchronous, so the thread is never held.
     */
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqttbackends-batch-timer");
        t.setDaemon(true);
        return t;
    });

    private final BackendPool<W> pool;
    private final PoolTraits traits;
    private final String poolName;
    private final RuntimeConfig.Retry retry;
    private final RuntimeMetrics metrics;
    private final Duration linger;
    private final List<Partition> partitions;
    /** Whether the last call found the database unavailable: the change is logged, not every retry. */
    private final AtomicBoolean unavailable = new AtomicBoolean();
    /**
     * Set once a reload replaced the pool: where an action that finds it unavailable goes instead (the same hook on
     * the pool that replaced it), if the new configuration has that hook.
     */
    private volatile Successor successor;

    /** Where the actions of a replaced pool go: the same hook of the configuration that replaced it. */
    @FunctionalInterface
    interface Successor {
        /** Submits the hook's action for the event on the new pool, or answers empty when there is no such hook. */
        Optional<CompletionStage<ActionOutcome>> submit(HookConfig hook, Event event);
    }

    /** An action waiting for its turn or running, and where its outcome goes. */
    private static final class Call<W> {
        final HookConfig hook;
        final Event event;
        /** The write, or null for a read. */
        final W write;
        final PoolAction.Read<W> read;
        final long submittedNanos = System.nanoTime();
        final CompletableFuture<ActionOutcome> result = new CompletableFuture<>();
        /** Failures counted against {@code max-attempts}; unavailability does not count. */
        int attempts;

        Call(HookConfig hook, Event event, W write, PoolAction.Read<W> read) {
            this.hook = hook;
            this.event = event;
            this.write = write;
            this.read = read;
        }

        boolean isWrite() {
            return read == null;
        }

        long bytes() {
            return WRITE_OVERHEAD_BYTES + (event instanceof MessageEvent m ? m.message().payload().length : 0);
        }
    }

    PoolBatcher(BackendPool<W> pool, RuntimeConfig.Retry retry, RuntimeMetrics metrics) {
        this.pool = pool;
        this.traits = pool.traits();
        this.poolName = pool.config().qualifiedName();
        this.retry = retry;
        this.metrics = metrics;
        this.linger = Duration.ofMillis(pool.config().intValue("batch_time"));
        List<Partition> list = new ArrayList<>();
        for (int i = 0; i < traits.concurrency(); i++) {
            list.add(new Partition());
        }
        this.partitions = List.copyOf(list);
    }

    /**
     * Queues the action now, behind every action submitted before it for the same ordering key, and tells its
     * outcome when it ran, or fails with the cause when it was given up.
     */
    CompletionStage<ActionOutcome> submit(HookConfig hook, PoolAction<W> action, Event event) {
        Call<W> call;
        try {
            call = action instanceof PoolAction.Write<W> write
                    ? new Call<>(hook, event, Objects.requireNonNull(write.write().apply(event),
                            "a write action produced no write"), null)
                    : new Call<>(hook, event, null, (PoolAction.Read<W>) action);
        } catch (RuntimeException e) {
            // The action cannot even be built from this event: it would fail the same way every time.
            return CompletableFuture.failedFuture(e);
        }
        int partition = Math.floorMod(Objects.hash(event.hookPoint().kind(), event.orderingKey()),
                partitions.size());
        partitions.get(partition).add(call);
        return call.result;
    }

    /**
     * A reload replaced the pool: from now on an action that finds it unavailable is handed to {@code successor}
     * instead of waiting for a database the configuration no longer points at (a wrong password fixed by a reload).
     */
    void retire(Successor successor) {
        this.successor = successor;
    }

    /** How long the oldest action of this pool that is not settled yet has been waiting, zero when none is. */
    Duration oldestUnsettled() {
        long now = System.nanoTime();
        long oldest = partitions.stream().mapToLong(p -> p.oldestSubmitted(now)).min().orElse(now);
        return Duration.ofNanos(Math.max(0, now - oldest));
    }

    private final class Partition {
        private final ArrayDeque<Call<W>> queue = new ArrayDeque<>();
        /** A unit runs, or a linger timer is pending: either way {@link #drain} will come back to the queue. */
        private boolean busy;
        private boolean lingering;
        /** When the first call of the running unit was submitted; the partition's oldest unsettled call. */
        private long runningSince = Long.MAX_VALUE;

        void add(Call<W> call) {
            boolean drainNow;
            synchronized (this) {
                queue.add(call);
                if (!busy) {
                    busy = true;
                    lingering = !linger.isZero() && queue.size() < traits.maxBatchCount();
                    if (lingering) {
                        TIMERS.schedule(this::lingerElapsed, linger.toNanos(), TimeUnit.NANOSECONDS);
                    }
                    drainNow = !lingering;
                } else if (lingering && queue.size() >= traits.maxBatchCount()) {
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

        synchronized long oldestSubmitted(long now) {
            long oldest = runningSince;
            Call<W> head = queue.peek();
            if (head != null) {
                oldest = Math.min(oldest, head.submittedNanos);
            }
            return oldest == Long.MAX_VALUE ? now : oldest;
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
                List<Call<W>> unit;
                synchronized (this) {
                    unit = takeUnit();
                    if (unit.isEmpty()) {
                        busy = false;
                        runningSince = Long.MAX_VALUE;
                        return;
                    }
                    runningSince = unit.get(0).submittedNanos;
                }
                CompletableFuture<Void> done = run(unit).subscribeAsCompletionStage();
                if (!done.isDone()) {
                    done.whenComplete((ignored, failure) -> drain());
                    return;
                }
            }
        }

        /** A run of consecutive writes within the batch bounds, or the one read at the head. */
        private List<Call<W>> takeUnit() {
            Call<W> first = queue.poll();
            if (first == null) {
                return List.of();
            }
            if (!first.isWrite()) {
                return List.of(first);
            }
            List<Call<W>> unit = new ArrayList<>();
            unit.add(first);
            long bytes = first.bytes();
            while (unit.size() < traits.maxBatchCount() && queue.peek() != null && queue.peek().isWrite()
                    && bytes + queue.peek().bytes() <= traits.maxBatchBytes()) {
                Call<W> next = queue.poll();
                bytes += next.bytes();
                unit.add(next);
            }
            return unit;
        }
    }

    /** Runs one unit until every call of it is settled; never fails. */
    private Uni<Void> run(List<Call<W>> unit) {
        Uni<Void> settled;
        if (unit.get(0).isWrite()) {
            metrics.batch(poolName, unit.size());
            settled = applyWrites(unit, 0);
        } else {
            settled = runRead(unit.get(0), 0);
        }
        // A bug here must not leave the calls, and the partition, hanging.
        return settled.onFailure().invoke(failure -> {
            LOG.errorf(failure, "settling actions on %s failed", poolName);
            unit.forEach(call -> call.result.completeExceptionally(failure));
        }).onFailure().recoverWithNull();
    }

    /** Applies the writes until each is applied or given up; {@code round} counts the backoff rounds so far. */
    private Uni<Void> applyWrites(List<Call<W>> calls, int round) {
        List<W> writes = calls.stream().map(call -> call.write).toList();
        return timed(() -> pool.apply(writes))
                .onItem().transform(results -> results.size() == calls.size() ? results
                        : notApplied(calls.size(), new IllegalStateException(poolName + " answered " + results.size()
                                + " results for " + calls.size() + " writes")))
                .onFailure().recoverWithItem(failure -> notApplied(calls.size(), failure))
                .onItem().transformToUni(results -> settle(calls, results, round));
    }

    private static List<WriteResult> notApplied(int count, Throwable cause) {
        return Collections.nCopies(count, new WriteResult.NotApplied(cause));
    }

    /** Completes what the results settle and applies the rest again: split, at once, or after a backoff. */
    private Uni<Void> settle(List<Call<W>> calls, List<WriteResult> results, int round) {
        List<Call<W>> again = new ArrayList<>();
        boolean culpritNamed = false;
        boolean wait = false;
        Throwable batchCause = null;
        for (int i = 0; i < calls.size(); i++) {
            Call<W> call = calls.get(i);
            WriteResult result = results.get(i);
            if (result instanceof WriteResult.Failed failed) {
                culpritNamed = true;
                wait |= retryOrGiveUp(call, failed.cause(), again);
            } else if (result instanceof WriteResult.NotApplied notApplied) {
                batchCause = notApplied.cause();
                again.add(call);
            } else {
                succeed(call, ActionOutcome.NONE);
            }
        }
        if (again.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (!culpritNamed && batchCause != null) {
            FailureClass batchClass = classify(batchCause);
            if (batchClass == FailureClass.UNAVAILABLE) {
                Throwable cause = batchCause;
                again.removeIf(call -> handOver(call, cause));
                noteUnavailable("batch", batchCause);
                wait = true;
            } else if (again.size() > 1) {
                // The batch failed as a whole and its culprit is unknown: split it, halves in order, until the
                // write at fault is alone (then the pool names it as failed).
                int half = again.size() / 2;
                List<Call<W>> first = List.copyOf(again.subList(0, half));
                List<Call<W>> second = List.copyOf(again.subList(half, again.size()));
                return applyWrites(first, 0).onItem().transformToUni(done -> applyWrites(second, 0));
            } else {
                // A lone write not applied for a reason other than unavailability: count it as an attempt.
                Call<W> lone = again.remove(0);
                wait = retryOrGiveUp(lone, batchCause, again);
            }
        }
        if (again.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (!wait) {
            return applyWrites(again, round);
        }
        return delay(backoff(round)).onItem().transformToUni(ignored -> applyWrites(again, round + 1));
    }

    /**
     * Decides a failed action's fate by its class: unavailable and transient ones go into {@code again} (the latter
     * while attempts remain), permanent ones are given up. Answers whether a retry should wait a backoff first.
     */
    private boolean retryOrGiveUp(Call<W> call, Throwable cause, List<Call<W>> again) {
        FailureClass failureClass = classify(cause);
        String function = call.hook.actionName();
        switch (failureClass) {
            case UNAVAILABLE -> {
                if (handOver(call, cause)) {
                    return false;
                }
                noteUnavailable(function, cause);
                again.add(call);
                return true;
            }
            case PERMANENT -> {
                giveUp(call, cause);
                return false;
            }
            default -> {
                call.attempts++;
                if (call.attempts >= Math.max(1, retry.maxAttempts())) {
                    giveUp(call, cause);
                    return false;
                }
                metrics.actionRetry(poolName, function, false);
                LOG.debugf("%s on %s failed (attempt %d), retrying: %s", function, poolName, call.attempts,
                        LogText.of(cause.toString()));
                again.add(call);
                return true;
            }
        }
    }

    /** Runs a read until it answers or is given up; {@code round} counts the backoff rounds so far. */
    private Uni<Void> runRead(Call<W> call, int round) {
        return timed(() -> call.read.run().apply(call.event))
                .onItem().invoke(outcome -> succeed(call, outcome == null ? ActionOutcome.NONE : outcome))
                .replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    List<Call<W>> again = new ArrayList<>(1);
                    boolean wait = retryOrGiveUp(call, failure, again);
                    if (again.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    return (wait ? delay(backoff(round)) : Uni.createFrom().voidItem())
                            .onItem().transformToUni(ignored -> runRead(call, round + 1));
                });
    }

    /**
     * Hands an action of a replaced, unavailable pool to its successor, the same hook line of the new
     * configuration. One whose hook the new configuration changed or dropped stays here and keeps waiting for the
     * old database: the event started on the old configuration and finishes there (the old pool closes after it).
     * Answers whether the call left this pool.
     */
    private boolean handOver(Call<W> call, Throwable cause) {
        Successor next = successor;
        if (next == null) {
            return false;
        }
        Optional<CompletionStage<ActionOutcome>> moved = next.submit(call.hook, call.event);
        if (moved.isEmpty()) {
            return false;
        }
        LOG.debugf("%s was replaced while unavailable: %s goes to its successor", poolName, call.hook.location());
        moved.get().whenComplete((outcome, failure) -> {
            if (failure != null) {
                call.result.completeExceptionally(failure);
            } else {
                call.result.complete(outcome);
            }
        });
        return true;
    }

    private void succeed(Call<W> call, ActionOutcome outcome) {
        if (unavailable.compareAndSet(true, false)) {
            LOG.infof("%s answers again", poolName);
        }
        call.result.complete(outcome);
    }

    private void giveUp(Call<W> call, Throwable cause) {
        call.result.completeExceptionally(cause);
    }

    private void noteUnavailable(String function, Throwable cause) {
        metrics.actionRetry(poolName, function, true);
        if (unavailable.compareAndSet(false, true)) {
            LOG.warnf("%s is unavailable (%s); its events wait, un-acked, and are retried until it answers",
                    poolName, LogText.of(cause.toString()));
        }
    }

    /** The pool's class of a failure; a call over its time limit is the database not answering. */
    private FailureClass classify(Throwable failure) {
        if (failure instanceof CallTimeoutException) {
            return FailureClass.UNAVAILABLE;
        }
        try {
            return pool.classify(failure);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s could not classify %s", poolName, failure.toString());
            return FailureClass.TRANSIENT;
        }
    }

    /** A database call with the pool's time limit; a call that throws instead of failing its Uni fails it. */
    private <T> Uni<T> timed(Supplier<Uni<? extends T>> call) {
        Duration limit = traits.callTimeout();
        return Uni.createFrom().deferred(call)
                .ifNoItem().after(limit).failWith(() -> new CallTimeoutException(poolName, limit));
    }

    /** Exponential: the initial backoff doubled each round, at most the maximum. */
    private Duration backoff(int round) {
        Duration initial = retry.initialBackoff();
        Duration max = retry.maxBackoff();
        Duration next = initial.multipliedBy(1L << Math.min(round, 20));
        return next.compareTo(max) > 0 || next.isNegative() ? max : next;
    }

    private static Uni<Void> delay(Duration duration) {
        return Uni.createFrom().emitter(emitter -> TIMERS.schedule(() -> emitter.complete(null),
                duration.toNanos(), TimeUnit.NANOSECONDS));
    }
}
