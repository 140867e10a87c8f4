package io.mqttbackends.runtime.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.RecordingPool;
import io.smallrye.mutiny.Uni;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The action stage's batching, per-write results, isolation, retries and time limits, on a recording pool. */
class PoolBatcherTest {
    private static final HookConfig HOOK = new HookConfig(DatabaseKind.PGSQL, HookPoint.MESSAGE_PUBLISH, "1",
            Optional.empty(), new ActionSpec.Function("on_message_publish"), "recording", OfflineOpts.NONE,
            OptionalInt.empty(), Optional.empty(), new ConfigLocation(Path.of("t.conf"), 3, "backend.pgsql.hook"));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private PoolBatcher<String> batcher(RecordingPool pool, int maxAttempts) {
        return new PoolBatcher<>(pool, TestConfigs.runtimeConfig(Map.of("retry.max-attempts",
                Integer.toString(maxAttempts), "retry.initial-backoff", "PT0.01S", "retry.max-backoff", "PT0.05S"))
                .retry(), new RuntimeMetrics(registry));
    }

    private static MessagePublish publish(String topic) {
        return new MessagePublish(new ClientInfo("c", Optional.empty(), Optional.empty(), "n", 0L),
                new Message("m-" + topic, "c", topic, 1, false, new byte[0], 0L, Map.of()));
    }

    private static List<CompletableFuture<ActionOutcome>> submitAll(PoolBatcher<String> batcher, RecordingPool pool,
            List<String> topics) {
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        for (String topic : topics) {
            results.add(batcher.submit(HOOK, pool.write(), publish(topic)).toCompletableFuture());
        }
        return results;
    }

    private static void settle(List<CompletableFuture<ActionOutcome>> results) {
        CompletableFuture.allOf(results.stream().map(r -> r.handle((ok, failure) -> null))
                .toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private static List<String> topics(String prefix, int count) {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            topics.add(prefix + i);
        }
        return topics;
    }

    /**
     * Submits writes while a read holds the partition, then lets the read finish and waits until every write
     * settled: the writes are all queued when the partition takes its next unit.
     */
    private static List<CompletableFuture<ActionOutcome>> queuedBehindARead(PoolBatcher<String> batcher,
            RecordingPool pool, List<String> topics) {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletionStage<ActionOutcome> first = batcher.submit(HOOK, pool.read(e -> Uni.createFrom()
                .completionStage(gate).replaceWith(ActionOutcome.NONE)), publish("t"));
        List<CompletableFuture<ActionOutcome>> writes = submitAll(batcher, pool, topics);
        gate.complete(null);
        first.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        settle(writes);
        return writes;
    }

    @Test
    void writesQueuedBehindARunningCallGoTogetherInTheNextCall() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.ATOMIC, 1, 100, WAIT);
        PoolBatcher<String> batcher = batcher(pool, 3);
        List<CompletableFuture<ActionOutcome>> writes = queuedBehindARead(batcher, pool, topics("t", 10));

