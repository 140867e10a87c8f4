package io.mqttbackends.runtime.e2e;

import static com.mongodb.client.model.Filters.eq;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.mqttbackends.runtime.testing.MongoStandIn;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.bson.Document;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * MongoDB (a stand-in of this class's own, see {@link MongoStandIn}; always the stand-in, since a shared or real
 * server cannot be stopped by a test) down when the runtime starts, then stopped in the middle of a steady stream of
 * publishes and started again on the same port: readiness reports the pool down meanwhile, the messages published
 * while it is down wait unacked in the broker (a private Mosquitto with unbounded queues, so the broker drops
 * nothing), and afterwards every message is in {@code mqtt_msg} exactly once, the earlier ones kept. The driver's
 * server selection gives up after 3 s (EMQX documents 30 s), so writes fail and are retried during the outage rather
 * than wait through it. The tests run in order: the first one finds MongoDB down since the start.
 */
@QuarkusTest
@QuarkusTestResource(value = MongoE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
    @ResourceArg(name = "stand-in", value = "private"),
    @ResourceArg(name = "start-down", value = "true"),
    @ResourceArg(name = "prefix", value = "mongo-restart"),
    @ResourceArg(name = "topology.server_selection_timeout_ms", value = "3000"),
    @ResourceArg(name = "topology.connect_timeout_ms", value = "2000")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MongoRestartIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** One publish every 10 ms: about 100 a second. */
    private static final long PERIOD_MS = 10;

    MongoE2eRig rig;

    @Test
    @Order(1)
    void messagesPublishedBeforeMongoDbFirstAnswersAreStoredOnceItDoesWithTheSchemaMadeThen() {
        String topic = rig.raw() + "/before-start/" + UUID.randomUUID().toString().substring(0, 8);
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                .body(containsString("\"pool mongo.pool1\": \"down\""))
                .body(containsString("\"mqtt\": \"connected\"")));
        try (TestMqtt mqtt = rig.mqtt("mongo-restart-early")) {
            for (int i = 0; i < 20; i++) {
                mqtt.publish(topic, "early-" + i, 1, false);
            }
        }
        rig.standIn().up();
        await().atMost(WAIT).until(() -> stored(topic) >= 20);
        assertThat(rig.main().getCollection("mqtt_msg").find(eq("topic", topic)).into(new ArrayList<>()))
                .extracting(d -> d.get("payload"))
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).mapToObj(i -> "early-" + i).toList());
        assertThat(rig.main().getCollection("mqtt_msg").listIndexes().into(new ArrayList<>()))
                .as("schema.init made the index that keeps a redelivery out")
                .anySatisfy(index -> {
                    assertThat(index.get("key", Document.class)).isEqualTo(new Document("msgid", 1));
                    assertThat(index.getBoolean("unique", false)).isTrue();
                });
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    @Order(2)
    void aSteadyStreamPublishedAcrossAStopAndRestartOfMongoDbIsStoredExactlyOnce() throws Exception {
        String topic = rig.raw() + "/stream/" + UUID.randomUUID().toString().substring(0, 8);
        MongoStandIn mongo = rig.standIn();
        // Up already after the first test; run alone, this one starts it.
        mongo.up();
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
        try (TestMqtt mqtt = rig.mqtt("mongo-restart-publisher")) {
            publisher.scheduleAtFixedRate(() -> {
                try {
                    mqtt.publish(topic, "s-" + published.get(), 1, false);
                    published.incrementAndGet();
                } catch (RuntimeException e) {
                    publishFailure.compareAndSet(null, e);
                    throw e;
                }
            }, 0, PERIOD_MS, TimeUnit.MILLISECONDS);

            await().atMost(WAIT).until(() -> stored(topic) >= 50);
            mongo.down();
            int atStop = published.get();
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("\"pool mongo.pool1\": \"down\"")));
            // Longer than the 3 s server selection timeout: the batch in flight fails and is retried, not held.
            await().atMost(WAIT).until(() -> published.get() >= atStop + 400);

            mongo.up();
            int atRestart = published.get();
            await().atMost(WAIT).until(() -> published.get() >= atRestart + 100);
            publisher.shutdown();
            assertThat(publisher.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            publisher.shutdownNow();
        }
        assertThat(publishFailure.get()).as("every publish reached the broker").isNull();

        int total = published.get();
        await().atMost(WAIT).until(() -> stored(topic) >= total);
        List<Document> documents = rig.main().getCollection("mqtt_msg").find(eq("topic", topic))
                .into(new ArrayList<>());
        assertThat(documents).extracting(d -> d.get("payload")).as("each of the %d publishes once", total)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, total).mapToObj(i -> "s-" + i).toList());
        assertThat(documents).extracting(d -> d.get("msgid")).doesNotHaveDuplicates();
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    private long stored(String topic) {
        return rig.main().getCollection("mqtt_msg").countDocuments(eq("topic", topic));
    }
}
