package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.PoolTraits;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A test-double pool for the stages above the backends, where a database is beside the point: it records every
 * {@link #apply} call and keeps the writes that took effect, and fails, refuses or hangs writes as a test says.
 * Writes are the event's {@linkplain #keyOf key} (its topic, else its client id).
 *
 * <p>Failures are classified by type as the real pools do: {@link ConnectException} (the database is down) is
 * unavailable, {@link IllegalArgumentException} (a value the database refuses) permanent, anything else transient.
 */
public final class RecordingPool implements BackendPool<String> {

    private final PoolConfig config;
    private final PoolTraits traits;
    /** Every apply call's writes, in call order. */
    public final List<List<String>> calls = new CopyOnWriteArrayList<>();
    /** The writes that took effect, in the order they did. */
    public final List<String> applied = new CopyOnWriteArrayList<>();
    private volatile Function<String, Optional<Throwable>> failure = w -> Optional.empty();
    private volatile boolean hanging;
    private volatile boolean closed;

    /**
     * @param guarantee   atomic (a failing write fails the call: none applied) or per item
     * @param concurrency partitions
     * @param maxBatch    writes per call
     * @param callTimeout the time limit of a call
     */
    public RecordingPool(BatchGuarantee guarantee, int concurrency, int maxBatch, Duration callTimeout) {
        this.config = new PoolConfig(DatabaseKind.PGSQL, "recording", Map.of("pool_size",
                Integer.toString(concurrency), "batch_size", Integer.toString(maxBatch), "batch_time", "0",
                "call_timeout", Long.toString(callTimeout.toMillis())), Map.of(),
                new ConfigLocation(Path.of("recording.conf"), 1, "backend.pgsql.recording"));
        this.traits = new PoolTraits(guarantee, concurrency, maxBatch, PoolTraits.MAX_BATCH_BYTES, callTimeout);
    }

    /** How each write fails from now on: empty for success. */
    public RecordingPool failing(Function<String, Optional<Throwable>> failure) {
        this.failure = failure;
        return this;
    }

    /** Whether calls from now on never answer (a server that accepts and never replies). */
    public RecordingPool hanging(boolean hanging) {
        this.hanging = hanging;
        return this;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The key a write of {@code event} records: its topic, else its client id. */
    public static String keyOf(Event event) {
        return event.topic().orElse(event.clientid());
    }

    /** A write action recording the event's key. */
    public PoolAction<String> write() {
        return new PoolAction.Write<>(RecordingPool::keyOf);
    }

    /** A read action answering as {@code answer} does. */
    public PoolAction<String> read(Function<Event, Uni<ActionOutcome>> answer) {
        return new PoolAction.Read<>(answer);
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public PoolTraits traits() {
        return traits;
    }

    @Override
    public PoolAction<String> prepare(HookConfig hook) {
        return write();
    }

    @Override
    public Uni<List<WriteResult>> apply(List<String> writes) {
        calls.add(List.copyOf(writes));
        if (hanging) {
            return Uni.createFrom().nothing();
        }
        List<Optional<Throwable>> failures = writes.stream().map(failure).toList();
        Optional<Throwable> first = failures.stream().flatMap(Optional::stream).findFirst();
        if (traits.guarantee() == BatchGuarantee.ATOMIC) {
            if (first.isPresent()) {
                return Uni.createFrom().failure(first.get());
            }
            applied.addAll(writes);
            return Uni.createFrom().item(Collections.nCopies(writes.size(), WriteResult.APPLIED));
        }
        List<WriteResult> results = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            Optional<Throwable> failed = failures.get(i);
            if (failed.isPresent()) {
                results.add(new WriteResult.Failed(failed.get()));
            } else {
                applied.add(writes.get(i));
                results.add(WriteResult.APPLIED);
            }
        }
        return Uni.createFrom().item(results);
    }

    @Override
    public Uni<Void> ping() {
        return hanging ? Uni.createFrom().nothing() : Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> initSchema() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public FailureClass classify(Throwable failure) {
        if (failure instanceof ConnectException) {
            return FailureClass.UNAVAILABLE;
        }
        return failure instanceof IllegalArgumentException ? FailureClass.PERMANENT : FailureClass.TRANSIENT;
    }

    @Override
    public Uni<Void> close() {
        closed = true;
        return Uni.createFrom().voidItem();
    }
}
