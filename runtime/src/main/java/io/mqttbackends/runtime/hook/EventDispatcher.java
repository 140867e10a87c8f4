package io.mqttbackends.runtime.hook;

import io.mqttbackends.runtime.action.ActionRunner;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.ingest.DecodeResult;
import io.mqttbackends.runtime.ingest.Inbound;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The event pipeline: inbound publishes are split into ordered lanes by their ordering key (client id for lifecycle
 * events, topic for messages), each lane runs its events one after another through every applying hook in conf
 * order, and an event is acked to the broker only when all its hooks are done. Different lanes run in parallel; the
 * broker's Receive Maximum bounds how many events are in flight, so a slow database pushes back on the broker
 * instead of growing memory.
 */
@ApplicationScoped
public class EventDispatcher {
    private static final Logger LOG = Logger.getLogger(EventDispatcher.class);
    /** Independent ordered lanes; enough to overlap database round trips on a small pool. */
    static final int LANES = 16;
    private static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);
    private static final Duration RESTART_MAX_BACKOFF = Duration.ofSeconds(30);

    private final ActiveConfiguration configuration;
    private final MqttIngress ingress;
    private final ActionRunner runner;
    private final RuntimeMetrics metrics;
    private final Set<String> warnedRejections = ConcurrentHashMap.newKeySet();
    private volatile Cancellable subscription;

    public EventDispatcher(ActiveConfiguration configuration, MqttIngress ingress, ActionRunner runner,
            RuntimeMetrics metrics) {
        this.configuration = configuration;
        this.ingress = ingress;
        this.runner = runner;
        this.metrics = metrics;
    }

    /**
     * Loads the configuration (a bad one fails start), then consumes at once so the broker session and its
     * subscriptions exist from the start, while events wait in their lanes, unacked, until every pool with
     * {@code schema.init} has its tables: a database that is down at start delays events, it does not lose them.
     */
    void onStart(@Observes StartupEvent ev) {
        configuration.load();
        Uni<Void> schemasReady = configuration.initSchemas().memoize().indefinitely();
        // Memoized Unis are lazy: start the schema work now, not when the first event happens to arrive.
        schemasReady.subscribe().with(ready -> { }, failure -> LOG.error("schema initialisation failed", failure));
        subscription = ingress.events()
                .group().by(this::lane)
                .onItem().transformToMulti(lane -> lane.onItem().transformToUniAndConcatenate(
                        inbound -> schemasReady.onItem().transformToUni(ready -> handle(inbound))))
                .merge(LANES)
                // The broker redelivers whatever a failed run left unacked, so starting over loses nothing.
                .onFailure().invoke(failure -> LOG.error("event pipeline failed; restarting it", failure))
                .onFailure().retry().withBackOff(RESTART_BACKOFF, RESTART_MAX_BACKOFF).indefinitely()
                .subscribe().with(
                        done -> { },
                        failure -> LOG.error("event pipeline stopped", failure));
    }

    void onStop(@Observes ShutdownEvent ev) {
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
        configuration.close();
    }

    private int lane(Inbound inbound) {
        if (inbound.result() instanceof DecodeResult.Decoded decoded) {
            Event e = decoded.event();
            return Math.floorMod(Objects.hash(e.hookPoint().kind(), e.orderingKey()), LANES);
        }
        return 0;
    }

    /** Runs one inbound publish to completion and acks it; never fails, so one event cannot stop a lane. */
    Uni<Void> handle(Inbound inbound) {
        DecodeResult result = inbound.result();
        String format = inbound.format().confName();
        if (result instanceof DecodeResult.Malformed malformed) {
            metrics.eventRejected(format, malformed.kind());
            if (warnedRejections.add(format + "/" + malformed.kind())) {
                LOG.warnf("skipping malformed %s input on topic '%s' (%s: %s); further input of this kind is"
                        + " counted in mqttbackends_events_rejected_total only", format, inbound.topic(),
                        malformed.kind(), malformed.detail());
            }
            inbound.acknowledge();
            return Uni.createFrom().voidItem();
        }
        if (result instanceof DecodeResult.Skipped skipped) {
            metrics.eventSkipped(format, skipped.reason());
            inbound.acknowledge();
            return Uni.createFrom().voidItem();
        }
        Event event = ((DecodeResult.Decoded) result).event();
        metrics.eventIn(format, event.hookPoint().confName());
        metrics.eventStarted();
        // One generation for the whole event: a reload meanwhile neither splits it nor closes its pools under it.
        ActiveConfiguration.Lease lease = configuration.acquire();
        List<BoundHook> hooks = lease.table().hooksFor(event);
        return Multi.createFrom().iterable(hooks)
                .onItem().transformToUniAndConcatenate(h -> runner.run(h.pool(), h.action(), h.config(), event))
                .collect().last()
                .onItem().invoke(() -> {
                    metrics.eventFinished();
                    inbound.acknowledge();
                })
                .replaceWithVoid()
                .eventually(lease::close);
    }
}
