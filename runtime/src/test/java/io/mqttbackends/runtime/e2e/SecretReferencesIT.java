package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.CONFIG_PATH;
import static io.mqttbackends.runtime.e2e.ReloadConf.endpoint;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.KubernetesVolume;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestMysql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Secrets through Mosquitto and real MariaDB (which checks passwords; the shared PostgreSQL trusts loopback): a
 * password read from a mounted Kubernetes Secret through {@code ${dir:...}}, reloaded when the Secret changes; the
 * U+2028 password found on our machines, in the Secret and in a rendered {@code credentials.conf}, whose injected
 * {@code delete from canary} hook never runs; and a mistyped password line. No password shows in the config
 * endpoint, the rejection or the log.
 */
@QuarkusTest
@QuarkusTestResource(value = SecretReferencesIT.Resource.class, restrictToAnnotatedClass = true)
class SecretReferencesIT {
    static final String PREFIX = "secrets-e2e";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LS = "\u2028";

    /** A MariaDB database and user of the class's own, its password in a Secret volume beside the conf. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            String database = FailureRig.uniqueName("secrets");
            String user = "mqb_sec_" + FailureRig.random();
            rig.note("database", database);
            rig.note("user", user);
            rig.note("password", "right-" + FailureRig.random());
            rig.note("secret", rig.confDir().resolveSibling("secret").toString());
            rig.closeAtEnd(() -> {
                try (TestMysql admin = TestMysql.connect("")) {
                    admin.execute("DROP USER IF EXISTS '" + user + "'@'127.0.0.1'");
                    admin.execute("DROP DATABASE IF EXISTS " + database);
                }
            });
            try (TestMysql admin = TestMysql.connect("")) {
                admin.execute("CREATE DATABASE " + database);
                admin.execute("CREATE USER '" + user + "'@'127.0.0.1' IDENTIFIED BY '" + rig.note("password") + "'");
                admin.execute("GRANT ALL PRIVILEGES ON " + database + ".* TO '" + user + "'@'127.0.0.1'");
            }
            try (TestMysql db = TestMysql.connect(database)) {
                db.execute("CREATE TABLE sec_log (id int auto_increment primary key, topic varchar(200), payload text)"
                        + " DEFAULT CHARSET=utf8mb4");
                db.execute("CREATE TABLE canary (id int)");
                db.execute("INSERT INTO canary VALUES (1)");
            }
            secret(rig).write(Map.of("password", rig.note("password") + "\n"));
            rig.write(Map.of("backends.conf", backends(rig, "${dir:" + rig.note("secret") + ":password}")));
        }
    }

    FailureRig rig;

    private static KubernetesVolume secret(FailureRig rig) {
        return new KubernetesVolume(Path.of(rig.note("secret")));
    }

    /** The pool (its password line as given) and the hook storing {@code <prefix>/s/#} into sec_log. */
    private static String backends(FailureRig rig, String password) {
        String p = "backend.mysql.pool1.";
        return p + "server = 127.0.0.1:" + TestMysql.PORT + "\n" + p + "pool_size = 2\n" + p + "user = "
                + rig.note("user") + "\n" + p + "database = " + rig.note("database") + "\n"
                + p + "schema.init = false\n" + (password.isEmpty() ? "" : p + "password = " + password + "\n")
                + rig.sqlHook("mysql", 1, "s", "pool1", "insert into sec_log (topic, payload) values (${topic}, "
                        + "${payload})");
    }

    /** A hook on every topic of the prefix that empties the canary table: what the injection added. */
    private String injectedHook() {
        return "backend.mysql.hook.message.publish.9 = {\"topic\": \"" + PREFIX + "/#\", \"action\": {\"sql\": "
                + "[\"delete from canary\"]}, \"pool\": \"pool1\"}";
    }

    /** Publishes one message on {@code <prefix>/s/<tag>} and waits until the store hook wrote it. */
    private void publishAndAwaitStored(String tag) {
        String topic = PREFIX + "/s/" + tag + "-" + FailureRig.random();
        try (TestMqtt mqtt = new TestMqtt(PREFIX); TestMysql db = TestMysql.connect(rig.note("database"))) {
            mqtt.publish(topic, tag, 1, false);
            await("the message on " + topic + " stored").atMost(WAIT).until(() -> db.count(
                    "select count(*) from sec_log where topic = $1", topic) == 1);
        }
    }

