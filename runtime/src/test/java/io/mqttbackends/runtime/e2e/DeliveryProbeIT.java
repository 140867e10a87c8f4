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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker-side stall the delivery probe exists for: a Mosquitto (2.0.11 here) WITHOUT {@code message_size_limit},
 * its in-flight window at the default 20, drops every publish larger than the Maximum Packet Size the runtime declares
 * (1 MiB) for the runtime's session but keeps counting it in that session's window, so after 20 such drops it sends
 * the session nothing more while the connection stays up. 30 publishes of 10 MB, then 100 small ones: without the
 * probe none of the 100 is stored; with it (interval 2 s, timeout 5 s here) the runtime sees its probe not come back,
 * says so in a WARN line, re-establishes the session and stores every small one. The packaged runtime runs with the
 * JVM options it ships with; the database is a PostgreSQL database of the test's own.
 */
class DeliveryProbeIT {
    private static final String PREFIX = "dp";
    private static final int LARGE = 30;
    private static final int LARGE_SIZE = 10 * 1024 * 1024;
    private static final int SMALL = 100;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration STORED_WITHIN = Duration.ofSeconds(60);

    @Test
    void aSessionTheBrokerStopsFeedingIsReestablishedAndEverySmallMessageStored() throws Exception {
        Path work = Files.createTempDirectory("mqttbackends-delivery-probe");
        PgsqlTestDatabase database = PgsqlTestDatabase.create();
        String clientId = PREFIX + "-runtime-" + FailureRig.random();
        try (PrivateMosquitto broker = PrivateMosquitto.start(work.resolve("mosquitto"),
                List.of("max_inflight_messages 20"));
                TestPostgres pg = database.connect();
                TestMqtt publisher = new TestMqtt(PREFIX + "-publisher", broker.port())) {
            Path conf = RawPgsqlRuntime.conf(work.resolve("conf"), database.name(), PREFIX);
            Map<String, String> properties = RawPgsqlRuntime.properties(conf, broker.port(), clientId, PREFIX,
                    Map.of(
                    "mqttbackends.mqtt.delivery-probe-interval", "PT2S",
                    "mqttbackends.mqtt.delivery-probe-timeout", "PT5S"));

            try (RuntimeProcess runtime = RuntimeProcess.startAsShipped(properties, work.resolve("runtime.log"))) {
                await("readiness of the runtime process").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s",
                                    runtime.logTail(20)).isTrue();
                            assertThat(runtime.httpStatus("/q/health/ready")).as("readiness").isEqualTo(200);
                        });
                pg.awaitEmqxTables(WAIT);

                // The broker takes them all (no message_size_limit) and drops each for the runtime's session.
                for (int i = 0; i < LARGE; i++) {
                    byte[] large = new byte[LARGE_SIZE];
                    Arrays.fill(large, (byte) ('a' + i % 26));
                    publisher.publish(PREFIX + "/large/" + i, large, 1, false, Map.of());
                }
                for (int i = 0; i < SMALL; i++) {
                    publisher.publish(PREFIX + "/small/" + i % 4, ("small-" + i).getBytes(StandardCharsets.UTF_8), 1,
                            false, Map.of());
                }

                long smallSent = System.nanoTime();
                await("every small message stored").atMost(STORED_WITHIN).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s",
                                    runtime.logTail(20)).isTrue();
                            assertThat(pg.count("select count(distinct payload) from mqtt_msg where topic like "
                                    + "'dp/small/%'")).as("distinct small payloads stored; the runtime's log ends"
                                            + " with:%n%s", runtime.logTail(15)).isEqualTo((long) SMALL);
                        });
                System.out.printf("all %d small messages stored %d ms after they were published; probe lines:%n%s%n",
                        SMALL, Duration.ofNanos(System.nanoTime() - smallSent).toMillis(), String.join("\n",
                                runtime.log().lines().filter(line -> line.contains("probe")).toList()));
                assertThat(pg.count("select count(*) from mqtt_msg where topic not like 'dp/small/%'"))
                        .as("rows of anything but the small messages (large ones, probes)").isZero();
                assertThat(runtime.log()).as("the runtime's log")
                        .contains("no delivery probe came back")
                        .doesNotContain("OutOfMemoryError");
                await("readiness UP again").atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(runtime.httpStatus("/q/health/ready")).isEqualTo(200));
            }
        } finally {
            database.close();
            FailureRig.deleteTree(work);
        }
    }
}
