package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.endpoint;
import static io.mqttbackends.runtime.e2e.ReloadConf.metric;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.mqttbackends.runtime.testing.DeadLetterWatcher;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestMysql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A wrong database password, through Mosquitto and real MariaDB, and its fix by a hot reload.
 *
 * <p>MariaDB, not PostgreSQL: the shared PostgreSQL trusts every loopback connection ({@code pg_hba.conf}:
 * {@code host all all 127.0.0.1/32 trust}), so it accepts any password, a wrong one included (checked by hand with a
 * role created with a password). MariaDB checks it: the test creates a user {@code IDENTIFIED BY} a password of its
 * own, and drops it at the end.
 *
 * <p>The runtime starts with that user and a wrong password (in {@code credentials.conf}, beside
 * {@code backends.conf}, as the operator mounts its Secret), {@code schema.init = false}, and one {@code sql} hook
 * into a table the test created. This proves that:
 * <ul>
 * <li>a failed login is "unavailable", not a bad event: the published events are neither stored nor dead-lettered
 * (nothing arrives on the dead-letter topic for longer than the retry budget of a permanent failure), they stay
 * unacknowledged ({@code mqttbackends_events_in_flight} counts them), and readiness is DOWN naming the pool;</li>
 * <li>a hot reload with the right password brings them all in: every event is stored exactly once (counted by its
 * payload, unique per message), still with no dead letter, and readiness turns UP.</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(value = WrongPasswordIT.Resource.class, restrictToAnnotatedClass = true)
class WrongPasswordIT {
    static final String PREFIX = "pw-e2e";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Longer than the 5 attempts a permanent failure gets (backoff 0.05 s doubling to 0.5 s: about 1 s). */
    private static final Duration HOLD = Duration.ofSeconds(5);
    private static final int EVENTS = 10;

    /** A MariaDB database and user of the class's own; the runtime starts with a wrong password. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            String database = FailureRig.uniqueName("pw");
            String user = "mqb_pw_" + FailureRig.random();
            String password = "right-" + FailureRig.random();
            rig.note("database", database);
            rig.note("user", user);
            rig.note("password", password);
            rig.closeAtEnd(() -> {
                try (TestMysql admin = TestMysql.connect("")) {
                    admin.execute("DROP USER IF EXISTS '" + user + "'@'127.0.0.1'");
                    admin.execute("DROP DATABASE IF EXISTS " + database);
                }
            });
            try (TestMysql admin = TestMysql.connect("")) {
                admin.execute("CREATE DATABASE " + database);
                admin.execute("CREATE USER '" + user + "'@'127.0.0.1' IDENTIFIED BY '" + password + "'");
                admin.execute("GRANT ALL PRIVILEGES ON " + database + ".* TO '" + user + "'@'127.0.0.1'");
            }
            try (TestMysql db = TestMysql.connect(database)) {
                db.execute("CREATE TABLE pw_log (id int auto_increment primary key, topic varchar(200), payload text)"
                        + " DEFAULT CHARSET=utf8mb4");
            }
            rig.write(files(rig, "wrong-" + FailureRig.random()));
        }
    }

    /** {@code backends.conf} (pool without password, hook) and {@code credentials.conf} (the password). */
    static Map<String, String> files(FailureRig rig, String password) {
        String p = "backend.mysql.pool1.";
        String backends = p + "server = 127.0.0.1:" + TestMysql.PORT + "\n"
                + p + "pool_size = 2\n"
                + p + "user = " + rig.note("user") + "\n"
                + p + "database = " + rig.note("database") + "\n"
                + p + "schema.init = false\n"
                + rig.sqlHook("mysql", 1, "pw", "pool1", "insert into pw_log (topic, payload) values (${topic}, ${payload})");
        return Map.of("backends.conf", backends, "credentials.conf", p + "password = " + password + "\n");
    }

    FailureRig rig;

    @Test
    void eventsWaitUnackedWhileThePasswordIsWrongAndAreAllStoredOnceAfterAReloadWithTheRightOne() {
        String topic = PREFIX + "/pw/" + FailureRig.random() + "/";
        try (TestMysql db = TestMysql.connect(rig.note("database")); TestMqtt mqtt = new TestMqtt(PREFIX);
                DeadLetterWatcher deadLetters = new DeadLetterWatcher(rig.deadLetterTopic())) {
            for (int i = 0; i < EVENTS; i++) {
                mqtt.publish(topic + (i % 2), "pw-" + i, 1, false);
            }
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("\"pool mysql.pool1\": \"down\"")));
            await("a wrong password holding the events").during(HOLD).atMost(HOLD.plusSeconds(5))
                    .untilAsserted(() -> {
                        assertThat(deadLetters.records())
                                .as("dead letters while the only failure is a wrong password").isEmpty();
                        assertThat(stored(db, topic)).as("rows stored with a wrong password").isZero();
                    });
            assertThat(metric("mqttbackends_events_in_flight", "").orElse(0.0))
                    .as("events taken from the broker and not acknowledged").isGreaterThanOrEqualTo(EVENTS);

            rig.write(files(rig, rig.note("password")));
            String fixed = rig.hash();
            await("the reload with the right password").atMost(WAIT)
                    .untilAsserted(() -> assertThat(endpoint().getString("hash")).isEqualTo(fixed));
            await("every held event stored after the fix").atMost(WAIT)
                    .untilAsserted(() -> assertThat(stored(db, topic)).isGreaterThanOrEqualTo(EVENTS));
            assertThat(stored(db, topic)).as("rows (one per event)").isEqualTo(EVENTS);
            assertThat(db.count("select count(distinct payload) from pw_log where topic like $1", topic + "%"))
                    .as("distinct payloads").isEqualTo(EVENTS);
            assertThat(deadLetters.records()).as("dead letters").isEmpty();
            assertThat(endpoint().getString("lastError")).isNull();
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        }
    }

    private static long stored(TestMysql db, String topicPrefix) {
        return db.count("select count(*) from pw_log where topic like $1", topicPrefix + "%");
    }
}
