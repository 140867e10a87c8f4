package io.mqttbackends.runtime.ingest;

import io.mqttbackends.model.LogText;
import io.mqttbackends.runtime.action.DeadLetter;
import io.mqttbackends.runtime.action.DeadLetterSink;
import io.mqttbackends.runtime.action.PayloadTooLargeException;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.MessageEvent;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The event pipeline from the broker to the hooks, and its lifecycle. Events are taken in arrival order and handed to
 * the {@link EventDispatcher} at once (which fixes their order per key); each is acked to the broker when it is
 * settled: all its actions applied or given up and dead-lettered. At most {@code mqttbackends.pipeline.max-in-flight}
 * events are unsettled: past that the pipeline stops reading from the MQTT client, so a slow database pushes back on
 * the broker instead of growing memory. The same holds for their payload bytes ({@code max-in-flight-bytes}), so that
 * large payloads cannot fill the heap under the count bound.
 *
 * <p><b>Why memory stays bounded whatever the payloads.</b> Three places hold publishes:
 * <ol>
 * <li>The broker's in-flight window: it sends at most that many un-acked QoS 1 publishes (Receive Maximum as the broker
 * honours it; Mosquitto's {@code max_inflight_messages}, EMQX's {@code max_inflight}) and keeps the rest itself.
 * Each is at most {@code mqttbackends.mqtt.maximum-packet-size}, declared in CONNECT: the broker discards a larger
 * one rather than send it. So what the client holds ahead of this pipeline (its RxJava queue takes publishes whether
 * or not the pipeline asks, and an un-asked client keeps them too) is at most window x packet size.</li>
 * <li>This pipeline: at most {@code max-in-flight} events and {@code max-in-flight-bytes} payload bytes, plus one
 * event alone when it is larger than that. Each request is made only if the bytes in flight, plus
 * {@code max-payload-size} for every event asked for and not yet arrived, stay within the bound, so the bound holds
 * before the events' sizes are known. An event over {@code max-payload-size} arrives refused: its payload is dropped
 * at decoding and it is acked at once, so refusals keep pace with the broker and the client's queue stays short.</li>
 * <li>The copies an event makes on its way (decoded message, database encoding): a small multiple of the bytes in
 * flight, measured in the documentation.</li>
 * </ol>
 * So a flood of large payloads costs refusals, not heap, and a restart onto a backlog of them takes the same path.
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
    /** The stage named in the dead-letter record of an event refused at ingestion (its payload over the limit). */
    static final String INGEST_STAGE = "ingest";
    /** Topics whose refusals were logged, at most; past it the oldest is forgotten (and may be logged again). */
    private static final int LOGGED_TOPICS = 1_000;
    /** A topic in a log line is cut to this many characters. */

    private final ActiveConfiguration configuration;
    private final MqttIngress ingress;
    private final EventDispatcher dispatcher;
    private final DeadLetterSink deadLetters;
    private final RuntimeMetrics metrics;
    private final RuntimeConfig.Pipeline settings;
    private final Set<String> warnedRejections = ConcurrentHashMap.newKeySet();
    private final Set<String> refusedTopicsLogged = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > LOGGED_TOPICS;
        }
    });
    private final long maxPayloadSize;
    private volatile Consumer consumer;

    public EventPipeline(ActiveConfiguration configuration, MqttIngress ingress, EventDispatcher dispatcher,
            DeadLetterSink deadLetters, RuntimeMetrics metrics, RuntimeConfig config) {
        this.configuration = configuration;
        this.ingress = ingress;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.settings = config.pipeline();
        this.maxPayloadSize = config.ingest().maxPayloadSize().asLongValue();
        if (settings.maxInFlight() < 1 || settings.maxInFlightBytes().asLongValue() < 1) {
            throw new IllegalArgumentException("mqttbackends.pipeline.max-in-flight and max-in-flight-bytes must be at"
                    + " least 1, not " + settings.maxInFlight() + " and " + settings.maxInFlightBytes().asLongValue());
        }
        metrics.pipelineInFlightBytes(() -> {
            Consumer c = consumer;
            return c == null ? 0 : c.unsettledBytes();
        });
        metrics.oldestUnsettledEvent(this::oldestUnsettled);
    }

    /** How long the oldest event taken from the broker and not yet acked has waited; zero when none waits. */
    public Duration oldestUnsettled() {
        Consumer c = consumer;
        return c == null ? Duration.ZERO : c.oldestUnsettled();
    }

    /** Past this age, an un-acked event means a stalled partition ({@code mqttbackends.pipeline.stall-timeout}). */
    public Duration stallTimeout() {
        return settings.stallTimeout();
    }

    /**
     * Loads the configuration (a bad one fails start), then consumes at once so the broker session and its
     * subscriptions exist from the start, while events wait, un-acked, until every pool with {@code schema.init} has
     * its tables (a database that is down at start delays events, it does not lose them) and until the metrics
     * registry is complete: Quarkus adds the Prometheus registry after this observer has run, and what is counted
     * before that is lost ({@link RuntimeMetrics#registryComplete()}).
     */
    void onStart(@Observes StartupEvent ev) {
        configuration.load();
        Consumer started = consumer(settings.maxInFlight());
        // Subscribed now: the schema work starts at once, not when the first event happens to arrive.
        Uni.combine().all().unis(configuration.initSchemas(), metrics.registryComplete()).discardItems()
                .subscribe().with(ready -> started.open(), failure -> LOG.error("schema initialisation failed",
                        failure));
        ingress.events()
                // The broker redelivers whatever a failed run left un-acked, so starting over loses nothing.
                .onFailure().invoke(failure -> {
                    if (failure instanceof DeliveryStalledException) {
                        // MqttIngress said why at WARN; a new run on the same session is the remedy, not a fault.
                        LOG.infof("%s; starting a new MQTT run on the same session", failure.getMessage());
                    } else {
                        LOG.error("event pipeline failed; restarting it", failure);
                    }
                })
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

    /** A consumer of the event stream keeping at most {@code maxInFlight} events unsettled (and the bytes bound). */
    Consumer consumer(int maxInFlight) {
        return new Consumer(maxInFlight, settings.maxInFlightBytes().asLongValue(), maxPayloadSize);
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
        if (result instanceof DecodeResult.Untrusted untrusted) {
            metrics.eventRejected(format, untrusted.kind());
            if (warnedRejections.add(format + "/" + untrusted.kind())) {
                LOG.warnf("refusing %s input on topic '%s' (%s: %s); further input of this kind is counted in"
                        + " mqttbackends_events_rejected_total only", format, LogText.of(inbound.topic()),
                        untrusted.kind(), untrusted.detail());
            }
            inbound.acknowledge();
            return Uni.createFrom().voidItem();
        }
        if (result instanceof DecodeResult.Refused refused) {
            return refuse(inbound, refused);
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
     * Counts a refused event, logs its topic once (a bounded memory of topics), acks it and then publishes its
     * dead-letter record (without the payload). The ack goes first: it lets the MQTT client release the large publish
     * it still holds, so that refusals keep pace with what the broker sends; a crash in between loses the record of
     * a payload that is refused anyway, never a stored message.
     */
    private Uni<Void> refuse(Inbound inbound, DecodeResult.Refused refused) {
        String format = inbound.format().confName();
        metrics.eventRejected(format, refused.reason());
        boolean first;
        synchronized (refusedTopicsLogged) {
            first = refusedTopicsLogged.add(inbound.topic());
        }
        if (first) {
            LOG.warnf("refusing a %s event on topic '%s': its payload of %d bytes is over "
                    + "mqttbackends.ingest.max-payload-size (%d bytes); acked, dead-lettered without the payload, "
                    + "further refusals on this topic are counted in mqttbackends_events_rejected_total{reason=\"%s\"}"
                    + " only", refused.event().hookPoint(), LogText.of(inbound.topic()), refused.size(), refused.limit(),
                    refused.reason());
        }
        inbound.acknowledge();
        return deadLetters.publish(new DeadLetter(INGEST_STAGE, Optional.empty(), Optional.empty(), refused.event(),
                        new PayloadTooLargeException(refused.size(), refused.limit())))
                .onFailure().recoverWithNull();
    }

    /**
     * The payload bytes an inbound publish holds while it is in flight: its message's payload. A refused one holds
     * none (its payload was dropped at decoding and it is acked at once), so a run of refusals never stops the pipeline
     * from taking what the broker sends; the rest of an event is small and bounded by the packet size.
     */
    static long weight(Inbound inbound) {
        if (inbound.result() instanceof DecodeResult.Decoded decoded && decoded.event() instanceof MessageEvent event) {
            return event.message().payload().length;
        }
        return 0;
    }

    /**
     * Hands events to {@link #handle} in arrival order and keeps at most {@code max-in-flight} of them unsettled and
     * their payloads within {@code max-in-flight-bytes}: it asks for what fits both (see {@link #requestMore}) at first,
     * and again as events arrive smaller than reserved and as they settle. Events that arrive before the schemas exist
     * wait, in order, until {@link #open}.
     */
    final class Consumer implements Flow.Subscriber<Inbound> {
        private final int maxInFlight;
        private final long maxInFlightBytes;
        private final long maxEventBytes;
        private final int requestGroup;
        private final Object demand = new Object();
        /** Events taken and not settled, their payload bytes, and events asked for that have not arrived. */
        private int inFlight;
        private long inFlightBytes;
        private int requested;
        /** Events taken and not settled by arrival number, with the time they were taken (nanoTime). */
        private final ConcurrentSkipListMap<Long, Long> takenAt = new ConcurrentSkipListMap<>();
        private final AtomicLong arrivals = new AtomicLong();
        private final List<Taken> waiting = new ArrayList<>();
        private volatile boolean open;
        private volatile boolean stopping;
        private volatile Flow.Subscription upstream;

        /**
         * @param maxEventBytes the largest payload an event that is not refused can have: what each event asked for
         *                      and not yet arrived may add to the bytes in flight
         */
        Consumer(int maxInFlight, long maxInFlightBytes, long maxEventBytes) {
            this.maxInFlight = maxInFlight;
            this.maxInFlightBytes = maxInFlightBytes;
            this.maxEventBytes = Math.max(1, maxEventBytes);
            this.requestGroup = (int) Math.max(1, Math.min(maxInFlight, maxInFlightBytes / this.maxEventBytes) / 16);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            upstream = s;
            requestMore();
        }

        @Override
        public void onNext(Inbound inbound) {
            long bytes = weight(inbound);
            synchronized (demand) {
                requested--;
                inFlight++;
                inFlightBytes += bytes;
            }
            Taken taken = new Taken(inbound, arrivals.incrementAndGet(), bytes);
            takenAt.put(taken.arrival(), System.nanoTime());
            // A small event frees most of what was reserved for it: ask again, so small events fill max-in-flight.
            requestMore();
            if (!open) {
                synchronized (waiting) {
                    if (!open) {
                        waiting.add(taken);
                        return;
                    }
                }
            }
            dispatch(taken);
        }

        /** How many events were taken and are not settled yet. */
        int unsettled() {
            synchronized (demand) {
                return inFlight;
            }
        }

        /** The payload bytes of the events taken and not settled yet. */
        long unsettledBytes() {
            synchronized (demand) {
                return inFlightBytes;
            }
        }

        /** The age of the oldest event taken and not settled; zero when none is. */
        Duration oldestUnsettled() {
            Map.Entry<Long, Long> oldest = takenAt.firstEntry();
            return oldest == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - oldest.getValue());
        }

        /** The schemas exist: the events that waited go first, in order, then the stream flows directly. */
        void open() {
            synchronized (waiting) {
                waiting.forEach(this::dispatch);
                waiting.clear();
                open = true;
            }
        }

        private void dispatch(Taken taken) {
            handle(taken.inbound()).subscribe().with(done -> settled(taken), failure -> settled(taken));
        }

        private void settled(Taken taken) {
            takenAt.remove(taken.arrival());
            synchronized (demand) {
                inFlight--;
                inFlightBytes -= taken.bytes();
            }
            requestMore();
        }

        /**
         * Asks for as many events as fit both bounds, counting every event asked for as {@code maxEventBytes} until it
         * arrives: in groups (the MQTT client is not asked for every single one), except when nothing is in flight or
         * on its way, where it asks for at least one, so one event larger than the bytes bound goes through alone.
         */
        private void requestMore() {
            int n;
            synchronized (demand) {
                if (stopping || upstream == null) {
                    return;
                }
                long room = maxInFlightBytes - inFlightBytes - (long) requested * maxEventBytes;
                long byBytes = Math.max(0, room / maxEventBytes);
                n = (int) Math.min(maxInFlight - inFlight - requested, byBytes);
                boolean idle = inFlight == 0 && requested == 0;
                if (idle) {
                    n = Math.max(n, 1);
                } else if (n < requestGroup) {
                    return;
                }
                requested += n;
            }
            upstream.request(n);
        }

        /**
         * Stops asking for events and waits until the ones taken are settled (their acks sent), at most
         * {@code timeout}. Blocks the shutdown thread, which is what shutdown is for.
         */
        void drain(Duration timeout) {
            stopping = true;
            long deadline = System.nanoTime() + timeout.toNanos();
            int left;
            while ((left = unsettled()) > 0 && System.nanoTime() < deadline) {
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

    /** An event taken from the stream: its arrival number (for the age of the oldest) and the bytes it counts. */
    private record Taken(Inbound inbound, long arrival, long bytes) {
    }
}
