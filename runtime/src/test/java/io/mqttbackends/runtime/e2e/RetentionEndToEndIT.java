package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.endpoint;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The message retention in the running service: a PostgreSQL pool with {@code retention.max_age = 1h} and a
 * one-second interval deletes the old rows by itself while events keep being stored, the metrics show its runs, and
 * a reload that turns retention off stops the old pool's timer.
 */
@QuarkusTest
@QuarkusTestResource(value = RetentionEndToEndIT.Resource.class, restrictToAnnotatedClass = true)
class RetentionEndToEndIT {
    static final String PREFIX = "retention-e2e";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** {@code pool1} on the real PostgreSQL, tables created at start, storing {@code <prefix>/a/#}, retention on. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            rig.write(rig.pgsqlPool("pool1", TestPostgres.PORT, "schema.init = true", "retention.max_age = 1h",
                    "retention.interval = 1s") + rig.storeHook(1, "a", "pool1"));
        }
    }

    FailureRig rig;

    @Test
    void oldRowsGoByThemselvesNewEventsAreStoredTheMetricsCountAndAReloadWithoutRetentionStopsIt() {
        String topic = PREFIX + "/a/" + FailureRig.random();
        try (TestPostgres pg = rig.pg(); TestMqtt mqtt = new TestMqtt(PREFIX)) {
            pg.awaitEmqxTables(WAIT);
            insertOld(pg, "old1", "old2", "old3");
            mqtt.publish(topic, "fresh", 1, false);

            await("the old rows deleted by the retention timer").atMost(WAIT).untilAsserted(() ->
                    assertThat(msgTopics(pg)).containsExactly(topic));
            await("the retention series").atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains(
                    "mqttbackends_retention_deleted_rows_total{pool=\"pgsql.pool1\"} 3.0",
                    "mqttbackends_retention_runs_total{outcome=\"success\",pool=\"pgsql.pool1\"}",
                    "mqttbackends_retention_last_run_duration_seconds{pool=\"pgsql.pool1\"}",
                    "mqttbackends_retention_last_run_timestamp_seconds{pool=\"pgsql.pool1\"}"));

            String withoutRetention = rig.pgsqlPool("pool1", TestPostgres.PORT, "schema.init = true")
                    + rig.storeHook(1, "a", "pool1");
            rig.write(withoutRetention);
            String hash = rig.hash();
            await("the reload without retention").atMost(WAIT)
                    .untilAsserted(() -> assertThat(endpoint().getString("hash")).isEqualTo(hash));
            // The replaced pool closes once its last events finished; give it that and a few of its intervals.
            mqtt.publish(topic, "after-reload", 1, false);
            await().atMost(WAIT).until(() -> msgTopics(pg).size() == 2);
            insertOld(pg, "old4");

            await("the old row kept once retention is off").pollDelay(Duration.ofSeconds(4)).atMost(WAIT)
                    .untilAsserted(() -> assertThat(msgTopics(pg)).containsExactly(topic, topic, "x/old"));
        }
    }

    private static void insertOld(TestPostgres pg, String... msgids) {
        for (String msgid : msgids) {
            pg.execute("INSERT INTO mqtt_msg (msgid, topic, qos, arrived) VALUES ('" + msgid + "', 'x/old', 1, "
                    + "localtimestamp - interval '2 hours')");
        }
    }

    private static List<String> msgTopics(TestPostgres pg) {
        return pg.rows("SELECT topic FROM mqtt_msg ORDER BY id").stream().map(r -> r.getString("topic")).toList();
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
