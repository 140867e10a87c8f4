package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.endpoint;
import static io.mqttbackends.runtime.e2e.ReloadConf.metric;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The drain after a swap, through Mosquitto and real PostgreSQL: an event that started on the old table (held there
 * because the old pool's database is unreachable) finishes on the old table after the new one took over, the old
 * pool closes only then, and readiness and the pool gauges follow the new pools.
 */
@QuarkusTest
@QuarkusTestResource(value = ReloadE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
        @ResourceArg(name = "prefix", value = ReloadDrainEndToEndIT.PREFIX)})
class ReloadDrainEndToEndIT {
    static final String PREFIX = "reload-drain";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int AFTER_TOPICS = 4;

    ReloadConf conf;

    @Test
    void anEventHeldOnTheOldTableFinishesThereAndTheOldPoolClosesOnlyAfterIt() {
        String topic = PREFIX + "/a/" + UUID.randomUUID().toString().substring(0, 8);
        try (TestMqtt mqtt = new TestMqtt("reload-drain"); TestPostgres pg = conf.db()) {
            conf.write(conf.pool("pool1", conf.proxy.port(), false) + conf.logHook(1, "a", "pool1", "old"), "pool1");
            String oldHash = conf.hash();
            await().atMost(WAIT).until(() -> endpoint().getString("hash").equals(oldHash));
            mqtt.publish(topic, "first", 1, false);
            await().atMost(WAIT).until(() -> tagged(pg, "first", "old") == 1);
            assertThat(conf.proxy.openConnections()).isPositive();

            conf.proxy.down();
            mqtt.publish(topic, "held", 1, false);
            await().atMost(WAIT).until(() -> metric("mqttbackends_actions_retries_total", "pool=\"pgsql.pool1\"")
                    .orElse(0.0) > 0);

            conf.write(conf.pool("pool2", TestPostgres.PORT, false) + conf.logHook(1, "a", "pool2", "new"), "pool2");
            String newHash = conf.hash();
            await().atMost(WAIT).until(() -> endpoint().getString("hash").equals(newHash));
            assertThat(metric("mqttbackends_config_draining", "")).contains(1.0);

            // Several topics: per-key ordering may hold later events of the held event's own topic back, not others.
            for (int i = 0; i < AFTER_TOPICS; i++) {
                mqtt.publish(topic + "-after-" + i, "after", 1, false);
            }
            await().atMost(WAIT).until(() -> tagged(pg, "after", "new") >= 1);
            assertThat(tagged(pg, "held", "old") + tagged(pg, "held", "new")).isZero();
            assertThat(metric("mqttbackends_config_draining", "")).contains(1.0);

            conf.proxy.up();
            await().atMost(WAIT).until(() -> tagged(pg, "held", "old") == 1);
            await().atMost(WAIT).until(() -> metric("mqttbackends_config_draining", "").orElseThrow() == 0.0);
            await().atMost(WAIT).until(() -> conf.proxy.openConnections() == 0);
            await().atMost(WAIT).until(() -> tagged(pg, "after", "new") == AFTER_TOPICS);
            assertThat(tagged(pg, "held", "new")).isZero();
            assertThat(tagged(pg, "after", "old")).isZero();
            assertThat(pg.count("select count(*) from reload_log where topic like $1", topic + "%"))
                    .isEqualTo(2 + AFTER_TOPICS);

            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                    .body(containsString("\"pool pgsql.pool2\": \"up\""))
                    .body(not(containsString("pgsql.pool1"))));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(metric("mqttbackends_pool_up", "pool=\"pgsql.pool2\"")).contains(1.0);
                assertThat(metric("mqttbackends_pool_up", "pool=\"pgsql.pool1\"")).isEmpty();
            });
        }
    }

    private static long tagged(TestPostgres pg, String payload, String tag) {
        return pg.count("select count(*) from reload_log where payload = $1 and tag = $2", payload, tag);
    }
}
