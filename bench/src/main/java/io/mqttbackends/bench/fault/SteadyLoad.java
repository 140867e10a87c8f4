package io.mqttbackends.bench.fault;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.mqttbackends.bench.BenchPayload;
import io.mqttbackends.bench.EpochMicros;
import io.mqttbackends.bench.Pacing;
import io.mqttbackends.bench.Publishers;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The steady load of one case: {@code publishers} MQTT 5 clients publishing numbered QoS 1 messages (the benchmark's
 * payload: publish time and sequence) at a fixed total rate, publisher {@code i} on {@code <prefix>/<i>}, until
 * stopped. Unlike the benchmark's {@link Publishers}, which run a known count on a broker that stays up, these
 * clients reconnect on their own (the broker cases take the broker away under them) and remember which sequences
 * the broker acknowledged: only those count as sent. A message whose PUBACK never came (the broker died, the
 * client's session was lost) is not sent, whether or not it was stored. Each publisher keeps at most
 * {@link Publishers#WINDOW} messages unacknowledged; while the broker is away it stops there, and catches up on its
 * schedule once it is back.
 */
final class SteadyLoad {
    /** How long {@link #stop()} waits for the last acknowledgements. */
    static final int ACK_WAIT_SECONDS = 30;

    /** One publisher's record: when each sequence was published and which ones the broker acknowledged. */
    static final class Log {
        final String topic;
        private final long[] publishMicros;
        private final BitSet acked = new BitSet();
        private int published;
        private long failed;
        private final Map<String, Long> failureReasons = new TreeMap<>();

        Log(String topic, int capacity) {
            this.topic = topic;
            this.publishMicros = new long[capacity];
        }

        /** For tests and the accounting: a log of {@code published} messages, given their times. */
        Log(String topic, long[] publishMicros, BitSet acked) {
            this(topic, publishMicros.length);
            System.arraycopy(publishMicros, 0, this.publishMicros, 0, publishMicros.length);
            this.acked.or(acked);
            this.published = publishMicros.length;
        }

        synchronized void published(int seq, long micros) {
            publishMicros[seq] = micros;
            published = seq + 1;
        }

        synchronized void acked(int seq) {
            acked.set(seq);
        }

        synchronized void failed(Throwable reason) {
            failed++;
            String text = reason.getClass().getSimpleName() + ": " + reason.getMessage();
            failureReasons.merge(text.length() > 200 ? text.substring(0, 200) : text, 1L, Long::sum);
        }

        /** Why publishes failed, with how many failed for each reason. */
        synchronized Map<String, Long> failureReasons() {
            return new TreeMap<>(failureReasons);
        }

        synchronized int published() {
            return published;
        }

        synchronized boolean isAcked(int seq) {
            return acked.get(seq);
        }

        synchronized long publishMicros(int seq) {
            return publishMicros[seq];
        }

        synchronized int ackedCount() {
            return acked.cardinality();
        }

        /** Publishes that completed with an error (session lost, broker refused); unconfirmed ones are not here. */
        synchronized long failedCount() {
            return failed;
        }
    }

    private final List<Log> logs = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Mqtt5AsyncClient> clients = new ArrayList<>();
    private final List<Semaphore> windows = new ArrayList<>();
    private volatile boolean stopped;

    /**
     * Connects the publishers (the broker must be up) and starts publishing.
     *
     * @param seconds at most this long: sizes each publisher's record
     */
    SteadyLoad(String host, int port, String prefix, String clientPrefix, int publishers, double rate,
            int payloadBytes, int seconds) {
        Pacing pacing = new Pacing(rate / publishers);
        int capacity = (int) Math.ceil(rate / publishers * seconds) + Publishers.WINDOW;
        for (int i = 0; i < publishers; i++) {
            Log log = new Log(prefix + "/" + i, capacity);
            Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(clientPrefix + "-" + i)
                    .serverHost(host).serverPort(port)
                    .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(1, TimeUnit.SECONDS)
                    .applyAutomaticReconnect()
                    .buildAsync();
            // A session that outlives a connection, without clean start (the ids are new in every case, so nothing is
            // resumed; Mosquitto 2.0 did not save a clean-start session at a graceful stop): across a graceful broker
            // restart the broker keeps it and the client resends what was in flight; when the broker lost it, the
            // client fails those publishes.
            client.connectWith().cleanStart(false).sessionExpiryInterval(300).send().join();
            Semaphore window = new Semaphore(Publishers.WINDOW);
            logs.add(log);
            clients.add(client);
            windows.add(window);
            threads.add(new Thread(() -> publish(client, log, window, pacing, payloadBytes, capacity),
                    "fault-publisher-" + i));
        }
        threads.forEach(Thread::start);
    }

    private void publish(Mqtt5AsyncClient client, Log log, Semaphore window, Pacing pacing, int payloadBytes,
            int capacity) {
        long start = System.nanoTime();
        for (int seq = 0; seq < capacity && !stopped; seq++) {
            long sleep = pacing.sleepBefore(seq, start, System.nanoTime());
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
            if (!acquire(window)) {
                return;
            }
            long now = EpochMicros.now();
            int sequence = seq;
            log.published(seq, now);
            client.publishWith().topic(log.topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(BenchPayload.encode(now, seq, payloadBytes)).send()
                    .whenComplete((result, failure) -> {
                        if (failure != null) {
                            log.failed(failure instanceof CompletionException c
                                    && c.getCause() != null ? c.getCause() : failure);
                        } else if (result.getError().isPresent()) {
                            log.failed(result.getError().get());
                        } else {
                            log.acked(sequence);
                        }
                        window.release();
                    });
        }
    }

    /** A place in the window, or false once stopped. */
    private boolean acquire(Semaphore window) {
        try {
            while (!stopped) {
                if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Stops publishing, waits up to {@link #ACK_WAIT_SECONDS} for what is in flight to be acknowledged (or to fail),
     * and disconnects.
     */
    List<Log> stop() {
        stopped = true;
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(ACK_WAIT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ACK_WAIT_SECONDS);
        for (Semaphore window : windows) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !window.tryAcquire(Publishers.WINDOW, left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Mqtt5AsyncClient c : clients) {
            try {
                c.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // not connected (the broker is away): nothing to say goodbye to
            }
        }
        return List.copyOf(logs);
    }

    /** Messages acknowledged so far, over all publishers. */
    long acked() {
        return logs.stream().mapToLong(Log::ackedCount).sum();
    }
}
