package io.mqttbackends.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker ceiling: a subscriber that does nothing but count (MQTT 5, QoS 1, persistent session, acks as soon as
 * the callback returns) receives the same N messages from the same M publishers on the same broker. Its topics
 * ({@code benchceil/...}) are outside the runtime's {@code bench/#}, so the idle runtime does not see them.
 */
final class BrokerCeiling {
    static final String PREFIX = "benchceil";

    private BrokerCeiling() {
    }

    /**
     * @param msgsPerSecond N over the time from the first to the last message received
     * @param latency publish to receive
     */
    record Result(long received, double msgsPerSecond, LatencyStats.Summary latency, long publishFailures) {
    }

    static Result run(BenchOptions options, String runId) {
        AtomicLong received = new AtomicLong();
        AtomicLong firstNanos = new AtomicLong();
        AtomicLong lastNanos = new AtomicLong();
        LatencyStats latency = new LatencyStats();
        Mqtt5AsyncClient subscriber = Publishers.connect(options, "bench-ceiling-sub-" + runId, true);
        subscriber.subscribeWith().topicFilter(PREFIX + "/#").qos(MqttQos.AT_LEAST_ONCE).callback(publish -> {
            long now = System.nanoTime();
            latency.record(EpochMicros.now() - BenchPayload.publishMicros(publish.getPayloadAsBytes()));
            firstNanos.compareAndSet(0, now);
            lastNanos.set(now);
            received.incrementAndGet();
        }).send().join();
        Publishers.Result published = Publishers.run(options, PREFIX, "bench-ceiling-pub-" + runId, 0,
                new Backlog(options.maxBacklog(), received::get, 10));
        Progress.await("broker ceiling", options, received::get, 50);
        subscriber.disconnect().join();
        double seconds = (lastNanos.get() - firstNanos.get()) / 1e9;
        return new Result(received.get(), seconds > 0 ? received.get() / seconds : 0, latency.summary(),
                published.failed());
    }
}
