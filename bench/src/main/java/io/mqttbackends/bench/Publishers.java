package io.mqttbackends.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * M MQTT 5 clients sharing N QoS 1 messages, publisher {@code i} on its own topic {@code <prefix>/<i>}. Each
 * message is stamped with its publish time just before it is handed to the client, and each publisher keeps at
 * most {@link #WINDOW} messages unacknowledged: without that bound a fast loop would only fill the client's queue,
 * and the stamps would measure the queue instead of the path to the database.
 */
final class Publishers {
    static final int WINDOW = 1000;

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
        long perPublisherIntervalNanos = rate > 0 ? (long) (m * 1e9 / rate) : 0;
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            clients.add(connect(options, clientPrefix + "-" + i, false));
        }
        CountDownLatch start = new CountDownLatch(1);
        long[] first = new long[m];
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        AtomicLong published = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            int index = i;
            long count = options.messages() / m + (i < options.messages() % m ? 1 : 0);
            Thread t = new Thread(() -> {
                Mqtt5AsyncClient client = clients.get(index);
                String topic = prefix + "/" + index;
                Semaphore window = new Semaphore(WINDOW);
                awaitQuietly(start);
                long startNanos = System.nanoTime();
                for (long seq = 0; seq < count; seq++) {
                    if (perPublisherIntervalNanos > 0) {
                        long wait = startNanos + seq * perPublisherIntervalNanos - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    backlog.awaitRoom(published.incrementAndGet());
                    window.acquireUninterruptibly();
                    long now = EpochMicros.now();
                    if (seq == 0) {
                        first[index] = now;
                    }
                    client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                            .payload(BenchPayload.encode(now, seq, options.payloadBytes())).send()
                            .whenComplete((result, error) -> {
                                if (error != null || result.getError().isPresent()) {
                                    failed.incrementAndGet();
                                } else {
                                    acked.incrementAndGet();
                                }
                                lastAck.accumulateAndGet(EpochMicros.now(), Math::max);
                                window.release();
                            });
                }
                window.acquireUninterruptibly(WINDOW);
            }, "bench-publisher-" + i);
            threads.add(t);
            t.start();
        }
        start.countDown();
        threads.forEach(Publishers::joinQuietly);
        clients.forEach(c -> c.disconnect().join());
        long firstMicros = Arrays.stream(first).filter(v -> v > 0).min().orElse(0);
        return new Result(firstMicros, lastAck.get(), acked.get(), failed.get());
    }

    /**
     * A connected MQTT 5 client. {@code persistent}: a session that outlives the connection (expiry 5 min), as the
     * runtime's, so the broker treats the ceiling's subscriber exactly like the runtime.
     */
    static Mqtt5AsyncClient connect(BenchOptions options, String clientId, boolean persistent) {
        Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost(options.mqttHost()).serverPort(options.mqttPort()).buildAsync();
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

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
