package io.mqttbackends.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.runtime.testing.PgsqlTestDatabase;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The metrics count from the first event on, in prod mode, where Quarkus adds the Prometheus registry only after the
 * StartupEvent that starts the pipeline (see RuntimeMetrics): the packaged runtime runs once to create its persistent
 * session and the tables, is stopped, {@link #STORED} messages to store and {@link #REFUSED} over
 * {@code max-payload-size} are published while it is away (the broker queues them), and it is started again onto
 * that backlog. Once every row is stored, the scraped {@code /q/metrics} must say exactly that many events (a
 * counter), actions (a timer's count) and batched rows (a distribution summary's sum), and that many refusals.
 */
class MetricsOnBacklogRestartIT {
    private static final String PREFIX = "mb";
    private static final int STORED = 300;
    private static final int REFUSED = 7;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aRuntimeRestartedOntoABacklogCountsEveryEventItStores() throws Exception {
        Path work = Files.createTempDirectory("mqttbackends-metrics-backlog");
        PgsqlTestDatabase database = PgsqlTestDatabase.create();
        try (PrivateMosquitto broker = PrivateMosquitto.start(work.resolve("mosquitto"));
                TestPostgres pg = database.connect();
                TestMqtt publisher = new TestMqtt(PREFIX + "-publisher", broker.port())) {
            Path conf = RawPgsqlRuntime.conf(work.resolve("conf"), database.name(), PREFIX);
            Map<String, String> properties = RawPgsqlRuntime.properties(conf, broker.port(),
                    PREFIX + "-runtime-" + FailureRig.random(), PREFIX,
                    Map.of("mqttbackends.ingest.max-payload-size", "4K"));
            Path log = work.resolve("runtime.log");
            try (RuntimeProcess first = RuntimeProcess.start(properties, log)) {
                awaitReady(first);
                pg.awaitEmqxTables(WAIT);
                first.terminate();
                Optional<Integer> exit = first.awaitExit(WAIT);
                assertThat(exit).as("the first run stopped; its log ends with:%n%s", first.logTail(20)).isPresent();
            }

            byte[] tooLarge = new byte[8 * 1024];
            Arrays.fill(tooLarge, (byte) 'x');
            for (int i = 0; i < STORED; i++) {
                publisher.publish(PREFIX + "/backlog/" + i % 4, ("m-" + i).getBytes(StandardCharsets.UTF_8), 1, false,
                        Map.of());
                if (i % (STORED / REFUSED) == 0 && i / (STORED / REFUSED) < REFUSED) {
                    publisher.publish(PREFIX + "/large/" + i, tooLarge, 1, false, Map.of());
                }
            }

            try (RuntimeProcess second = RuntimeProcess.start(properties, log)) {
                await("the backlog stored").atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(pg.count("select count(*) from mqtt_msg")).as("rows; the runtime's log ends "
                                + "with:%n%s", second.logTail(15)).isEqualTo(STORED));
                String pool = "pgsql.pool1";
                await("the metrics of the backlog").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            String metrics = second.httpBody("/q/metrics");
                            assertThat(sample(metrics, "mqttbackends_events_total{format=\"raw\","
                                    + "hookpoint=\"message.publish\"}")).as("events counted").isEqualTo(STORED);
                            assertThat(sample(metrics, "mqttbackends_actions_seconds_count{function="
                                    + "\"on_message_publish\",outcome=\"success\",pool=\"" + pool + "\"}"))
                                    .as("actions timed").isEqualTo(STORED);
                            assertThat(sample(metrics, "mqttbackends_batch_size_sum{pool=\"" + pool + "\"}"))
                                    .as("rows in batches").isEqualTo(STORED);
                            assertThat(sample(metrics, "mqttbackends_events_rejected_total{format=\"raw\","
                                    + "reason=\"payload-too-large\"}")).as("refusals counted").isEqualTo(REFUSED);
                        });
                System.out.printf("restart onto a backlog: %d rows stored; /q/metrics says:%n%s%n", STORED,
                        String.join("\n", second.httpBody("/q/metrics").lines().filter(line ->
                                line.startsWith("mqttbackends_events_total") || line.startsWith(
                                        "mqttbackends_actions_seconds_count") || line.startsWith(
                                        "mqttbackends_batch_size_sum") || line.startsWith(
                                        "mqttbackends_events_rejected_total")).toList()));
            }
        } finally {
            database.close();
            FailureRig.deleteTree(work);
        }
    }

    private static void awaitReady(RuntimeProcess runtime) {
        await("readiness of the runtime process").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s", runtime.logTail(20))
                            .isTrue();
                    assertThat(runtime.httpStatus("/q/health/ready")).as("readiness").isEqualTo(200);
                });
    }

    /** The value of the sample {@code series} (name and labels as exported) in a Prometheus text exposition; 0 if absent. */
    private static long sample(String exposition, String series) {
        return exposition.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> (long) Double.parseDouble(line.substring(series.length() + 1).trim()))
                .orElse(0L);
    }
}
