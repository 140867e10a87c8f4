package io.mqttbackends.runtime.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestSql;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batching and ordered parallelism through the whole runtime: real publishes through Mosquitto into a real SQL
 * database, with a small in-flight bound so that back-pressure is observable. Each database's test extends this with
 * {@link SqlE2eResource} given {@link #MAX_IN_FLIGHT}, its dead-letter topic and 2 retry attempts.
 */
public abstract class SqlBatchingContract {
    static final String MAX_IN_FLIGHT = "8";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern IN_FLIGHT = Pattern.compile("(?m)^mqttbackends_events_in_flight (\\S+)$");

    private final String deadLetters;
    /**
     * A payload the {@code text} column of {@code hook_log} refuses (a data error, retrying cannot help), while
     * {@code mqtt_msg}'s binary column keeps it.
     */
    private final byte[] poison;

    E2eDatabase database;
    TestSql pg;
    TestMqtt mqtt;

    protected SqlBatchingContract(String deadLetters, byte[] poison) {
        this.deadLetters = deadLetters;
        this.poison = poison.clone();
    }

    @BeforeEach
    void connect() {
        pg = database.connect().awaitEmqxTables(WAIT);
        mqtt = new TestMqtt(database.rawPrefix() + "-batching");
    }

    @AfterEach
    void disconnect() {
        mqtt.close();
        pg.close();
    }

    private String pool(String name) {
        return database.kind().poolPrefix() + "." + name;
    }

    private static String uid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void messagesOfOneTopicAreStoredInPublishOrderWhileTopicsRunInParallelInBatches() {
        String prefix = database.rawPrefix() + "/batching/" + uid() + "/";
        int perTopic = 250;
        for (int i = 0; i < perTopic; i++) {
            for (int t = 0; t < 4; t++) {
                mqtt.publish(prefix + t, "seq-" + i, 1, false);
            }
        }
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic like $1", prefix + "%")
                == 4L * perTopic);
        List<String> expected = IntStream.range(0, perTopic).mapToObj(i -> "seq-" + i).toList();
        for (int t = 0; t < 4; t++) {
            List<String> stored = pg.rows("select payload from mqtt_msg where topic = $1 order by id", prefix + t)
                    .stream().map(r -> r.getBuffer("payload").toString(StandardCharsets.UTF_8)).toList();
            assertThat(stored).containsExactlyElementsOf(expected);
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher max = Pattern.compile("(?m)^mqttbackends_batch_size_max\\{pool=\"" + pool("pool1") + "\"} (\\S+)$")
                .matcher(metrics);
        assertThat(max.find()).as("batch size metric of %s", pool("pool1")).isTrue();
        assertThat(Double.parseDouble(max.group(1))).as("largest batch").isGreaterThan(1);
    }

    @Test
    void eventsInFlightStayWithinTheBoundWhileTheDatabaseIsBlockedAndAllLandAfterwards() throws Exception {
        String topic = database.rawPrefix() + "/backpressure/" + uid();
        try (AutoCloseable blocked = pg.blockWrites("mqtt_msg")) {
            for (int i = 0; i < 100; i++) {
                mqtt.publish(topic, "held-" + i, 1, false);
            }
            List<Double> samples = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                samples.add(inFlight());
                return samples.size() >= 20 && samples.stream().anyMatch(v -> v > 0);
            });
            assertThat(samples).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(Double.parseDouble(MAX_IN_FLIGHT)));
            assertThat(pg.count("select count(*) from mqtt_msg where topic = $1", topic)).isZero();
        }
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 100);
        assertThat(pg.count("select count(distinct msgid) from mqtt_msg where topic = $1", topic)).isEqualTo(100);
    }

    @Test
    void aWriteThatKeepsFailingGoesToTheDeadLetterTopicWhileTheStreamGoesOn() throws Exception {
        String topic = database.rawPrefix() + "/deadletter/" + uid();
        try (TestMqtt watcher = new TestMqtt(database.rawPrefix() + "-dead-letter-watcher")) {
            watcher.subscribe(deadLetters, 1);
            mqtt.publish(topic, poison, 1, false, Map.of());
            mqtt.publish(topic, "fine", 1, false);

            Mqtt5Publish letter = watcher.receive(WAIT.toSeconds()).orElseThrow();
            JsonNode record = new ObjectMapper().readTree(letter.getPayloadAsBytes());
            assertThat(record.get("pool").asText()).isEqualTo(pool("pool2"));
            assertThat(record.get("hookpoint").asText()).isEqualTo("message.publish");
            assertThat(record.get("hook").asText()).contains("backend." + database.kind().hookPrefix() + ".hook.message.publish.10");
            assertThat(record.get("topic").asText()).isEqualTo(topic);
            assertThat(Base64.getDecoder().decode(record.get("payload").asText())).isEqualTo(poison);
            assertThat(record.get("error").asText()).isNotBlank();
        }
        // The stream went on: the good message reached both pools, and pool1 (binary payload) kept the bad one too.
        await().atMost(WAIT).until(() -> pg.count("select count(*) from hook_log where topic = $1 and payload = 'fine'",
                topic) == 1);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 2);
        assertThat(pg.count("select count(*) from hook_log where topic = $1", topic)).isEqualTo(1);
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertThat(metrics).containsPattern(
                "mqttbackends_dead_letters_total\\{function=\"sql\",pool=\"" + pool("pool2") + "\"} [1-9]");
    }

    private static double inFlight() {
        Matcher m = IN_FLIGHT.matcher(given().get("/q/metrics").then().extract().asString());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
