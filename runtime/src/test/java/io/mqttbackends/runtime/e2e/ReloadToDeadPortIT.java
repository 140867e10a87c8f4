package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.runtime.testing.FreePort;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A hot reload that points the pool at a port where nothing listens, with {@code schema.init = true}, through
 * Mosquitto and real PostgreSQL, then a fix written after it.
 *
 * <p>This proves that a reload whose schema cannot be created does not wedge the reloader:
 * <ul>
 * <li>the failure shows on {@code /q/mqttbackends/config} within {@link #REPORTED_WITHIN} ({@code lastErrorHash} is the
 * hash of the dead-port files, {@code lastError} names the pool) while {@code hash} stays the running one;</li>
 * <li>the running configuration keeps storing meanwhile;</li>
 * <li>a fix written afterwards (the right port, and a second hook so that it is a configuration of its own) is
 * applied: the endpoint shows its hash with no error, and events of both hooks are stored.</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(value = ReloadToDeadPortIT.Resource.class, restrictToAnnotatedClass = true)
class ReloadToDeadPortIT {
    static final String PREFIX = "deadport-e2e";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Connections to the dead port are refused at once: no timeout needs to run out before the error is known. */
    private static final Duration REPORTED_WITHIN = Duration.ofSeconds(20);

    /** {@code pool1} on the real PostgreSQL, tables created at start, storing {@code <prefix>/a/#}. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            rig.write(good(rig));
        }
    }

    static String good(FailureRig rig) {
        return rig.pgsqlPool("pool1", TestPostgres.PORT, "schema.init = true") + rig.storeHook(1, "a", "pool1");
    }

    FailureRig rig;

    @Test
    void aReloadToADeadPortIsReportedWithinBoundedTimeAndAFixWrittenAfterItApplies() {
        String run = FailureRig.random();
        try (TestPostgres pg = rig.pg(); TestMqtt mqtt = new TestMqtt(PREFIX)) {
            pg.awaitEmqxTables(WAIT);
            String goodHash = rig.hash();
            await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint().getString("hash")).isEqualTo(goodHash));
            String topicA = PREFIX + "/a/" + run;
            mqtt.publish(topicA, "before", 1, false);
            await().atMost(WAIT).until(() -> stored(pg, topicA) == 1);

            int deadPort = FreePort.find();
            rig.write(rig.pgsqlPool("pool1", deadPort, "schema.init = true") + rig.storeHook(1, "a", "pool1"));
            String deadHash = rig.hash();
            await("the dead-port reload reported on " + ReloadConf.CONFIG_PATH).atMost(REPORTED_WITHIN)
                    .untilAsserted(() -> assertThat(endpoint().getString("lastErrorHash"))
                            .as("lastErrorHash after a reload to 127.0.0.1:%d, where nothing listens", deadPort)
                            .isEqualTo(deadHash));
            JsonPath rejected = endpoint();
            assertThat(rejected.getString("hash")).as("the running configuration").isEqualTo(goodHash);
            assertThat(rejected.getString("lastError")).as("lastError").contains("pool1");

            mqtt.publish(topicA, "while-rejected", 1, false);
            await("the running configuration storing after the rejected reload").atMost(WAIT)
                    .until(() -> stored(pg, topicA) == 2);

            String fix = rig.pgsqlPool("pool1", TestPostgres.PORT, "schema.init = true", "batch_size = 400")
                    + rig.storeHook(1, "a", "pool1") + rig.storeHook(2, "c", "pool1");
            rig.write(fix);
            String fixHash = rig.hash();
            await("the fix applied").atMost(WAIT)
                    .untilAsserted(() -> assertThat(endpoint().getString("hash")).isEqualTo(fixHash));
            assertThat(endpoint().getString("lastError")).isNull();
            String topicC = PREFIX + "/c/" + run;
            mqtt.publish(topicA, "after-fix", 1, false);
            mqtt.publish(topicC, "after-fix", 1, false);
            await().atMost(WAIT).until(() -> stored(pg, topicA) == 3 && stored(pg, topicC) == 1);
        }
    }

    private static long stored(TestPostgres pg, String topic) {
        return pg.count("select count(*) from mqtt_msg where topic = $1", topic);
    }
}
