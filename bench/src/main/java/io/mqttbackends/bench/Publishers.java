package io.mqttbackends.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.reactivex.Flowable;
import io.reactivex.FlowableSubscriber;
import io.reactivex.schedulers.Schedulers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.reactivestreams.Subscription;

/**
 * M MQTT 5 clients sharing N QoS 1 messages, publisher {@code i} on its own topic {@code <prefix>/<i>}.
 *
 * <p>Each publisher streams its messages through one reactive publish flow of the client ({@code publish(Flowable)}),
 * not one {@code send()} per message: the per-message future, flow and event-loop hand-off of {@code send()} made
 * the four publishers cost about a core at 13,000 msgs/s, CPU the co-located runtime then did not get. A message is
 * created, and stamped with its publish time, only when the client asks for it, and each publisher keeps at most
 * {@link #WINDOW} messages unacknowledged (it asks for one more result per result received): without that bound the
 * stamps would measure a queue in the client instead of the path to the database.
 */
public final class Publishers {
    /** Messages one publisher may have unacknowledged at a time. */
    public static final int WINDOW = 1000;
    /** Results are re-requested in chunks, not one by one: a request crosses threads. */
    private static final int REQUEST_CHUNK = WINDOW / 4;

    private Publishers() {
    }

    /**
     * @param firstPublishMicros when the first message of all publishers was stamped
     * @param lastAckMicros when the broker acknowledged the last one
     */
    record Result(long firstPublishMicros, long lastAckMicros, long acked, long failed) {
    }

    /**
     * Publishes and returns when every message is acknowledged by the broker (or failed).
     *
     * @param backlog how far the publishers may run ahead of the consumer
     */
    static Result run(BenchOptions options, String prefix, String clientPrefix, double rate, Backlog backlog) {
        int m = options.publishers();
        Pacing pacing = new Pacing(rate / m);
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            clients.add(connect(options, clientPrefix + "-" + i, false));
        }
        long[] first = new long[m];
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        AtomicLong published = new AtomicLong();
        CountDownLatch done = new CountDownLatch(m);
        List<ExecutorService> generators = new ArrayList<>();
        List<ResultCounter> counters = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            int index = i;
            long count = options.messages() / m + (i < options.messages() % m ? 1 : 0);
            String topic = prefix + "/" + index;
            ExecutorService generator = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-publisher-"
                    + index));
            generators.add(generator);
            long[] startNanos = new long[1];
            // Generated on the publisher's own thread (requestOn): pacing and the backlog bound may park it.
            Flowable<Mqtt5Publish> messages = Flowable.<Mqtt5Publish, long[]>generate(() -> new long[1],
                    (seqHolder, emitter) -> {
                        long seq = seqHolder[0]++;
                        if (seq >= count) {
                            emitter.onComplete();
                            return;
                        }
                        if (seq == 0) {
                            startNanos[0] = System.nanoTime();
                        }
                        long sleep = pacing.sleepBefore(seq, startNanos[0], System.nanoTime());
                        if (sleep > 0) {
                            LockSupport.parkNanos(sleep);
                        }
                        backlog.awaitRoom(published.incrementAndGet());
                        long now = EpochMicros.now();
                        if (seq == 0) {
                            first[index] = now;
                        }
                        emitter.onNext(Mqtt5Publish.builder().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                                .payload(BenchPayload.encode(now, seq, options.payloadBytes())).build());
                    })
                    .subscribeOn(Schedulers.from(generator), true);
            ResultCounter counter = new ResultCounter(acked, failed, lastAck, done);
            counters.add(counter);
            clients.get(index).toRx().publish(messages).subscribe(counter);
        }
        awaitQuietly(done);
        generators.forEach(ExecutorService::shutdownNow);
        clients.forEach(c -> c.disconnect().join());
        counters.forEach(ResultCounter::rethrow);
        long firstMicros = Arrays.stream(first).filter(v -> v > 0).min().orElse(0);
        return new Result(firstMicros, lastAck.get(), acked.get(), failed.get());
    }

    /** Counts one publisher's results and keeps at most {@link #WINDOW} of its messages unacknowledged. */
    private static final class ResultCounter implements FlowableSubscriber<Mqtt5PublishResult> {
        private final AtomicLong acked;
        private final AtomicLong failed;
        private final AtomicLong lastAck;
        private final CountDownLatch done;
        private Subscription subscription;
        private int sinceRequest;
        private volatile Throwable error;

        ResultCounter(AtomicLong acked, AtomicLong failed, AtomicLong lastAck, CountDownLatch done) {
            this.acked = acked;
            this.failed = failed;
            this.lastAck = lastAck;
            this.done = done;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(WINDOW);
        }

        @Override
        public void onNext(Mqtt5PublishResult result) {
            if (result.getError().isPresent()) {
                failed.incrementAndGet();
            } else {
                acked.incrementAndGet();
            }
            lastAck.accumulateAndGet(EpochMicros.now(), Math::max);
            if (++sinceRequest == REQUEST_CHUNK) {
                sinceRequest = 0;
                subscription.request(REQUEST_CHUNK);
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        void rethrow() {
            if (error != null) {
                throw new IllegalStateException("publisher failed: " + error, error);
            }
        }
    }

    /**
     * A connected MQTT 5 client. {@code persistent}: a session that outlives the connection (expiry 5 min), as the
     * runtime's, so the broker treats the ceiling's subscriber exactly like the runtime. The client's
     * application scheduler is the trampoline, so publish results are counted on the client's own thread: the
     * default hand-off to an Rx computation thread woke that thread for nearly every result.
     */
    static Mqtt5AsyncClient connect(BenchOptions options, String clientId, boolean persistent) {
        Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost(options.mqttHost()).serverPort(options.mqttPort())
                .executorConfig(MqttClientExecutorConfig.builder().applicationScheduler(Schedulers.trampoline())
                        .build())
                .buildAsync();
        client.connectWith().cleanStart(true).sessionExpiryInterval(persistent ? 300 : 0).send().join();
        return client;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