        assertThat(pool.calls).hasSize(1);
        assertThat(pool.calls.get(0)).hasSize(10);
        assertThat(writes).allMatch(w -> w.isDone() && !w.isCompletedExceptionally());
    }

    @Test
    void batchesNeverExceedTheirDeclaredCount() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.ATOMIC, 1, 7, WAIT);
        PoolBatcher<String> batcher = batcher(pool, 3);
        List<CompletableFuture<ActionOutcome>> writes = queuedBehindARead(batcher, pool, topics("t", 30));

        assertThat(pool.calls).extracting(List::size).containsExactly(7, 7, 7, 7, 2);
        assertThat(pool.applied).containsExactlyElementsOf(topics("t", 30));
    }

    @Test
    void anAtomicBatchWithOneRefusedWriteIsSplitSoTheOthersCommitAndOnlyTheCulpritIsGivenUp() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.ATOMIC, 1, 100, WAIT);
        PoolBatcher<String> batcher = batcher(pool, 3);
        CompletableFuture<ActionOutcome> blocker = batcher.submit(HOOK, pool.read(e -> Uni.createFrom()
                .item(ActionOutcome.NONE).onItem().delayIt().by(Duration.ofMillis(200))), publish("first"))
                .toCompletableFuture();
        pool.failing(w -> w.equals("t17")
                ? Optional.of(new IllegalArgumentException("value too long")) : Optional.empty());
        List<CompletableFuture<ActionOutcome>> results = submitAll(batcher, pool, topics("t", 64));
        blocker.orTimeout(10, TimeUnit.SECONDS).join();
        settle(results);

        assertThat(pool.applied).hasSize(63).doesNotContain("t17");
        assertThat(results.get(17)).isCompletedExceptionally();
        assertThat(results.stream().filter(CompletableFuture::isCompletedExceptionally)).hasSize(1);
        // Halving 64 writes down to one costs about 2 log2(64) calls, not 64.
        assertThat(pool.calls.size()).isLessThanOrEqualTo(2 * 6 + 2);
        // Order kept: the good writes applied in submission order.
        List<String> expected = new ArrayList<>(topics("t", 64));
        expected.remove("t17");
        assertThat(pool.applied).containsExactlyElementsOf(expected);
    }

    @Test
    void aPerItemPoolRetriesOnlyTheWriteThatFailedTransiently() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.PER_ITEM, 1, 100, WAIT);
        AtomicInteger failures = new AtomicInteger();
        pool.failing(w -> w.equals("t2") && failures.incrementAndGet() <= 1
                ? Optional.of(new IllegalStateException("deadlock")) : Optional.empty());
        PoolBatcher<String> batcher = batcher(pool, 3);
        List<CompletableFuture<ActionOutcome>> results = submitAll(batcher, pool, topics("t", 5));
        settle(results);

        assertThat(results).noneMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(pool.applied).containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4");
        assertThat(pool.applied.stream().filter("t2"::equals)).hasSize(1);
    }

    @Test
    void aTransientFailureIsGivenUpAfterMaxAttemptsAndAPermanentOneAtOnce() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.PER_ITEM, 1, 1, WAIT);
        AtomicInteger transientTries = new AtomicInteger();
        AtomicInteger permanentTries = new AtomicInteger();
        pool.failing(w -> switch (w) {
            case "transient" -> {
                transientTries.incrementAndGet();
                yield Optional.of(new IllegalStateException("deadlock"));
            }
            case "permanent" -> {
                permanentTries.incrementAndGet();
                yield Optional.of(new IllegalArgumentException("too long"));
            }
            default -> Optional.empty();
        });
        PoolBatcher<String> batcher = batcher(pool, 4);
        List<CompletableFuture<ActionOutcome>> results = submitAll(batcher, pool, List.of("transient", "permanent"));
        settle(results);

        assertThat(results).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(transientTries).hasValue(4);
        assertThat(permanentTries).hasValue(1);
    }

    @Test
    void anUnavailableDatabaseIsRetriedPastMaxAttemptsUntilItAnswers() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.ATOMIC, 1, 100, WAIT);
        AtomicInteger tries = new AtomicInteger();
        pool.failing(w -> tries.incrementAndGet() <= 8 ? Optional.of(new ConnectException("refused"))
                : Optional.empty());
        PoolBatcher<String> batcher = batcher(pool, 2);
        List<CompletableFuture<ActionOutcome>> results = submitAll(batcher, pool, List.of("t"));
        settle(results);

        assertThat(results.get(0)).isCompletedWithValue(ActionOutcome.NONE);
        assertThat(tries).hasValue(9);
        assertThat(registry.get("mqttbackends.actions.retries").tag("cause", "unavailable").counter().count())
                .isEqualTo(8);
    }

    @Test
    void aCallThatNeverAnswersTimesOutAndIsRetriedWithoutLosingTheWrite() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.ATOMIC, 2, 100, Duration.ofMillis(100)).hanging(true);
        PoolBatcher<String> batcher = batcher(pool, 2);
        List<CompletableFuture<ActionOutcome>> results = submitAll(batcher, pool, List.of("hung"));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> pool.calls.size() >= 3);
        assertThat(results.get(0)).isNotDone();
        assertThat(batcher.oldestUnsettled()).isGreaterThanOrEqualTo(Duration.ofMillis(200));

        pool.hanging(false);
        settle(results);

        assertThat(results.get(0)).isCompletedWithValue(ActionOutcome.NONE);
        assertThat(pool.applied).containsExactly("hung");
        // The partition notes the unit finished just after completing its calls.
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> batcher.oldestUnsettled().isZero());
    }

    @Test
    void aReadThatThrowsInsteadOfFailingIsGivenUpNotLeftHanging() {
        RecordingPool pool = new RecordingPool(BatchGuarantee.ATOMIC, 1, 100, WAIT);
        PoolBatcher<String> batcher = batcher(pool, 2);
        CompletableFuture<ActionOutcome> thrown = batcher.submit(HOOK, pool.read(e -> {
            throw new IllegalArgumentException("bug in the action");
        }), publish("t")).toCompletableFuture();
        List<CompletableFuture<ActionOutcome>> after = submitAll(batcher, pool, List.of("t"));
        settle(after);

        assertThat(thrown).isCompletedExceptionally();
        assertThat(after.get(0)).isCompletedWithValue(ActionOutcome.NONE);
        assertThat(thrown.handle((ok, f) -> f instanceof CompletionException ? f.getCause() : f).join())
                .hasMessage("bug in the action");
    }

    @Test
    void aReplacedPoolHandsItsUnavailableActionsToItsSuccessorAndKeepsThoseWithoutOne() {
        RecordingPool old = new RecordingPool(BatchGuarantee.ATOMIC, 1, 100, WAIT)
                .failing(w -> Optional.of(new ConnectException("password authentication failed")));
        RecordingPool replacement = new RecordingPool(BatchGuarantee.ATOMIC, 1, 100, WAIT);
        PoolBatcher<String> oldBatcher = batcher(old, 2);
        PoolBatcher<String> newBatcher = batcher(replacement, 2);
        List<CompletableFuture<ActionOutcome>> waiting = submitAll(oldBatcher, old, List.of("a", "b"));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> old.calls.size() >= 2);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        oldBatcher.retire((hook, event) -> event.topic().orElseThrow().equals("a")
                ? Optional.of(newBatcher.submit(hook, replacement.write(), event)) : Optional.empty());

        waiting.get(0).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(waiting.get(0)).isCompletedWithValue(ActionOutcome.NONE);
        assertThat(replacement.applied).containsExactly("a");
        // "b" has no successor: it keeps waiting for the old database, and lands there when it answers.
        assertThat(waiting.get(1)).isNotDone();
        old.failing(w -> Optional.empty());
        settle(waiting);
        assertThat(waiting.get(1)).isCompletedWithValue(ActionOutcome.NONE);
        assertThat(old.applied).containsExactly("b");
    }
}
