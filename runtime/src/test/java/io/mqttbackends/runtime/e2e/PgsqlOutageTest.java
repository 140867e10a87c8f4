package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.PgsqlE2eResource.DATABASE;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL unreachable when the runtime starts, and again during a run: readiness says so, events published
 * meanwhile wait unacked in the broker, and after recovery every one of them is in the database exactly once.
 */
@QuarkusTest
@QuarkusTestResource(value = PgsqlE2eResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "start-down", value = "true"))
class PgsqlOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    TcpProxy proxy;

    @Test
    void eventsPublishedWhilePostgresIsDownAreAllStoredAfterItReturns() {
        String topic = "e2e/outage/" + UUID.randomUUID().toString().substring(0, 8);
        try (TestMqtt mqtt = new TestMqtt("e2e-outage"); TestPostgres pg = TestPostgres.connect(DATABASE)) {
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("\"pool pgsql.pool1\": \"down\""))
                    .body(containsString("\"mqtt\": \"connected\"")));
            for (int i = 0; i < 20; i++) {
                mqtt.publish(topic, "down-at-start-" + i, 1, false);
            }
            proxy.up();
            pg.awaitEmqxTables(WAIT);
            await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 20);
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));

            proxy.down();
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
            for (int i = 0; i < 20; i++) {
                mqtt.publish(topic, "down-mid-run-" + i, 1, false);
            }
            proxy.up();
            await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 40);
            assertThat(pg.count("select count(distinct msgid) from mqtt_msg where topic = $1", topic)).isEqualTo(40);
            assertThat(pg.count("select count(*) from mqtt_msg where topic = $1"
                    + " and convert_from(payload, 'UTF8') like 'down-mid-run-%'", topic)).isEqualTo(20);
        }
    }
}
