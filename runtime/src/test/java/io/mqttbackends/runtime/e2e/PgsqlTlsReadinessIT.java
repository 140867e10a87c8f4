package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.e2e.ReloadConf.metric;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.mqttbackends.runtime.testing.PrivatePostgres;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TlsTestFiles;
import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL pool with TLS on (and {@code verify} left at its default) whose server presents a valid certificate
 * for another host, through Mosquitto, the whole runtime and a private PostgreSQL that takes TLS connections only.
 * Readiness is DOWN and names the pool and the reason, {@code mqttbackends_pool_up} is 0, and the published events
 * wait un-acked with nothing stored; once the server presents a certificate for the host the pool connects to, the
 * pool turns up and every waiting event is stored.
 */
@QuarkusTest
@QuarkusTestResource(value = PgsqlTlsReadinessIT.Resource.class, restrictToAnnotatedClass = true)
class PgsqlTlsReadinessIT {
    static final String PREFIX = "tls-e2e";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration HOLD = Duration.ofSeconds(3);
    private static final int EVENTS = 5;
    private static PrivatePostgres server;

    /** The private server, presenting the certificate for another host, and a pool that verifies by default. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            TlsTestFiles tls = rig.closeAtEnd(TlsTestFiles.make());
            server = rig.closeAtEnd(PrivatePostgres.start(tls, ServerCertificate.OTHER_HOST));
            server.sql("CREATE TABLE tls_log (topic text, payload text)");
            String p = "backend.pgsql.pool1.";
            rig.write(p + "server = localhost:" + server.port() + "\n"
                    + p + "username = " + PrivatePostgres.USER + "\n"
                    + p + "password = " + server.password() + "\n"
                    + p + "database = postgres\n"
                    + p + "ssl = true\n"
                    + p + "cacertfile = " + tls.ca() + "\n"
                    + rig.sqlHook("pgsql", 1, "tls", "pool1",
                            "insert into tls_log (topic, payload) values (${topic}, ${payload})"));
        }
    }

    @Test
    void aCertificateForAnotherHostKeepsThePoolDownWithItsReasonUntilTheServerPresentsOneForItsHost() {
        String topic = PREFIX + "/tls/" + FailureRig.random();
        try (TestMqtt mqtt = new TestMqtt(PREFIX)) {
            for (int i = 0; i < EVENTS; i++) {
                mqtt.publish(topic, "tls-" + i, 1, false);
            }
            await("readiness naming the pool and the TLS reason").atMost(WAIT)
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                            .body(containsString("\"pool pgsql.pool1\": \"down\""))
                            .body(containsString("\"pool pgsql.pool1 failure\": \"TLS failed: No subject alternative "
                                    + "DNS name matching localhost found.\"")));
            assertThat(metric("mqttbackends_pool_up", "pgsql.pool1")).as("mqttbackends_pool_up").contains(0.0);
            await("events held while TLS is refused").during(HOLD).atMost(HOLD.plusSeconds(5))
                    .untilAsserted(() -> assertThat(stored(topic)).as("rows through refused TLS").isZero());
            assertThat(given().get("/q/health/ready").then().extract().asString())
                    .as("readiness holds no secret").doesNotContain(server.password());

            server.serve(ServerCertificate.LOCALHOST);
            await("every held event stored once the certificate names the host").atMost(WAIT)
                    .untilAsserted(() -> assertThat(stored(topic)).isEqualTo(EVENTS));
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                    .body(containsString("\"pool pgsql.pool1\": \"up\"")));
        }
    }

    private static long stored(String topic) {
        return Long.parseLong(server.sql("SELECT count(*) FROM tls_log WHERE topic = '" + topic + "'"));
    }
}
