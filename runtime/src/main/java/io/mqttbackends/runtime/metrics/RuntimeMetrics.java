package io.mqttbackends.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The runtime's Micrometer meters, exported at {@code /q/metrics}. Tags are bounded sets (hook point, format, pool,
 * function, outcome, reason): never a client id or topic, which would explode the series count.
 *
 * <p><b>Counting from the first event.</b> The meters are registered on Quarkus's root registry, a composite that
 * passes each increment on to the registries added to it so far; a registry added later gets the meter at zero, and
 * what was counted before is lost. In prod mode Quarkus fires {@code StartupEvent} (which starts the event pipeline)
 * and opens the HTTP socket before it adds the Prometheus registry ({@code MicrometerProcessor.configureRegistry} runs
 * after {@code LifecycleEventsBuildStep.startupEvent}), so a runtime restarting onto a backlog used to lose the first
 * events' counts. Quarkus binds every {@link MeterBinder} bean to the root registry once all registries are in it:
 * that call completes {@link #registryComplete()}, and the pipeline handles no event before it. What is counted
 * earlier by necessity (configuration loads: a bad configuration fails start; a pool's rejected control messages) is
 * counted in function counters, read at scrape time.
 */
@ApplicationScoped
public class RuntimeMetrics implements MeterBinder {
    /** Histogram buckets of action latencies, in seconds: enough for p50/p99 per pool and function. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};
    /** Histogram buckets of batch sizes (rows per round trip). */
    private static final double[] BATCH_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, PoolGauge> poolUp = new ConcurrentHashMap<>();
    private final Map<String, Gauge> oldestGauges = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> actionTimers = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> eventCounters = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> batchSizes = new ConcurrentHashMap<>();
    private final Map<List<String>, AtomicLong> rejected = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> registryComplete = new CompletableFuture<>();

    private final Map<String, AtomicLong> configLoads = Map.of("success", new AtomicLong(), "failure", new AtomicLong());
    /**
     * Meters that read this bean's state. The registry outlives an application restart in one JVM (dev mode,
     * tests), and registering an existing id returns the old meter, bound to the old state: they go with the bean.
     */
    private final List<Meter> owned = new CopyOnWriteArrayList<>();

    public RuntimeMetrics(MeterRegistry registry) {
        this.registry = registry;
        owned.add(Gauge.builder("mqttbackends.events.in.flight", inFlight, AtomicInteger::get).register(registry));
        // The first load happens in StartupEvent, before Quarkus has added the Prometheus registry in prod mode:
        // counters read at scrape time keep that count where a plain counter's increment would be lost.
        // A previous application in this JVM (tests restart Quarkus) leaves its counters in the global registry,
        // bound to that application's counts; registering again would return those stale meters.
        registry.find("mqttbackends.config.loads").meters().forEach(registry::remove);
        configLoads.forEach((outcome, count) -> owned.add(FunctionCounter.builder("mqttbackends.config.loads", count,
                AtomicLong::doubleValue).tag("outcome", outcome).register(registry)));
    }

    /**
     * Called by Quarkus once every registry (Prometheus) has been added to the root registry: from then on no
     * increment is lost. Registers nothing: the meters are registered as they are first used.
     */
    @Override
    public void bindTo(MeterRegistry root) {
        registryComplete.complete(null);
    }

    /** Completes once the root registry has all its registries ({@link #bindTo}): count nothing before it. */
    public Uni<Void> registryComplete() {
        return Uni.createFrom().completionStage(registryComplete);
    }

    @PreDestroy
    void removeOwnedMeters() {
        owned.forEach(registry::remove);
        oldestGauges.values().forEach(registry::remove);
        oldestGauges.clear();
        retainPools(Set.of());
    }

    /** An event decoded from a format, by hook point. */
    public void eventIn(String format, String hookPoint) {
        eventCounters.computeIfAbsent(List.of(format, hookPoint), key -> registry.counter("mqttbackends.events",
                "format", format, "hookpoint", hookPoint)).increment();
    }

    /**
     * Input that could not be decoded (not JSON, missing field, ...) or was refused (a payload over the size limit):
     * acked and skipped. Counted in a function counter, read at scrape time: besides the pipeline, which waits for
     * {@link #registryComplete()}, pools reject control messages (Redis) from their opening on, during start.
     */
    public void eventRejected(String format, String reason) {
        rejected.computeIfAbsent(List.of(format, reason), key -> {
            AtomicLong count = new AtomicLong();
            // A previous application in this JVM (tests restart Quarkus) may have left one bound to its count.
            registry.find("mqttbackends.events.rejected").tags("format", format, "reason", reason).meters()
                    .forEach(registry::remove);
            owned.add(FunctionCounter.builder("mqttbackends.events.rejected", count, AtomicLong::doubleValue)
                    .tags("format", format, "reason", reason).register(registry));
            return count;
        }).incrementAndGet();
    }

    /** Input deliberately not processed (our own replay, an event type we do not handle). */
    public void eventSkipped(String format, String reason) {
        registry.counter("mqttbackends.events.skipped", "format", format, "reason", reason).increment();
    }

    /** One finished action run (after its retries), with its latency. Outcome: success or failure. */
    public void action(String pool, String function, String outcome, Duration latency) {
        // Once per action on the hot path: keep the meter rather than rebuilding its id for every event.
        actionTimers.computeIfAbsent(List.of(pool, function, outcome), key -> Timer.builder("mqttbackends.actions")
                .tags("pool", pool, "function", function, "outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry))
                .record(latency);
    }

    /** A retry of a failed action attempt; {@code transient} tells whether the database seemed unreachable. */
    public void actionRetry(String pool, String function, boolean transientFailure) {
        registry.counter("mqttbackends.actions.retries", "pool", pool, "function", function,
                "cause", transientFailure ? "unavailable" : "error").increment();
    }

    /** A batch of writes sent to a pool in one round trip, by its size. */
    public void batch(String pool, int size) {
        batchSizes.computeIfAbsent(pool, p -> DistributionSummary.builder("mqttbackends.batch.size").tag("pool", p)
                .serviceLevelObjectives(BATCH_BUCKETS).register(registry)).record(size);
    }

    /** An action given up after its retries and published to the dead-letter topic. */
    public void deadLetter(String pool, String function) {
        registry.counter("mqttbackends.dead.letters", "pool", pool, "function", function).increment();
    }

    /** A broker-control call (deliver, subscribe) by outcome. */
    public void brokerCall(String operation, String outcome) {
        registry.counter("mqttbackends.broker.calls", "operation", operation, "outcome", outcome).increment();
    }

    /** A server-side subscription refused before it reached the broker, by reason (bad-qos, bad-filter, ...). */
    public void subscriptionRefused(String reason) {
        registry.counter("mqttbackends.subscriptions.refused", "reason", reason).increment();
    }

    /** A configuration load or reload, by outcome. */
    public void configLoad(boolean success) {
        configLoads.get(success ? "success" : "failure").incrementAndGet();
    }

    public void eventStarted() {
        inFlight.incrementAndGet();
    }

    public void eventFinished() {
        inFlight.decrementAndGet();
    }

    /** Records whether a pool answered its last health ping (1) or not (0). */
    public void poolState(String pool, boolean up) {
        poolUp.computeIfAbsent(pool, p -> {
            AtomicInteger state = new AtomicInteger();
            return new PoolGauge(state, Gauge.builder("mqttbackends.pool.up", state, AtomicInteger::get)
                    .tags(Tags.of("pool", p)).register(registry));
        }).state().set(up ? 1 : 0);
    }

    /** Drops the pool-up gauges of pools that are no longer configured (a reload removed or renamed them). */
    public void retainPools(Set<String> pools) {
        poolUp.entrySet().removeIf(entry -> {
            if (pools.contains(entry.getKey())) {
                return false;
            }
            registry.remove(entry.getValue().gauge());
            return true;
        });
    }

    /** Registers a gauge of the replaced configurations whose pools wait for their last events to finish. */
    public void drainingConfigurations(Supplier<Number> count) {
        owned.add(Gauge.builder("mqttbackends.config.draining", () -> count.get().doubleValue()).register(registry));
    }

    private record PoolGauge(AtomicInteger state, Gauge gauge) {
    }

    /** Registers a gauge of the MQTT connection state (1 connected, 0 not). */
    public void brokerConnected(Supplier<Boolean> connected) {
        owned.add(Gauge.builder("mqttbackends.broker.connected", () -> connected.get() ? 1 : 0)
                .register(registry));
    }

    /** Registers the gauge of the payload bytes of the events in flight ({@code max-in-flight-bytes} bounds it). */
    public void pipelineInFlightBytes(Supplier<Number> bytes) {
        owned.add(Gauge.builder("mqttbackends.events.in.flight.bytes", () -> bytes.get().doubleValue())
                .baseUnit("bytes").register(registry));
    }

    /**
     * Registers the gauge of how long the oldest event taken from the broker and not yet acked has waited, across the
     * whole pipeline ({@code mqttbackends_pipeline_oldest_unsettled_seconds}): it grows while a partition is stalled
     * (a stuck batch, a held lock), where the per-pool gauge below sees only actions its batcher holds.
     */
    public void oldestUnsettledEvent(Supplier<Duration> age) {
        owned.add(Gauge.builder("mqttbackends.pipeline.oldest.unsettled", () -> age.get().toNanos() / 1e9)
                .baseUnit("seconds").register(registry));
    }

    /**
     * Registers, once per pool name, a gauge of how long the pool's oldest action not yet settled has waited
     * ({@code mqttbackends_pool_oldest_unsettled_seconds}): the age of the oldest event the pool keeps un-acked.
     * It reads {@code age} on every scrape, so a pool replaced by a reload keeps one gauge.
     */
    public void oldestUnsettled(String pool, Supplier<Duration> age) {
        oldestGauges.computeIfAbsent(pool, p -> {
            // A previous application in this JVM (tests restart Quarkus) may have left one bound to its pools.
            registry.find("mqttbackends.pool.oldest.unsettled").tag("pool", p).meters().forEach(registry::remove);
            return Gauge.builder("mqttbackends.pool.oldest.unsettled", () -> age.get().toNanos() / 1e9)
                    .baseUnit("seconds").tags(Tags.of("pool", p)).register(registry);
        });
    }
}