    private long canaries() {
        try (TestMysql db = TestMysql.connect(rig.note("database"))) {
            return db.count("select count(*) from canary");
        }
    }

    private static String body() {
        return given().get(CONFIG_PATH).then().statusCode(200).extract().asString();
    }

    @Test
    void aPasswordFromAMountedSecretReachesTheDatabaseAndAChangedSecretIsReloaded() {
        String hash = rig.hash();
        publishAndAwaitStored("mounted");

        secret(rig).write(Map.of("password", "wrong-" + FailureRig.random()));
        await("the reload with the wrong password").atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(503).body(containsString("\"pool mysql.pool1\": \"down\"")));
        assertThat(endpoint().getString("hash")).isEqualTo(hash);

        secret(rig).write(Map.of("password", rig.note("password") + "\n"));
        await("the reload with the right password").atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200));
        publishAndAwaitStored("restored");
        assertThat(body()).doesNotContain(rig.note("password"));
    }

    @Test
    void aSecretValueCarryingADeleteHookAfterU2028IsRejectedAndTheHookNeverRuns() {
        String right = rig.note("password");
        try (LogCapture log = LogCapture.of("io.mqttbackends")) {
            secret(rig).write(Map.of("password", right + LS + injectedHook() + LS + "#"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint().getString("lastError"))
                    .contains("backends.conf:6: backend.mysql.pool1.password: the value of ${dir:"
                            + rig.note("secret") + ":password} contains U+2028 (LINE SEPARATOR)"));
            publishAndAwaitStored("after-secret-injection");
            assertThat(canaries()).isEqualTo(1);
            assertThat(body() + log.text()).doesNotContain(right).doesNotContain("canary");
        } finally {
            secret(rig).write(Map.of("password", right + "\n"));
        }
    }

    /**
     * As the operator rendered it before the fix: the Secret's value in quotes in {@code credentials.conf}, made so
     * that a parser splitting at U+2028 reads the right password, then the hook, then a comment.
     */
    @Test
    void aRenderedCredentialsFileCarryingADeleteHookAfterU2028IsRejectedAndTheHookNeverRuns() {
        String right = rig.note("password");
        String running = backends(rig, "${dir:" + rig.note("secret") + ":password}");
        try (LogCapture log = LogCapture.of("io.mqttbackends")) {
            rig.write(Map.of("backends.conf", backends(rig, ""), "credentials.conf",
                    "backend.mysql.pool1.password = \"" + right + "\"" + LS + injectedHook() + LS + "#\"\n"));
            String rejected = rig.hash();
            await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint().getString("lastErrorHash"))
                    .isEqualTo(rejected));
            assertThat(endpoint().getString("lastError")).contains("credentials.conf:1: "
                    + "backend.mysql.pool1.password: the line contains U+2028 (LINE SEPARATOR), a line terminator");
            publishAndAwaitStored("after-file-injection");
            assertThat(canaries()).isEqualTo(1);
            assertThat(body() + log.text()).doesNotContain(right).doesNotContain("canary");
        } finally {
            rig.write(Map.of("backends.conf", running));
        }
    }

    @Test
    void aMistypedPasswordLineIsRejectedAndItsValueShowsNowhere() {
        String running = backends(rig, "${dir:" + rig.note("secret") + ":password}");
        try (LogCapture log = LogCapture.of("io.mqttbackends")) {
            rig.write(Map.of("backends.conf", running + "password: hunter2\nbackend.mysql.pool1.password hunter2\n"));
            String rejected = rig.hash();
            await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint().getString("lastErrorHash"))
                    .isEqualTo(rejected));
            assertThat(endpoint().getString("lastError")).contains("backends.conf:8: password: expected 'key = value' "
                    + "(the line is not shown)", "backends.conf:9: backend.mysql.pool1.password: expected 'key = value'");
            await().atMost(WAIT).until(() -> log.text().contains("rejected"));
            assertThat(body() + log.text()).doesNotContain("hunter2");
        } finally {
            rig.write(Map.of("backends.conf", running));
        }
    }
}
