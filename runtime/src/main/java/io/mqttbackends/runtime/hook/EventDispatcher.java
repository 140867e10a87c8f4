package io.mqttbackends.runtime.hook;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.action.ActionRunner;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.ingest.DecodeResult;
import io.mqttbackends.runtime.ingest.Inbound;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The event pipeline. Events are taken from the broker in arrival order; each event's applying hooks are submitted at
 * once, in conf order, to their pools' action stage, which keeps the order of one ordering key (client id for
 * lifecycle events, topic for messages) per pool, runs other keys in parallel and batches writes. An event is acked
 * to the broker only when all its actions committed and their reach-back (replays, subscriptions) was carried out in
 * conf order. At most {@code mqttbackends.pipeline.max-in-flight} events are in progress: past that the pipeline
 * stops reading from the MQTT client, so a slow database pushes back on the broker instead of growing memory.
 */
@ApplicationScoped
public class EventDispatcher {
    private static final Logger LOG = Logger.getLogger(EventDispatcher.class);
    private static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);
    private static final Duration RESTART_MAX_BACKOFF = Duration.ofSeconds(30);

    private final ActiveConfiguration configuration;
    private final MqttIngress ingress;
    private final ActionRunner runner;
    private final RuntimeMetrics metrics;
    private final int maxInFlight;
    private final Set<String> warnedRejections = ConcurrentHashMap.newKeySet();
    private volatile Cancellable subscription;

    public EventDispatcher(ActiveConfiguration configuration, MqttIngress ingress, ActionRunner runner,
            RuntimeMetrics metrics, RuntimeConfig config) {
        this.configuration = configuration;
        this.ingress = ingress;
        this.runner = runner;
        this.metrics = metrics;
        this.maxInFlight = config.pipeline().maxInFlight();
    }

    /**
     * Loads the configuration (a bad one fails start), then consumes at once so the broker session and its
     * subscriptions exist from the start, while events wait, unacked, until every pool with {@code schema.init} has
     * its tables: a database that is down at start delays events, it does not lose them.
     */
    void onStart(@Observes StartupEvent ev) {
        configuration.load();
        Uni<Void> schemasReady = configuration.initSchemas().memoize().indefinitely();
        Consumer consumer = new Consumer(maxInFlight);
        // Memoized Unis are lazy: start the schema work now, not when the first event happens to arrive.
        schemasReady.subscribe().with(ready -> consumer.open(), failure -> LOG.error("schema initialisation failed",
                failure));
        ingress.events()
                // The broker redelivers whatever a failed run left unacked, so starting over loses nothing.
                .onFailure().invoke(failure -> LOG.error("event pipeline failed; restarting it", failure))
                .onFailure().retry().withBackOff(RESTART_BACKOFF, RESTART_MAX_BACKOFF).indefinitely()
                .subscribe().withSubscriber(consumer);
        subscription = consumer;
    }

    void onStop(@Observes ShutdownEvent ev) {
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
        configuration.close();
    }

    /**
     * Hands events to {@link #handle} in arrival order, which fixes their order per key, and keeps at most
     * {@code max-in-flight} of them unfinished: it requests as many at first, then one more for each that finished
     * (in small groups, so the MQTT client is not asked for every single one). Events that arrive before the
     * schemas exist wait, in order, until {@link #open}.
     */
    private final class Consumer implements Flow.Subscriber<Inbound>, Cancellable {
        private final int maxInFlight;
        private final int requestGroup;
        private final AtomicInteger finished = new AtomicInteger();
        private final List<Inbound> waiting = new ArrayList<>();
        private volatile boolean open;
        private volatile Flow.Subscription upstream;

        Consumer(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            this.requestGroup = Math.max(1, maxInFlight / 16);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            upstream = s;
            s.request(maxInFlight);
        }

        @Override
        public void onNext(Inbound inbound) {
            if (!open) {
                synchronized (waiting) {
                    if (!open) {
                        waiting.add(inbound);
                        return;
                    }
                }
            }
            dispatch(inbound);
        }

        /** The schemas exist: the events that waited go first, in order, then the stream flows directly. */
        void open() {
            synchronized (waiting) {
                waiting.forEach(this::dispatch);
                waiting.clear();
                open = true;
            }
        }

        private void dispatch(Inbound inbound) {
            handle(inbound).subscribe().with(done -> finished(), failure -> {
                LOG.error("event handling failed", failure);
                finished();
            });
        }

        private void finished() {
            if (finished.incrementAndGet() >= requestGroup) {
                int n = finished.getAndSet(0);
                if (n > 0) {
                    upstream.request(n);
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            LOG.error("event pipeline stopped", failure);
        }

        @Override
        public void onComplete() {
            LOG.info("event stream completed");
        }

        @Override
        public void cancel() {
            Flow.Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }
    }

    /**
     * Submits one inbound publish's actions now and acks it when they are done; the returned Uni never fails, so one
     * event cannot stop the stream.
     */
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
        List<Uni<ActionOutcome>> outcomes = lease.table().hooksFor(event).stream()
                .map(h -> runner.submit(h.pool(), h.action(), h.config(), event))
                .toList();
        // Reach-backs in conf order, each once its action is done; a plain chain, since most events have one hook.
        Uni<Void> reachedBack = Uni.createFrom().voidItem();
        for (Uni<ActionOutcome> outcome : outcomes) {
            reachedBack = reachedBack.onItem().transformToUni(previous -> outcome.onItem()
                    .transformToUni(runner::reachBack));
        }
        return reachedBack
                .onItem().invoke(() -> {
                    metrics.eventFinished();
                    inbound.acknowledge();
                })
                .replaceWithVoid()
                .eventually(lease::close);
    }
}
