package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.action.DeadLetter;
import io.mqttbackends.runtime.action.DeadLetterSink;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.hook.EventDispatcher;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every inbound publish ends acked, or waiting while its actions run: never in an un-acked hole. */
class EventPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final RuntimeConfig config = TestConfigs.runtimeConfig(Map.of());
    private final RuntimeMetrics metrics = new RuntimeMetrics(new SimpleMeterRegistry());
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final DeadLetterSink sink = letter -> {
        deadLetters.add(letter);
        return Uni.createFrom().voidItem();
    };

    /** A pipeline whose dispatcher answers as {@code dispatch} says. */
    private EventPipeline pipeline(Function<Event, Uni<Void>> dispatch) {
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
}
