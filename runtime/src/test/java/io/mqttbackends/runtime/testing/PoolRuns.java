package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.RetentionRun;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs one action of a pool directly, as the action stage would for a batch of one: a write through
 * {@link BackendPool<?>#apply}, failing with the write's cause when it did not apply; a read as it is.
 */
public final class PoolRuns {

    private PoolRuns() {
    }

    public static <W> Uni<ActionOutcome> run(BackendPool<W> pool, HookConfig hook, Event event) {
        return run(pool, pool.prepare(hook), event);
    }

    public static <W> Uni<ActionOutcome> run(BackendPool<W> pool, PoolAction<W> action, Event event) {
        if (action instanceof PoolAction.Read<W> read) {
            return Uni.createFrom().deferred(() -> read.run().apply(event));
        }
        W write = ((PoolAction.Write<W>) action).write().apply(event);
        return pool.apply(List.of(write)).onItem().transformToUni(results -> {
            WriteResult result = results.get(0);
            if (result instanceof WriteResult.Failed failed) {
                return Uni.createFrom().failure(failed.cause());
            }
            if (result instanceof WriteResult.NotApplied notApplied) {
                return Uni.createFrom().failure(notApplied.cause());
            }
            return Uni.createFrom().item(ActionOutcome.NONE);
        });
    }

    /** The writes the actions make for their events, in order, as one {@link BackendPool<?>#apply} call. */
    @SafeVarargs
    public static <W> Uni<List<WriteResult>> apply(BackendPool<W> pool, Map.Entry<PoolAction<W>, Event>... writes) {
        List<W> batch = new ArrayList<>();
        for (Map.Entry<PoolAction<W>, Event> w : writes) {
            batch.add(((PoolAction.Write<W>) w.getKey()).write().apply(w.getValue()));
        }
        return pool.apply(batch);
    }

    /** A fresh recording context whose broker control cannot subscribe clients (the MQTT one). */
    public static RecordingContext context() {
        return new RecordingContext(false);
    }

    /** A pool context that records what pools ask of the runtime and answers that broker control is MQTT. */
    public static final class RecordingContext implements PoolContext {
        public final List<ActionOutcome> brokerRequests = new CopyOnWriteArrayList<>();
        public final Map<String, Integer> rejected = new ConcurrentHashMap<>();
        /** The message retention's runs, by pool, in order. */
        public final Map<String, List<RetentionRun>> retentionRuns = new ConcurrentHashMap<>();
        private final boolean canSubscribe;

        public RecordingContext(boolean canSubscribe) {
            this.canSubscribe = canSubscribe;
        }

        @Override
        public Uni<Void> requestBroker(ActionOutcome request) {
            brokerRequests.add(request);
            return Uni.createFrom().voidItem();
        }

        @Override
        public boolean brokerCanSubscribeClients() {
            return canSubscribe;
        }

        @Override
        public void rejected(String source, String kind) {
            rejected.merge(source + "/" + kind, 1, Integer::sum);
        }

        @Override
        public void retentionRan(String pool, RetentionRun run) {
            retentionRuns.computeIfAbsent(pool, p -> new CopyOnWriteArrayList<>()).add(run);
        }
    }
}
