package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A configuration without any hook: the runtime would consume events and store nothing, acknowledging them all,
 * so it is refused, at start and on reload.
 *
 * <p>This proves that:
 * <ul>
 * <li>the packaged runtime, started as a process on a conf directory that has no {@code *.conf} file, exits with a
 * non-zero code within {@link #EXIT_WITHIN} and logs a line naming that directory. A process, because a Quarkus
 * start that fails cannot be asserted on in-process here: this test needs the {@code package} phase (the jar), so it
 * is an integration test;</li>
 * <li>a hot reload that removes the last hook, by leaving the pool without hooks or by removing every conf file, is
 * rejected: {@code /q/mqttbackends/config} reports it ({@code lastErrorHash}) and keeps the running {@code hash},
 * and the running configuration keeps storing.</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(value = EmptyConfigurationIT.Resource.class, restrictToAnnotatedClass = true)
class EmptyConfigurationIT {
    static final String PREFIX = "empty-e2e";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);

    /** {@code pool1} on the real PostgreSQL, tables created at start, storing {@code <prefix>/a/#}. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            rig.write(pool(rig) + rig.storeHook(1, "a", "pool1"));
        }
    }

    static String pool(FailureRig rig) {
        return rig.pgsqlPool("pool1", TestPostgres.PORT, "schema.init = true");
    }

    FailureRig rig;

    @Test
    void theRuntimeRefusesToStartOnAConfDirectoryWithoutConfFiles() throws Exception {
        Path work = Files.createTempDirectory("mqttbackends-empty-start");
        Path emptyDir = Files.createDirectory(work.resolve("conf"));
        Files.writeString(emptyDir.resolve("README.txt"), "not a conf file\n");
        String session = PREFIX + "-process-" + FailureRig.random();
        Map<String, String> properties = RuntimeProcess.rawOnlySettings(emptyDir, TestMqtt.HOST, TestMqtt.PORT,
                session, session, Duration.ofSeconds(10));
        try (RuntimeProcess runtime = RuntimeProcess.start(properties, work.resolve("runtime.log"))) {
            Optional<Integer> exit = runtime.awaitExit(EXIT_WITHIN);
            assertThat(exit).as("exit of the runtime started on %s, which has no *.conf file; its log ends with:%n%s",
                    emptyDir, runtime.logTail(15)).isPresent();
            assertThat(exit.get()).as("exit code").isNotZero();
            assertThat(runtime.log()).as("the runtime's log").contains(emptyDir.toString());
        } finally {
            FailureRig.deleteTree(work);
        }
    }

    @Test
    void aReloadThatRemovesTheLastHookIsRejectedAndTheRunningConfigurationKeepsStoring() {
        String topic = PREFIX + "/a/" + FailureRig.random();
        try (TestPostgres pg = rig.pg(); TestMqtt mqtt = new TestMqtt(PREFIX)) {
            pg.awaitEmqxTables(WAIT);
            String goodHash = rig.hash();
            await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint().getString("hash")).isEqualTo(goodHash));
            mqtt.publish(topic, "before", 1, false);
            await().atMost(WAIT).until(() -> stored(pg, topic) == 1);

            rig.write(pool(rig));
            assertRejected(rig.hash(), goodHash, "a reload leaving the pool without any hook");
            mqtt.publish(topic, "after-hookless", 1, false);
            await("the running configuration storing after the hookless reload").atMost(WAIT)
                    .until(() -> stored(pg, topic) == 2);

            rig.write(Map.of());
            assertRejected(rig.hash(), goodHash, "a reload removing every conf file");
            mqtt.publish(topic, "after-empty", 1, false);
            await("the running configuration storing after the empty reload").atMost(WAIT)
                    .until(() -> stored(pg, topic) == 3);
        }
    }

    private static void assertRejected(String rejectedHash, String runningHash, String what) {
        await(what + " reported on " + ReloadConf.CONFIG_PATH).atMost(WAIT).untilAsserted(() -> {
            JsonPath status = endpoint();
            assertThat(status.getString("hash")).as("running hash after %s", what).isEqualTo(runningHash);
            assertThat(status.getString("lastErrorHash")).as("lastErrorHash after %s", what).isEqualTo(rejectedHash);
        });
        assertThat(endpoint().getString("lastError")).as("lastError after %s", what).isNotBlank();
    }

    private static long stored(TestPostgres pg, String topic) {
        return pg.count("select count(*) from mqtt_msg where topic = $1", topic);
    }
}
