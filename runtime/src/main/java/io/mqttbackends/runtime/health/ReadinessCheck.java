package io.mqttbackends.runtime.health;

import io.mqttbackends.runtime.metrics.RuntimeMetrics;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.runtime.hook.ActiveConfiguration;
import io.mqttbackends.runtime.hook.ConfigurationApplied;
import io.mqttbackends.runtime.ingest.EventPipeline;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness at {@code /q/health/ready}: up when the MQTT session is connected, every pool answers a ping and no event
 * has waited un-acked longer than {@code mqttbackends.pipeline.stall-timeout} (a stalled partition: a batch stuck on a
 * lock or a hung statement while the database still answers pings, which would otherwise stay UP while events pile
 * up behind it). Each pool's state is in the response data ({@code "pool <name>"}, and for a pool that is down
 * {@code "pool <name> failure"}: why, e.g. "TLS failed: No subject alternative DNS name matching ... found.") and in
 * the {@code mqttbackends_pool_up} gauge, which is also refreshed every
 * {@link #PROBE_INTERVAL} so that it tells the truth where nothing polls readiness. Both follow the running
 * configuration: after a reload they ping its pools, and gauges of pools it no longer has are removed.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements AsyncHealthCheck {
    private static final Logger LOG = Logger.getLogger(ReadinessCheck.class);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(10);

    private final MqttIngress ingress;
    private final EventPipeline pipeline;
    private final ActiveConfiguration configuration;
    private final RuntimeMetrics metrics;
    private volatile Cancellable probes;
    /** The last ping of each pool of the running configuration: empty when it answered, else why not. */
    private final Map<String, Optional<String>> lastPing = new ConcurrentHashMap<>();

    /** Each pool's last ping: empty when it answered, else the failure (shown on the configuration endpoint). */
    Map<String, Optional<String>> lastPing() {
        return Map.copyOf(lastPing);
    }

    public ReadinessCheck(MqttIngress ingress, EventPipeline pipeline, ActiveConfiguration configuration,
            RuntimeMetrics metrics) {
        this.ingress = ingress;
        this.pipeline = pipeline;
        this.configuration = configuration;
        this.metrics = metrics;
        metrics.brokerConnected(ingress::isConnected);
    }

    void onStart(@Observes StartupEvent ev) {
        probes = Multi.createFrom().ticks().startingAfter(Duration.ofMillis(100)).every(PROBE_INTERVAL)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> pingAll())
                .subscribe().with(states -> { }, failure -> LOG.warn("pool probe stopped", failure));
    }

    void onStop(@Observes ShutdownEvent ev) {
        Cancellable p = probes;
        if (p != null) {
            p.cancel();
        }
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pingAll().onItem().transform(this::response);
    }

    /** A reload swapped the pools: probe the new ones now rather than at the next tick. */
    void onConfigurationApplied(@Observes ConfigurationApplied applied) {
        pingAll().subscribe().with(states -> { }, failure -> LOG.warn("pool probe after reload failed", failure));
    }

    private Uni<Map<String, Boolean>> pingAll() {
        return Multi.createFrom().iterable(configuration.pools())
                .onItem().transformToUniAndMerge(this::ping)
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue)
                // Pools a reload removed must not report their last state for ever.
                .onItem().invoke(states -> {
                    Set<String> running = configuration.pools().stream().map(p -> p.config().qualifiedName())
                            .collect(Collectors.toSet());
                    metrics.retainPools(running);
                    lastPing.keySet().retainAll(running);
                });
    }

    private Uni<Map.Entry<String, Boolean>> ping(BackendPool<?> pool) {
        String name = pool.config().qualifiedName();
        return pool.ping()
                .ifNoItem().after(PING_TIMEOUT).fail()
                .onItem().invoke(ok -> lastPing.put(name, Optional.empty()))
                .onItem().transform(ok -> Map.entry(name, true))
                .onFailure().invoke(f -> lastPing.put(name, Optional.of(PoolTls.failureReason(f)
                        .map(tls -> "TLS failed: " + tls)
                        .orElseGet(() -> f.getClass().getSimpleName() + ": " + f.getMessage()))))
                .onFailure().recoverWithItem(f -> Map.entry(name, false))
                .onItem().invoke(e -> metrics.poolState(e.getKey(), e.getValue()));
    }

    private HealthCheckResponse response(Map<String, Boolean> pools) {
        boolean mqtt = ingress.isConnected();
        Duration oldest = pipeline.oldestUnsettled();
        boolean stalled = oldest.compareTo(pipeline.stallTimeout()) > 0;
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("mqttbackends")
                .status(mqtt && !stalled && pools.values().stream().allMatch(Boolean::booleanValue))
                .withData("mqtt", mqtt ? "connected" : ingress.deliveryFailure().map(why -> "not delivering: " + why)
                        .orElse("disconnected"))
                .withData("pipeline", stalled
                        ? "stalled: the oldest un-acked event has waited " + oldest.toSeconds() + " s, over "
                                + "mqttbackends.pipeline.stall-timeout (" + pipeline.stallTimeout().toSeconds() + " s)"
                        : "flowing");
        pools.forEach((name, up) -> {
            builder.withData("pool " + name, up ? "up" : "down");
            Optional<String> failure = up ? Optional.empty() : lastPing.getOrDefault(name, Optional.empty());
            failure.ifPresent(why -> builder.withData("pool " + name + " failure", why));
        });
        return builder.build();
    }
}
