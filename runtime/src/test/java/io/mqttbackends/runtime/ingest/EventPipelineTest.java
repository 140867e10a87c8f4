package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.action.DeadLetter;
import io.mqttbackends.runtime.action.DeadLetterSink;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.action.PayloadTooLargeException;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.hook.EventDispatcher;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every inbound publish ends acked, or waiting while its actions run: never in an un-acked hole. */
class EventPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /**
     * The count bound alone: the bytes bound reserves max-payload-size for each event asked for and not yet arrived,
     * so with the defaults (8 MiB, 1 MiB) it would ask for 8 at a time; these tests are about max-in-flight.
     */
    private final RuntimeConfig config = TestConfigs.runtimeConfig(Map.of("ingest.max-payload-size", "16K"));
    /** A bytes bound of 1000 with payloads of at most 100 bytes. */
    private final RuntimeConfig small = TestConfigs.runtimeConfig(Map.of("pipeline.max-in-flight-bytes", "1000",
            "ingest.max-payload-size", "100"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RuntimeMetrics metrics = new RuntimeMetrics(registry);
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final DeadLetterSink sink = letter -> {
        deadLetters.add(letter);
        return Uni.createFrom().voidItem();
    };

    /** A pipeline whose dispatcher answers as {@code dispatch} says. */
    private EventPipeline pipeline(Function<Event, Uni<Void>> dispatch) {
        return pipeline(dispatch, config);
    }

    private EventPipeline pipeline(Function<Event, Uni<Void>> dispatch, RuntimeConfig config) {
        EventDispatcher dispatcher = new EventDispatcher(null, null, metrics) {
            @Override
            public Uni<Void> dispatch(Event event) {
                return dispatch.apply(event);
            }
        };
        return new EventPipeline(null, new MqttIngress(config), dispatcher, sink, metrics, config);
    }

    private static Inbound inbound(DecodeResult result, AtomicInteger acks) {
        return new Inbound(IngestFormat.EMQX_RULE, "$events/client_connected", result, acks::incrementAndGet);
    }

    private static DecodeResult.Decoded connected() {
        return new DecodeResult.Decoded(new ClientConnected(new ClientInfo("c1", Optional.empty(), Optional.empty(),
                "n", 0L)));
    }

    @Test
    void anExceptionThrownWhileDispatchingIsDeadLetteredAndTheEventAcked() {
        AtomicInteger acks = new AtomicInteger();
        pipeline(event -> {
            throw new IllegalStateException("bug");
        }).handle(inbound(connected(), acks)).await().atMost(WAIT);

        assertThat(acks).hasValue(1);
        assertThat(deadLetters).singleElement().satisfies(letter -> {
            assertThat(letter.where()).isEqualTo(EventPipeline.DISPATCH_STAGE);
            assertThat(letter.failure()).hasMessage("bug");
            assertThat(letter.event().clientid()).isEqualTo("c1");
        });
    }

    @Test
    void aFailedDispatchIsDeadLetteredAndTheEventAcked() {
        AtomicInteger acks = new AtomicInteger();
        pipeline(event -> Uni.createFrom().failure(new IllegalStateException("lost")))
                .handle(inbound(connected(), acks)).await().atMost(WAIT);

        assertThat(acks).hasValue(1);
        assertThat(deadLetters).hasSize(1);
    }

    @Test
    void aSettledEventIsAckedOnceWithoutADeadLetter() {
        AtomicInteger acks = new AtomicInteger();
        pipeline(event -> Uni.createFrom().voidItem()).handle(inbound(connected(), acks)).await().atMost(WAIT);

        assertThat(acks).hasValue(1);
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void anEventWhoseActionsStillRunIsNotAcked() {
        AtomicInteger acks = new AtomicInteger();
        pipeline(event -> Uni.createFrom().nothing()).handle(inbound(connected(), acks))
                .subscribe().with(ok -> { });

        assertThat(acks).hasValue(0);
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void malformedInputIsAckedAndCountedNotDeadLettered() {
        AtomicInteger acks = new AtomicInteger();
        pipeline(event -> Uni.createFrom().failure(new AssertionError("not dispatched")))
                .handle(inbound(new DecodeResult.Malformed("not-json", "x"), acks)).await().atMost(WAIT);

        assertThat(acks).hasValue(1);
        assertThat(deadLetters).isEmpty();
    }

    /** Records what the consumer asks of the stream. */
    private static final class RecordingSubscription implements java.util.concurrent.Flow.Subscription {
        final List<Long> requests = new CopyOnWriteArrayList<>();
        volatile boolean cancelled;

        @Override
        public void request(long n) {
            requests.add(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Test
    void theConsumerAsksForMaxInFlightThenForMoreOnlyAsEventsSettle() {
        List<java.util.concurrent.CompletableFuture<Void>> running = new CopyOnWriteArrayList<>();
        EventPipeline.Consumer consumer = pipeline(event -> {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            running.add(done);
            return Uni.createFrom().completionStage(done);
        }).consumer(32);
        RecordingSubscription upstream = new RecordingSubscription();
        consumer.onSubscribe(upstream);
        consumer.open();
        AtomicInteger acks = new AtomicInteger();
        for (int i = 0; i < 32; i++) {
            consumer.onNext(inbound(connected(), acks));
        }
        assertThat(upstream.requests).containsExactly(32L);
        assertThat(consumer.unsettled()).isEqualTo(32);

        // Requests go out in groups of max-in-flight / 16 settled events.
        running.get(0).complete(null);
        assertThat(upstream.requests).containsExactly(32L);
        running.get(1).complete(null);
        assertThat(upstream.requests).containsExactly(32L, 2L);
        assertThat(acks).hasValue(2);
        assertThat(consumer.unsettled()).isEqualTo(30);
    }

    @Test
    void eventsArrivingBeforeTheSchemasExistWaitAndThenGoInOrder() {
        List<String> dispatched = new CopyOnWriteArrayList<>();
        EventPipeline.Consumer consumer = pipeline(event -> {
            dispatched.add(event.clientid());
            return Uni.createFrom().voidItem();
        }).consumer(8);
        consumer.onSubscribe(new RecordingSubscription());
        AtomicInteger acks = new AtomicInteger();
        for (String id : List.of("a", "b", "c")) {
            consumer.onNext(inbound(new DecodeResult.Decoded(new ClientConnected(new ClientInfo(id,
                    Optional.empty(), Optional.empty(), "n", 0L))), acks));
        }
        assertThat(dispatched).isEmpty();
        assertThat(acks).hasValue(0);

        consumer.open();

        assertThat(dispatched).containsExactly("a", "b", "c");
        assertThat(acks).hasValue(3);
    }

    @Test
    void drainingStopsAskingAndWaitsForTheEventsTakenUntilTheyAreAcked() {
        java.util.concurrent.CompletableFuture<Void> slow = new java.util.concurrent.CompletableFuture<>();
        EventPipeline.Consumer consumer = pipeline(event -> Uni.createFrom().completionStage(slow)).consumer(16);
        RecordingSubscription upstream = new RecordingSubscription();
        consumer.onSubscribe(upstream);
        consumer.open();
        AtomicInteger acks = new AtomicInteger();
        for (int i = 0; i < 4; i++) {
            consumer.onNext(inbound(connected(), acks));
        }
        // The events settle 200 ms into the drain, which must wait for them.
        java.util.concurrent.CompletableFuture.delayedExecutor(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> slow.complete(null));

        consumer.drain(WAIT);

        assertThat(acks).hasValue(4);
        assertThat(consumer.unsettled()).isZero();
        assertThat(upstream.requests).containsExactly(16L);
    }

    private static Inbound publish(int payloadBytes, AtomicInteger acks) {
        Message message = new Message("id", "c1", "t/1", 1, false, new byte[payloadBytes], 0L, Map.of());
        return new Inbound(IngestFormat.RAW, "t/1", new DecodeResult.Decoded(new MessagePublish(
                new ClientInfo("c1", Optional.empty(), Optional.empty(), "n", 0L), message)), acks::incrementAndGet);
    }

    /** Bound 1000 bytes, payloads at most 100: the consumer asks only for what fits if every one were 100 bytes. */
    @Test
    void theConsumerAsksOnlyForWhatFitsTheBytesBoundAndStopsWhileOverIt() {
        List<java.util.concurrent.CompletableFuture<Void>> running = new CopyOnWriteArrayList<>();
        EventPipeline.Consumer consumer = pipeline(event -> {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            running.add(done);
            return Uni.createFrom().completionStage(done);
        }, small).consumer(1024);
        RecordingSubscription upstream = new RecordingSubscription();
        consumer.onSubscribe(upstream);
        consumer.open();
        assertThat(upstream.requests).containsExactly(10L);

        AtomicInteger acks = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            consumer.onNext(publish(100, acks));
        }
        assertThat(consumer.unsettledBytes()).isEqualTo(1000);
        running.get(0).complete(null);
        // 900 bytes in flight: room for one more 100-byte event, asked for once a group (of 10 / 16 -> 1) is free.
        assertThat(upstream.requests).containsExactly(10L, 1L);
        consumer.onNext(publish(100, acks));
        assertThat(consumer.unsettledBytes()).isEqualTo(1000);
        assertThat(upstream.requests).containsExactly(10L, 1L);
    }

    /** What is reserved per event asked for is freed as small ones arrive: small events fill max-in-flight. */
    @Test
    void smallEventsAreTakenPastWhatTheReservationAloneWouldAllow() {
        EventPipeline.Consumer consumer = pipeline(event -> Uni.createFrom().nothing(), small).consumer(1024);
        RecordingSubscription upstream = new RecordingSubscription();
        consumer.onSubscribe(upstream);
        consumer.open();
        AtomicInteger acks = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            consumer.onNext(publish(10, acks));
        }
        assertThat(consumer.unsettled()).isEqualTo(50);
        assertThat(consumer.unsettledBytes()).isEqualTo(500);
        assertThat(upstream.requests.stream().mapToLong(Long::longValue).sum()).isEqualTo(55);
    }

    @Test
    void nothingIsAskedForWhileAnEventLargerThanTheBoundIsInFlight() {
        List<java.util.concurrent.CompletableFuture<Void>> running = new CopyOnWriteArrayList<>();
        EventPipeline.Consumer consumer = pipeline(event -> {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            running.add(done);
            return Uni.createFrom().completionStage(done);
        }, small).consumer(1024);
        RecordingSubscription upstream = new RecordingSubscription();
        consumer.onSubscribe(upstream);
        consumer.open();
        AtomicInteger acks = new AtomicInteger();
        consumer.onNext(publish(5000, acks));
        for (int i = 0; i < 9; i++) {
            consumer.onNext(publish(10, acks));
            running.get(i + 1).complete(null);
        }
        assertThat(consumer.unsettledBytes()).isEqualTo(5000);
        assertThat(upstream.requests).as("nothing more asked for while over the bound").containsExactly(10L);

        running.get(0).complete(null);

        assertThat(consumer.unsettled()).isZero();
        assertThat(upstream.requests).containsExactly(10L, 10L);
    }

    @Test
    void aRefusedEventHoldsNoBytesSoRefusalsDoNotStopThePipeline() {
        EventPipeline.Consumer consumer = pipeline(event -> Uni.createFrom().nothing(), small).consumer(1024);
        RecordingSubscription upstream = new RecordingSubscription();
        consumer.onSubscribe(upstream);
        consumer.open();
        AtomicInteger acks = new AtomicInteger();
        consumer.onNext(new Inbound(IngestFormat.RAW, "t/1", new DecodeResult.Refused(new MessagePublish(
                new ClientInfo("", Optional.empty(), Optional.empty(), "n", 0L),
                new Message("id", "", "t/1", 1, false, new byte[0], 0L, Map.of())), "payload-too-large",
                10_485_760, 100), acks::incrementAndGet));

        assertThat(acks).hasValue(1);
        assertThat(consumer.unsettled()).isZero();
        assertThat(upstream.requests).containsExactly(10L, 1L);
    }

    @Test
    void aSingleEventOverTheBoundIsAskedForAloneWhenNothingIsInFlight() {
        RuntimeConfig tiny = TestConfigs.runtimeConfig(Map.of("pipeline.max-in-flight-bytes", "50",
                "ingest.max-payload-size", "100"));
        EventDispatcher dispatcher = new EventDispatcher(null, null, metrics) {
            @Override
            public Uni<Void> dispatch(Event event) {
                return Uni.createFrom().nothing();
            }
        };
        EventPipeline.Consumer consumer = new EventPipeline(null, new MqttIngress(tiny), dispatcher, sink, metrics,
                tiny).consumer(1024);
        RecordingSubscription upstream = new RecordingSubscription();
        consumer.onSubscribe(upstream);
        consumer.open();
        assertThat(upstream.requests).containsExactly(1L);
        consumer.onNext(publish(100, new AtomicInteger()));
        assertThat(upstream.requests).containsExactly(1L);
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        assertThat(consumer.oldestUnsettled()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
    }

    @Test
    void aRefusedEventIsCountedDeadLetteredWithItsSizeAndAcked() {
        AtomicInteger acks = new AtomicInteger();
        MessagePublish withoutPayload = new MessagePublish(new ClientInfo("", Optional.empty(), Optional.empty(), "n",
                0L), new Message("id", "", "big/1", 1, false, new byte[0], 0L, Map.of()));
        pipeline(event -> Uni.createFrom().failure(new AssertionError("not dispatched")))
                .handle(new Inbound(IngestFormat.RAW, "big/1", new DecodeResult.Refused(withoutPayload,
                        "payload-too-large", 10_485_760, 100), acks::incrementAndGet)).await().atMost(WAIT);

        assertThat(acks).hasValue(1);
        assertThat(deadLetters).singleElement().satisfies(letter -> {
            assertThat(letter.where()).isEqualTo(EventPipeline.INGEST_STAGE);
            assertThat(letter.failure()).isInstanceOf(PayloadTooLargeException.class)
                    .hasMessageContaining("10485760 bytes").hasMessageContaining("max-payload-size");
            assertThat(((PayloadTooLargeException) letter.failure()).size()).isEqualTo(10_485_760);
            assertThat(letter.event().topic()).contains("big/1");
        });
        assertThat(registry.get("mqttbackends.events.rejected").tags("format", "raw", "reason", "payload-too-large")
                .functionCounter().count()).isEqualTo(1.0);
    }
}
