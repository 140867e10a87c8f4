package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.endpoint;
import static io.mqttbackends.runtime.e2e.ReloadConf.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hot reload through Mosquitto and real PostgreSQL: the conf volumes change under a running runtime (an atomic
 * Kubernetes {@code ..data} swap) while messages stream in; the new hooks go live without a restart, the config
 * endpoint reports the new files' hash, and no message is lost or stored twice. An invalid change is reported and
 * changes nothing until it is fixed.
 */
@QuarkusTest
@QuarkusTestResource(value = ReloadE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
        @ResourceArg(name = "prefix", value = HotReloadEndToEndIT.PREFIX)})
class HotReloadEndToEndIT {
    static final String PREFIX = "reload";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Topics per stream, so the runtime's ordered lanes work in parallel. */
    private static final int TOPICS = 8;
    private static final int BATCH = 20;

    ReloadConf conf;
    private TestMqtt mqtt;
    private TestPostgres pg;

    @BeforeEach
    void connect() {
        mqtt = new TestMqtt("reload-e2e");
        pg = conf.db();
        pg.awaitEmqxTables(WAIT);
    }

    @AfterEach
    void disconnect() {
        mqtt.close();
        pg.close();
    }

    private String applyAndAwait(String backendsConf) {
        conf.write(backendsConf, "pool1");
        String hash = conf.hash();
        await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint().getString("hash")).isEqualTo(hash));
        return hash;
    }

    private long stored(String topicPrefix, String payloadLike) {
        return pg.count("select count(*) from mqtt_msg where topic like $1 and convert_from(payload, 'UTF8') like $2",
                topicPrefix + "%", payloadLike);
    }

    @Test
    void aHookAddedWhileMessagesStreamInGoesLiveWithoutRestartAndEveryMessageIsStoredOnce() {
        String base = conf.pool("pool1", conf.proxy.port(), true) + conf.storeHook(1, "a", "pool1");
        String before = applyAndAwait(base);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topicA = PREFIX + "/a/" + run + "/";
        String topicB = PREFIX + "/b/" + run + "/";
        String withB = base + conf.storeHook(2, "b", "pool1");

        int publishedA = 0;
        int publishedBAfter = 0;
        boolean swapped = false;
        int batchesAfterApplied = -1;
        for (int batch = 0; batchesAfterApplied < 5; batch++) {
            if (batch > 500) {
                fail("the reload never became visible on " + ReloadConf.CONFIG_PATH);
            }
            boolean applied = batchesAfterApplied >= 0;
            for (int i = 0; i < BATCH; i++, publishedA++) {
                mqtt.publish(topicA + (publishedA % TOPICS), "a-" + publishedA, 1, false);
                mqtt.publish(topicB + (publishedA % TOPICS), (applied ? "b-after-" : "b-before-") + publishedA, 1, false);
                if (applied) {
                    publishedBAfter++;
                }
            }
            // Back-pressure on the stream, so Mosquitto's per-client queue limit never drops our messages.
            int expected = publishedA;
            await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> stored(topicA, "a-%") >= expected - 4L * BATCH);
            if (batch == 3) {
                conf.write(withB, "pool1");
                swapped = true;
            } else if (swapped && !applied && conf.hash().equals(endpoint().getString("hash"))) {
                batchesAfterApplied = 0;
            } else if (applied) {
                batchesAfterApplied++;
            }
        }

        int allA = publishedA;
        int allBAfter = publishedBAfter;
        await().atMost(WAIT).until(() -> stored(topicA, "a-%") == allA && stored(topicB, "b-after-%") == allBAfter);
        assertThat(pg.count("select count(distinct msgid) from mqtt_msg where topic like $1", topicA + "%"))
                .isEqualTo(allA);
        long storedB = pg.count("select count(*) from mqtt_msg where topic like $1", topicB + "%");
        assertThat(pg.count("select count(distinct msgid) from mqtt_msg where topic like $1", topicB + "%"))
                .isEqualTo(storedB);
        assertThat(pg.count("select count(distinct convert_from(payload, 'UTF8')) from mqtt_msg where topic like $1",
                topicB + "%")).isEqualTo(storedB);
        assertStoredInPublishOrderPerTopic(topicA);
        JsonPath status = endpoint();
        assertThat(status.getString("hash")).isEqualTo(conf.hash()).isNotEqualTo(before);
        assertThat(Instant.parse(status.getString("loadedAt"))).isBefore(Instant.now());
        assertThat(status.getString("lastError")).isNull();
    }

    /** The pool was kept across the reload, and with it its queues: each topic's rows are in publish order. */
    private void assertStoredInPublishOrderPerTopic(String topicPrefix) {
        Map<String, Integer> last = new HashMap<>();
        for (Row row : pg.rows("select topic, convert_from(payload, 'UTF8') from mqtt_msg where topic like $1 order by id",
                topicPrefix + "%")) {
            int seq = Integer.parseInt(row.getString(1).substring("a-".length()));
            Integer previous = last.put(row.getString(0), seq);
            assertThat(previous == null || previous < seq)
                    .as("%s stored after %s on %s", seq, previous, row.getString(0)).isTrue();
        }
        assertThat(last).hasSize(TOPICS);
    }

    @Test
    void anInvalidChangeKeepsTheRunningConfigurationAndIsReportedOnceUntilFixed() {
        String good = conf.pool("pool1", conf.proxy.port(), true) + conf.storeHook(1, "a", "pool1");
        String goodHash = applyAndAwait(good);
        double failuresBefore = metric("mqttbackends_config_loads_total", "outcome=\"failure\"").orElseThrow();
        int badLine = good.split("\n").length + 1;
        String bad = good + "backend.pgsql.hook.message.publish.2 = {\"topic\": \"" + PREFIX + "/c/#\", "
                + "\"action\": {\"function\": \"on_nothing\"}, \"pool\": \"pool1\"}\n";

        conf.write(bad, "pool1");
        String badHash = conf.hash();
        await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint().getString("lastErrorHash")).isEqualTo(badHash));
        JsonPath status = endpoint();
        assertThat(status.getString("hash")).isEqualTo(goodHash);
        assertThat(status.getString("lastError")).contains("backends.conf:" + badLine).contains("on_nothing");
        assertThat(Instant.parse(status.getString("lastErrorAt"))).isBefore(Instant.now());
        // Reported once per rejected hash, however many polls read it again.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> metric(
                "mqttbackends_config_loads_total", "outcome=\"failure\"").orElseThrow() == failuresBefore + 1);

        String topic = PREFIX + "/a/still-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 5; i++) {
            mqtt.publish(topic, "still-" + i, 1, false);
        }
        await().atMost(WAIT).until(() -> stored(topic, "still-%") == 5);

        String fixed = good + conf.storeHook(2, "c", "pool1");
        String fixedHash = applyAndAwait(fixed);
        status = endpoint();
        assertThat(status.getString("hash")).isEqualTo(fixedHash);
        assertThat(status.getString("lastError")).isNull();
        assertThat(status.getString("lastErrorHash")).isNull();
        assertThat(status.getString("lastErrorAt")).isNull();
        String topicC = PREFIX + "/c/fixed-" + UUID.randomUUID().toString().substring(0, 8);
        mqtt.publish(topicC, "fixed", 1, false);
        await().atMost(WAIT).until(() -> stored(topicC, "fixed") == 1);
    }
}
