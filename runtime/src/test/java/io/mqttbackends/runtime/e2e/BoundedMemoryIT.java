package io.mqttbackends.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.testing.PgsqlTestDatabase;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's "30 publishes of 10 MB", against the packaged runtime started with the JVM options it ships with
 * ({@code runtime/jvm.options}: a 128 MB heap, exit on OutOfMemoryError), a Mosquitto of the test's own with the
 * settings the documentation asks for (its in-flight window at Mosquitto's default, 20, and
 * {@code message_size_limit 2000000}, under the runtime's declared Maximum Packet Size of 2 MiB) and a PostgreSQL
 * database of its own; raw ingestion of {@code bm/#} into {@code mqtt_msg}, every other setting at its default.
 *
 * <p>Each round publishes {@link #LARGE} payloads of 10 MB (the broker refuses them to the publisher), {@link #MID} of
 * 1.5 MiB on one topic (under the packet size, over {@code max-payload-size}, 1 MiB: the runtime refuses them) and
 * then {@link #SMALL} small ones. It proves that the process stays alive without an OutOfMemoryError, stores every
 * small message and nothing else, counts the refused ones in {@code /q/metrics}, publishes one dead-letter record for
 * each (their size, not their payload) and logs their topic once. The second round is published while the runtime is
 * stopped, so that it starts onto the backlog, which used to loop on OutOfMemoryError. Last, a held table lock
 * stalls the stream while the database answers pings: readiness goes DOWN saying so, with the age of the oldest
 * un-acked event in its gauge, and back UP once it flows.
 */
class BoundedMemoryIT {
    private static final String PREFIX = "bm";
    private static final int LARGE = 30;
    private static final int LARGE_SIZE = 10 * 1024 * 1024;
    private static final int MID = 30;
    private static final int MID_SIZE = 1536 * 1024;
    private static final int SMALL = 100;
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REFUSED = Pattern.compile(
            "^mqttbackends_events_rejected_total\\{format=\"raw\",reason=\"payload-too-large\"} ([0-9.E]+)$",
            Pattern.MULTILINE);
    private static final Pattern OLDEST = Pattern.compile(
            "^mqttbackends_pipeline_oldest_unsettled_seconds ([0-9.E]+)$", Pattern.MULTILINE);

    @Test
    void largePayloadsAreRefusedWhileEverySmallMessageIsStoredAndAStallShowsInReadiness() throws Exception {
        Path work = Files.createTempDirectory("mqttbackends-bounded-memory");
        PgsqlTestDatabase database = PgsqlTestDatabase.create();
        String clientId = PREFIX + "-runtime-" + FailureRig.random();
        try (PrivateMosquitto broker = PrivateMosquitto.start(work.resolve("mosquitto"),
                List.of("max_inflight_messages 20", "message_size_limit 2000000"));
                TestPostgres pg = database.connect();
                TestMqtt publisher = new TestMqtt(PREFIX + "-publisher", broker.port());
                TestMqtt deadLetters = new TestMqtt(PREFIX + "-dead-letters", broker.port())) {
            deadLetters.subscribe(PREFIX + "-dead-letter", 1);
            Path conf = RawPgsqlRuntime.conf(work.resolve("conf"), database.name(), PREFIX);
            Map<String, String> properties = RawPgsqlRuntime.properties(conf, broker.port(), clientId, PREFIX,
                    Map.of(
                    "mqttbackends.dead-letter.topic", PREFIX + "-dead-letter",
                    "mqttbackends.pipeline.stall-timeout", STALL_TIMEOUT.toString()));
            Path log = work.resolve("runtime.log");

            try (RuntimeProcess runtime = RuntimeProcess.startAsShipped(properties, log)) {
                awaitReady(runtime);
                pg.awaitEmqxTables(WAIT);
                publishRound(publisher, broker.port(), 0);
                assertRound(runtime, pg, deadLetters, 1);
            }

            // The runtime is away (its session kept): the next round waits in the broker, then floods the restart.
            publishRound(publisher, broker.port(), 1);
            try (RuntimeProcess runtime = RuntimeProcess.startAsShipped(properties, log)) {
                assertRound(runtime, pg, deadLetters, 2);
                awaitReady(runtime);

                try (AutoCloseable lock = pg.blockWrites("mqtt_msg")) {
                    publisher.publish(PREFIX + "/stall", "stalled".getBytes(StandardCharsets.UTF_8), 1, false,
                            Map.of());
                    await("readiness DOWN on the stall").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                            .untilAsserted(() -> {
                                assertThat(runtime.httpStatus("/q/health/ready")).isEqualTo(503);
                                assertThat(runtime.httpBody("/q/health/ready")).contains("stalled: the oldest "
                                        + "un-acked event has waited").contains("\"pool pgsql.pool1\": \"up\"");
                            });
                    assertThat(gauge(runtime.httpBody("/q/metrics"), OLDEST)).as("oldest un-acked event's age, s")
                            .isGreaterThan(STALL_TIMEOUT.toSeconds());
                    assertThat(runtime.httpStatus("/q/health/live")).as("liveness while stalled").isEqualTo(200);
                }
                await("the stalled event stored, readiness UP").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            assertThat(pg.count("select count(*) from mqtt_msg where topic = 'bm/stall'"))
                                    .isEqualTo(1);
                            assertThat(runtime.httpStatus("/q/health/ready")).isEqualTo(200);
                        });
                assertThat(gauge(runtime.httpBody("/q/metrics"), OLDEST)).isLessThan(STALL_TIMEOUT.toSeconds());
                System.out.printf("runtime peak RSS: %s%n", peakRss(runtime.pid()));
                assertThat(runtime.log()).as("the runtime's log").doesNotContain("OutOfMemoryError");
            }
        } finally {
            database.close();
            FailureRig.deleteTree(work);
        }
    }

    /**
     * Round {@code round}: the large, then the refused, then the small payloads, in that order on the wire. Mosquitto
     * answers a publish over {@code message_size_limit} with PUBACK reason 0x95 (Packet too large), which is not a
     * PUBACK reason in MQTT 5, so the HiveMQ client drops the connection: each large one goes on a client of its own.
     */
    private static void publishRound(TestMqtt publisher, int port, int round) {
        int refusedByBroker = 0;
        for (int i = 0; i < LARGE; i++) {
            byte[] large = new byte[LARGE_SIZE];
            Arrays.fill(large, (byte) ('a' + i % 26));
            try (TestMqtt once = new TestMqtt(PREFIX + "-large", port)) {
                once.publish(PREFIX + "/large/" + i, large, 1, false, Map.of());
            } catch (MqttClientStateException | MqttSessionExpiredException refused) {
                refusedByBroker++;
            }
        }
        assertThat(refusedByBroker).as("10 MB publishes the broker refused (message_size_limit)").isEqualTo(LARGE);
        for (int i = 0; i < MID; i++) {
            byte[] mid = new byte[MID_SIZE];
            Arrays.fill(mid, (byte) ('A' + i % 26));
            publisher.publish(PREFIX + "/mid", mid, 1, false, Map.of());
        }
        for (int i = 0; i < SMALL; i++) {
            publisher.publish(PREFIX + "/small/" + i % 4, ("small-" + round + "-" + i)
                    .getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
        }
    }

    /** After round {@code rounds}: every small message of every round stored, and this round's refusals seen. */
    private static void assertRound(RuntimeProcess runtime, TestPostgres pg, TestMqtt deadLetters, int rounds)
            throws Exception {
        await("every small message stored").atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s", runtime.logTail(20)).isTrue();
            assertThat(pg.count("select count(distinct payload) from mqtt_msg where topic like 'bm/small/%'"))
                    .as("distinct small payloads stored (rows: %d); the runtime's log ends with:%n%s",
                            pg.count("select count(*) from mqtt_msg"), runtime.logTail(15))
                    .isEqualTo((long) SMALL * rounds);
        });
        assertThat(pg.count("select count(*) from mqtt_msg where topic not like 'bm/small/%'"))
                .as("rows of the refused payloads").isZero();
        await("refusals counted").atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(gauge(runtime.httpBody("/q/metrics"), REFUSED)).as("refused payloads in /q/metrics")
                        .isEqualTo(MID));

        List<JsonNode> records = new ArrayList<>();
        for (Mqtt5Publish record : deadLetters.receiveExactly(MID, 30, "dead-letter record")) {
            records.add(JSON.readTree(record.getPayloadAsBytes()));
        }
        assertThat(records).allSatisfy(record -> {
            assertThat(record.path("topic").asText()).isEqualTo(PREFIX + "/mid");
            assertThat(record.path("hook").asText()).isEqualTo("ingest");
            assertThat(record.path("payload_size").asLong()).isEqualTo(MID_SIZE);
            assertThat(record.has("payload")).as("payload in the record").isFalse();
            assertThat(record.path("error").asText()).contains("mqttbackends.ingest.max-payload-size");
        });
        assertThat(runtime.log().lines().filter(line -> line.contains("refusing a message.publish event on topic"
                + " 'bm/mid'"))).as("refusal log lines for the topic (one per run)").hasSize(rounds);
        assertThat(runtime.log()).as("the runtime's log").doesNotContain("OutOfMemoryError");
        assertThat(runtime.httpStatus("/q/health/live")).as("liveness").isEqualTo(200);
    }

    private static void awaitReady(RuntimeProcess runtime) {
        await("readiness of the runtime process").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s", runtime.logTail(20))
                            .isTrue();
                    assertThat(runtime.httpStatus("/q/health/ready")).as("readiness").isEqualTo(200);
                });
    }

    private static double gauge(String metrics, Pattern pattern) {
        Matcher m = pattern.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String peakRss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(line -> line.startsWith("VmHWM")).findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "? (" + e + ")";
        }
    }
}
