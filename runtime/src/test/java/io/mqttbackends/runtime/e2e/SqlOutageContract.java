package io.mqttbackends.runtime.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestSql;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The database unreachable when the runtime starts, and again during a run: readiness says so, events published
 * meanwhile wait unacked in the broker, and after recovery every one of them is in the database exactly once. Each
 * database's test extends this with {@link SqlE2eResource} started down.
 */
public abstract class SqlOutageContract {
    private static final Duration WAIT = Duration.ofSeconds(60);

    E2eDatabase database;
    TcpProxy proxy;

    @Test
    void eventsPublishedWhileTheDatabaseIsDownAreAllStoredOnceAfterItReturns() {
        String topic = database.rawPrefix() + "/outage/" + UUID.randomUUID().toString().substring(0, 8);
        try (TestMqtt mqtt = new TestMqtt(database.rawPrefix() + "-outage"); TestSql pg = database.connect()) {
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("\"pool " + database.kind().poolPrefix() + ".pool1\": \"down\""))
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
            assertThat(pg.rows("select payload from mqtt_msg where topic = $1", topic))
                    .extracting(r -> r.getBuffer("payload").toString(StandardCharsets.UTF_8))
                    .filteredOn(p -> p.startsWith("down-mid-run-")).hasSize(20);
        }
    }
}
