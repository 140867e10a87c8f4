package io.mqttbackends.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.mqttbackends.runtime.testing.FreePort;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM in the middle of a QoS 1 stream, with the packaged runtime as a process (so this test needs the
 * {@code package} phase: it is an integration test, run by failsafe after {@code package}; under surefire build the jar
 * first with {@code ./mvnw -o -q -pl runtime -am package -DskipTests}).
 *
 * <p>A Mosquitto of the test's own ({@link PrivateMosquitto}: unbounded queues, so the broker itself loses nothing
 * while the runtime is away), a PostgreSQL database of its own, raw ingestion with EMQX's {@code on_message_publish}
 * into {@code mqtt_msg}. Two publishers send {@link #PER_PUBLISHER} QoS 1 messages each, paced at
 * {@link #RATE_PER_PUBLISHER} per second, every payload unique. Once {@link #STOP_AFTER_STORED} rows are stored the
 * runtime gets SIGTERM (as Kubernetes stops a pod), is waited for, and is started again on the same persistent
 * session while the publishers go on. This proves that:
 * <ul>
 * <li>the runtime stops by itself within {@link #STOP_WITHIN} of SIGTERM;</li>
 * <li>every message is stored (the broker kept what was not acknowledged);</li>
 * <li>no message is stored twice: what the first run stored it also acknowledged before it went away. Raw ingestion
 * mints a new msgid per delivery, so duplicates are found by payload, not by msgid.</li>
 * </ul>
 */
class GracefulStopIT {
    static final String PREFIX = "stop-e2e";
    private static final int PUBLISHERS = 2;
    private static final int PER_PUBLISHER = 10_000;
    private static final int TOTAL = PUBLISHERS * PER_PUBLISHER;
    private static final int RATE_PER_PUBLISHER = 1_000;
    private static final int TOPICS_PER_PUBLISHER = 4;
    private static final long STOP_AFTER_STORED = 4_000;
    private static final Duration START_WITHIN = Duration.ofSeconds(40);
    private static final Duration STOP_WITHIN = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aRuntimeStoppedBySigtermMidStreamAndStartedAgainStoresEveryMessageExactlyOnce() throws Exception {
        Path work = Files.createTempDirectory("mqttbackends-graceful-stop");
        String database = FailureRig.uniqueName("stop");
        ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
        try (TestPostgres admin = TestPostgres.connect("postgres")) {
            admin.execute("create database " + database);
        }
        try (PrivateMosquitto broker = PrivateMosquitto.start(work.resolve("mosquitto"));
                TestPostgres pg = TestPostgres.connect(database)) {
            Path conf = Files.createDirectories(work.resolve("conf"));
            Files.writeString(conf.resolve("backends.conf"), String.join("\n",
                    "backend.pgsql.pool1.server = 127.0.0.1:" + TestPostgres.PORT,
                    "backend.pgsql.pool1.pool_size = 4",
                    "backend.pgsql.pool1.username = postgres",
                    "backend.pgsql.pool1.password = ",
                    "backend.pgsql.pool1.database = " + database,
                    "backend.pgsql.pool1.schema.init = true",
                    "backend.pgsql.hook.message.publish.1 = {\"topic\": \"" + PREFIX + "/#\", "
                            + "\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}",
                    ""));
            int httpPort = FreePort.find();
            Map<String, String> properties = Map.ofEntries(
                    Map.entry("mqttbackends.conf-dir", conf.toString()),
                    Map.entry("quarkus.http.host", "127.0.0.1"),
                    Map.entry("quarkus.http.port", String.valueOf(httpPort)),
                    Map.entry("mqttbackends.mqtt.host", "127.0.0.1"),
                    Map.entry("mqttbackends.mqtt.port", String.valueOf(broker.port())),
                    Map.entry("mqttbackends.mqtt.client-id", PREFIX + "-runtime-" + FailureRig.random()),
                    Map.entry("mqttbackends.mqtt.session-expiry", "PT5M"),
                    Map.entry("mqttbackends.ingest.emqx-rule.enabled", "false"),
                    Map.entry("mqttbackends.ingest.emqx-sys.enabled", "false"),
                    Map.entry("mqttbackends.ingest.raw.topics", PREFIX + "/#"),
                    Map.entry("mqttbackends.dead-letter.topic", PREFIX + "-dead-letter"));
            Path log = work.resolve("runtime.log");

            AtomicInteger published = new AtomicInteger();
            long publishedAtStop;
            long storedAtStop;
            long storedAtExit;
            Optional<Integer> exit;
            List<Future<?>> running = new ArrayList<>();
            try (RuntimeProcess first = RuntimeProcess.start(properties, log)) {
                awaitReady(first);
                long start = System.nanoTime();
                for (int p = 0; p < PUBLISHERS; p++) {
                    int publisher = p;
                    running.add(publishers.submit(() -> publish(broker.port(), publisher, start, published)));
                }
                await("rows stored by the first run").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                        .until(() -> stored(pg) >= STOP_AFTER_STORED);
                publishedAtStop = published.get();
                storedAtStop = stored(pg);
                first.terminate();
                exit = first.awaitExit(STOP_WITHIN);
                storedAtExit = stored(pg);
                assertThat(exit).as("exit of the runtime within %s of SIGTERM; its log ends with:%n%s", STOP_WITHIN,
                        first.logTail(20)).isPresent();
            }
            assertThat(publishedAtStop).as("messages published when SIGTERM went out (mid-stream)").isLessThan(TOTAL);

            try (RuntimeProcess second = RuntimeProcess.start(properties, log)) {
                for (Future<?> publisher : running) {
                    publisher.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                await("every message stored after the restart").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(distinctPayloads(pg))
                                .as("distinct payloads stored (rows: %d; SIGTERM after %d published, %d stored; %d"
                                        + " stored at exit, code %s); second run's log ends with:%n%s", stored(pg),
                                        publishedAtStop, storedAtStop, storedAtExit, exit.orElse(null),
                                        second.logTail(10))
                                .isEqualTo(TOTAL));
                List<String> twice = pg.rows("select convert_from(payload, 'UTF8') || ' x' || count(*) from mqtt_msg"
                        + " group by payload having count(*) > 1 order by 1 limit 20").stream()
                        .map(r -> r.getString(0)).toList();
                assertThat(twice).as("payloads stored more than once (first 20; %d rows for %d messages; SIGTERM"
                                + " after %d published, %d stored; %d stored at exit)", stored(pg), TOTAL,
                        publishedAtStop, storedAtStop, storedAtExit).isEmpty();
                assertThat(stored(pg)).as("rows").isEqualTo(TOTAL);
            }
        } finally {
            publishers.shutdownNow();
            try (TestPostgres admin = TestPostgres.connect("postgres")) {
                admin.execute("drop database if exists " + database + " with (force)");
            }
            FailureRig.deleteTree(work);
        }
    }

    private static void awaitReady(RuntimeProcess runtime) {
        await("readiness of the runtime process").atMost(START_WITHIN).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s", runtime.logTail(20))
                            .isTrue();
                    assertThat(runtime.httpStatus("/q/health/ready")).as("readiness").isEqualTo(200);
                });
    }

    /** One publisher's paced QoS 1 stream: message i goes out no earlier than {@code start + i / rate}. */
    private static Void publish(int port, int publisher, long start, AtomicInteger published) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5()
                .identifier(PREFIX + "-publisher-" + publisher + "-" + FailureRig.random())
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
        client.connect();
        try {
            long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_PUBLISHER;
            for (int i = 0; i < PER_PUBLISHER; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                client.publishWith().topic(PREFIX + "/" + publisher + "/" + (i % TOPICS_PER_PUBLISHER))
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("p" + publisher + "-" + i).getBytes(StandardCharsets.UTF_8)).send();
                published.incrementAndGet();
            }
        } finally {
            client.disconnect();
        }
        return null;
    }

    private static long stored(TestPostgres pg) {
        return pg.count("select count(*) from mqtt_msg");
    }

    private static long distinctPayloads(TestPostgres pg) {
        return pg.count("select count(distinct payload) from mqtt_msg");
    }
}
