package io.mqttbackends.runtime.ingest;

import io.mqttbackends.model.LogText;
import io.mqttbackends.runtime.action.DeadLetter;
import io.mqttbackends.runtime.action.DeadLetterSink;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.hook.ActiveConfiguration;
import io.mqttbackends.runtime.hook.EventDispatcher;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The event pipeline from the broker to the hooks, and its lifecycle. Events are taken in arrival order and handed to
 * the {@link EventDispatcher} at once (which fixes their order per key); each is acked to the broker when it is
 * settled: all its actions applied or given up and dead-lettered. At most {@code mqttbackends.pipeline.max-in-flight}
 * events are unsettled: past that the pipeline stops reading from the MQTT client, so a slow database pushes back on
 * the broker instead of growing memory.
 *
 * <p>Every event ends acked or, while its database is unavailable, waiting un-acked; never in a hole: input that is
 * not an event (malformed, skipped) is counted and acked, and a fault while handling an event publishes a dead-letter
 * record and acks it, so one event cannot hold back the in-order PUBACKs of everything after it.
 *
 * <p>At shutdown it stops reading, finishes the events it took and sends their acks (at most
 * {@code mqttbackends.pipeline.drain-timeout}), then disconnects with the session kept: what was not acked is
 * redelivered after a restart, and what was stored was acked, so a graceful stop stores nothing twice.
 */
@ApplicationScoped
public class EventPipeline {
    private static final Logger LOG = Logger.getLogger(EventPipeline.class);
    private static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);
    /** How long a graceful stop waits for its MQTT DISCONNECT to go out. */
    private static final Duration DISCONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RESTART_MAX_BACKOFF = Duration.ofSeconds(30);
    /** The stage named in the dead-letter record of an event whose handling failed outside any action. */
    static final String DISPATCH_STAGE = "event pipeline";

    private final ActiveConfiguration configuration;
    private final MqttIngress ingress;
    private final EventDispatcher dispatcher;
    private final DeadLetterSink deadLetters;
    private final RuntimeMetrics metrics;
    private final RuntimeConfig.Pipeline settings;
    private final Set<String> warnedRejections = ConcurrentHashMap.newKeySet();
    private volatile Consumer consumer;

    public EventPipeline(ActiveConfiguration configuration, MqttIngress ingress, EventDispatcher dispatcher,
            DeadLetterSink deadLetters, RuntimeMetrics metrics, RuntimeConfig config) {
        this.configuration = configuration;
        this.ingress = ingress;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.settings = config.pipeline();
    }

    /**
     * Loads the configuration (a bad one fails start), then consumes at once so the broker session and its
     * subscriptions exist from the start, while events wait, un-acked, until every pool with {@code schema.init} has
     * its tables: a database that is down at start delays events, it does not lose them.
     */
    void onStart(@Observes StartupEvent ev) {
        configuration.load();
        Uni<Void> schemasReady = configuration.initSchemas().memoize().indefinitely();
        Consumer started = consumer(settings.maxInFlight());
        // Memoized Unis are lazy: start the schema work now, not when the first event happens to arrive.
        schemasReady.subscribe().with(ready -> started.open(), failure -> LOG.error("schema initialisation failed",
                failure));
        ingress.events()
                // The broker redelivers whatever a failed run left un-acked, so starting over loses nothing.
                .onFailure().invoke(failure -> LOG.error("event pipeline failed; restarting it", failure))
                .onFailure().retry().withBackOff(RESTART_BACKOFF, RESTART_MAX_BACKOFF).indefinitely()
                .subscribe().withSubscriber(started);
        consumer = started;
    }

    void onStop(@Observes ShutdownEvent ev) {
        Consumer c = consumer;
        if (c != null) {
            c.drain(settings.drainTimeout());
            // Disconnect before cancelling: see MqttIngress.disconnect.
            ingress.disconnect(DISCONNECT_TIMEOUT);
            c.cancel();
        }
        configuration.close();
    }

    /** A consumer of the event stream keeping at most {@code maxInFlight} events unsettled. */
    Consumer consumer(int maxInFlight) {
        return new Consumer(maxInFlight);
    }

    /**
     * Handles one inbound publish: acks it once settled. The returned Uni never fails, so one event cannot stop
     * the stream.
     */
    Uni<Void> handle(Inbound inbound) {
        DecodeResult result = inbound.result();
        String format = inbound.format().confName();
        if (result instanceof DecodeResult.Malformed malformed) {
            metrics.eventRejected(format, malformed.kind());
            if (warnedRejections.add(format + "/" + malformed.kind())) {
                LOG.warnf("skipping malformed %s input on topic '%s' (%s: %s); further input of this kind is"
                        + " counted in mqttbackends_events_rejected_total only", format, LogText.of(inbound.topic()),
                        malformed.kind(), LogText.of(malformed.detail()));
            }
            inbound.acknowledge();
            return Uni.createFrom().voidItem();
        }
        if (result instanceof DecodeResult.Refused refused) {
            metrics.eventRejected(format, refused.kind());
            if (warnedRejections.add(format + "/" + refused.kind())) {
                LOG.warnf("refusing %s input on topic '%s' (%s: %s); further input of this kind is counted in"
                        + " mqttbackends_events_rejected_total only", format, LogText.of(inbound.topic()),
                        refused.kind(), refused.detail());
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
        return Uni.createFrom().deferred(() -> dispatcher.dispatch(event))
                .onFailure().call(failure -> {
                    LOG.errorf(failure, "handling a %s event of client '%s' on topic '%s' failed; acking it with a"
                            + " dead-letter record", event.hookPoint(), LogText.of(event.clientid()),
                            LogText.of(inbound.topic()));
                    return deadLetters.publish(new DeadLetter(DISPATCH_STAGE, Optional.empty(), Optional.empty(),
                            event, failure));
                })
                .onFailure().recoverWithNull()
                .onItem().invoke(inbound::acknowledge);
    }

    /**
     * Hands events to {@link #handle} in arrival order and keeps at most {@code max-in-flight} of them unsettled: it
     * requests as many at first, then one more for each that settled (in small groups, so the MQTT client is not
     * asked for every single one). Events that arrive before the schemas exist wait, in order, until {@link #open}.
     */
    final class Consumer implements Flow.Subscriber<Inbound> {
        private final int maxInFlight;
        private final int requestGroup;
        private final AtomicInteger settledSinceRequest = new AtomicInteger();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final List<Inbound> waiting = new ArrayList<>();
        private volatile boolean open;
        private volatile boolean stopping;
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
            inFlight.incrementAndGet();
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

        /** How many events were taken and are not settled yet. */
        int unsettled() {
            return inFlight.get();
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
            handle(inbound).subscribe().with(done -> settled(), failure -> settled());
        }

        private void settled() {
            inFlight.decrementAndGet();
            if (stopping) {
                return;
            }
            if (settledSinceRequest.incrementAndGet() >= requestGroup) {
                int n = settledSinceRequest.getAndSet(0);
                if (n > 0) {
                    upstream.request(n);
                }
            }
        }

        /**
         * Stops asking for events and waits until the ones taken are settled (their acks sent), at most
         * {@code timeout}. Blocks the shutdown thread, which is what shutdown is for.
         */
        void drain(Duration timeout) {
            stopping = true;
            long deadline = System.nanoTime() + timeout.toNanos();
            int left;
            while ((left = inFlight.get()) > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            if (left > 0) {
                LOG.warnf("shutting down with %d event(s) not settled after %s; the broker redelivers them", left,
                        timeout);
            } else {
                LOG.info("every event taken was settled and acked; disconnecting");
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

        void cancel() {
            Flow.Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
