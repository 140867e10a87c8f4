package io.mqttbackends.runtime.e2e;

import static io.mqttbackends.runtime.testing.TestMqtt.userProperty;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.testing.DeadLetterWatcher;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole runtime against real Mosquitto and the run's real Cassandra, driven by EMQX's default
 * {@code emqx_backend_cassa.conf} unchanged on EMQX's own tables (made from EMQX's DDL, not by {@code schema.init})
 * and by a second pool whose {@code cql} hooks log every hook point ({@link CassandraE2eResource}): real MQTT
 * publishes for {@code raw}, the exact JSON EMQX 5 emits for {@code emqx-rule} events. Assertions read the rows with
 * a plain driver session.
 */
@QuarkusTest
@QuarkusTestResource(value = CassandraE2eResource.class, restrictToAnnotatedClass = true)
class CassandraEndToEndIT {
    /** Generous: the first event after start can wait long on a loaded 2-core machine. */
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keeps the ids {@link #hexId()} mints in the order they are minted. */
    private static final AtomicLong LAST_MICROS = new AtomicLong();

    CassandraE2eRig rig;

    TestMqtt mqtt;
    DeadLetterWatcher deadLetters;

    @BeforeEach
    void connect() {
        mqtt = rig.mqtt("cassa-e2e-publisher");
        deadLetters = rig.deadLetters();
    }

    /** Every event of these tests is good: one given up on (a failed cql hook, say) fails the test. */
    @AfterEach
    void noDeadLettersAndDisconnect() {
        try {
            assertThat(deadLetters.records()).as("dead letters").isEmpty();
        } finally {
            deadLetters.close();
            mqtt.close();
        }
    }

    private static String uid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void connectWritesTheClientRowSubscriptionLookupSubscribesThroughEmqxAndDisconnectMarksItOffline() {
        String client = "cassa-dev-" + uid();
        rig.execute("INSERT INTO %s.sub (clientid, topic, qos) VALUES (?, ?, ?)", client, "cmd/" + client, 1);
        rig.execute("INSERT INTO %s.sub (clientid, topic, qos) VALUES (?, ?, ?)", client, "cfg/" + client, 2);
        rig.execute("INSERT INTO %s.sub (clientid, topic, qos) VALUES (?, ?, ?)", "other-" + client, "x/" + client, 1);
        Instant before = Instant.now().minusSeconds(2);

        mqtt.publishJson(rig.rulePrefix() + "/client.connected", EmqxEvents.ruleConnected(client, "u1"));
        await().atMost(WAIT).until(() -> state(client) == 1);
        Row online = clientRow(client);
        assertThat(online.getString("node")).isEqualTo(EmqxEvents.NODE);
        assertThat(online.getInstant("connected")).isBetween(before, Instant.now().plusSeconds(2));
        assertThat(online.getInstant("disconnected")).isNull();

        await().atMost(WAIT).until(() -> calls("/api/v5/clients/" + client + "/subscribe/bulk").size() == 1);
        assertThat(bulk(calls("/api/v5/clients/" + client + "/subscribe/bulk").get(0))).containsExactlyInAnyOrder(
                Map.of("topic", "cmd/" + client, "qos", 1), Map.of("topic", "cfg/" + client, "qos", 2));

        mqtt.publishJson(rig.rulePrefix() + "/client.disconnected",
                EmqxEvents.ruleDisconnected(client, "u1", "normal"));
        await().atMost(WAIT).until(() -> state(client) == 0);
        Row offline = clientRow(client);
        assertThat(offline.getInstant("disconnected")).isAfterOrEqualTo(offline.getInstant("connected"));
        assertThat(offline.getInstant("connected")).isEqualTo(online.getInstant("connected"));

        // pool2's cql hooks on client.connected / client.disconnected.
        await().atMost(WAIT).until(() -> logged("client.disconnected", "clientid", client).size() == 1);
        Row connected = logged("client.connected", "clientid", client).get(0);
        assertThat(connected.getString("username")).isEqualTo("u1");
        assertThat(connected.getString("node")).isEqualTo(EmqxEvents.NODE);
        assertThat(connected.getString("peerhost")).isNotBlank();
        assertThat(connected.getInstant("ts")).as("${timestamp} into a timestamp column")
                .isBetween(before, Instant.now().plusSeconds(2));
        assertThat(logged("client.disconnected", "clientid", client).get(0).getString("username")).isEqualTo("u1");
    }

    @Test
    void offlineFetchReplaysWhatFollowsTheCursorReplaysAreNotStoredAgainAndAResubscribeAtOnceKeepsFetching() {
        String client = "cassa-sub-" + uid();
        String topic = rig.raw() + "/dev/" + uid() + "/inbox";
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> cursor(client, topic) != null);
        assertThat(cursor(client, topic)).as("the first fetch on an empty topic places the cursor at ''").isEmpty();

        for (int i = 1; i <= 5; i++) {
            mqtt.publish(topic, "m" + i, 1, false);
        }
        await().atMost(WAIT).until(() -> messages(topic).size() == 5);
        List<Row> stored = messages(topic);
        assertThat(payloads(stored)).containsExactly("m1", "m2", "m3", "m4", "m5");
        Row first = stored.get(0);
        assertThat(first.getString("msgid")).matches("[0-9A-F]{32}");
        assertThat(first.getInt("qos")).isEqualTo(1);
        assertThat(first.getInt("retain")).isZero();
        assertThat(first.getInstant("arrived")).isBetween(Instant.now().minusSeconds(120),
                Instant.now().plusSeconds(5));

        for (int i = 0; i < 2; i++) {
            mqtt.publishJson(rig.rulePrefix() + "/message.acked", EmqxEvents.ruleAcked(msgid(stored, i), "", client,
                    topic, 1, "m" + (i + 1), Map.of()));
        }
        await().atMost(WAIT).until(() -> msgid(stored, 1).equals(cursor(client, topic)));

        List<Mqtt5Publish> replayed = replays(client, topic, 3);
        assertThat(publishPayloads(replayed)).containsExactly("m3", "m4", "m5");
        assertThat(replayed).extracting(p -> userProperty(p, "mqttbackends-msgid"))
                .containsExactly(msgid(stored, 2), msgid(stored, 3), msgid(stored, 4));

        mqtt.publish(topic, "marker", 1, false);
        await().atMost(WAIT).until(() -> payloads(messages(topic)).contains("marker"));
        assertThat(payloads(messages(topic))).as("the replays came back through raw and were not stored again")
                .containsExactly("m1", "m2", "m3", "m4", "m5", "marker");

        // The ack of the last replay (EMQX reports the replay's own id, with our user properties) moves the cursor.
        mqtt.publishJson(rig.rulePrefix() + "/message.acked", EmqxEvents.ruleAcked(hexId(), rig.runtimeClientId(),
                client, topic, 1, "m5", Map.of("mqttbackends-origin", rig.runtimeClientId(),
                        "mqttbackends-msgid", msgid(stored, 4))));
        await().atMost(WAIT).until(() -> msgid(stored, 4).equals(cursor(client, topic)));

        // A late ack of m1 carries m1's own time as write timestamp: it loses to the cursor at m5. A second
        // client's ack, sent last, tells when it was handled.
        String witness = "cassa-witness-" + uid();
        mqtt.publishJson(rig.rulePrefix() + "/message.acked",
                EmqxEvents.ruleAcked(msgid(stored, 0), "", client, topic, 1, "m1", Map.of()));
        mqtt.publishJson(rig.rulePrefix() + "/message.acked",
                EmqxEvents.ruleAcked(msgid(stored, 2), "", witness, topic, 1, "m3", Map.of()));
        await().atMost(WAIT).until(() -> msgid(stored, 2).equals(cursor(witness, topic)));
        assertThat(cursor(client, topic)).isEqualTo(msgid(stored, 4));

        // EMQX's default unsubscribe cql deletes the cursor; a subscribe right after places one again (its fetch
        // finds no cursor: nothing replayed), and what is published later is fetched on the next subscribe.
        mqtt.publishJson(rig.rulePrefix() + "/session.unsubscribed", EmqxEvents.ruleUnsubscribed(client, topic));
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        List<Row> beforeLater = messages(topic);
        String newest = msgid(beforeLater, beforeLater.size() - 1);
        await("the cursor placed again at the newest message, the marker").atMost(WAIT)
                .until(() -> newest.equals(cursor(client, topic)));
        mqtt.publish(topic, "later-1", 1, false);
        mqtt.publish(topic, "later-2", 1, false);
        await().atMost(WAIT).until(() -> messages(topic).size() == 8);
        assertThat(publishPayloads(replays(client, topic, 2))).containsExactly("later-1", "later-2");
        assertThat(cursor(witness, topic)).isEqualTo(msgid(stored, 2));
    }

    @Test
    void fetchWithEmqxDefaultOfflineOptsReplaysOnlyTheNewest500AndNothingOlderThanTwoHoursOldestFirst() {
        String client = "cassa-lim-" + uid();
        String limited = rig.raw() + "/limited/" + uid();
        String old = rig.raw() + "/old/" + uid();
        for (String topic : List.of(limited, old)) {
            mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        }
        await().atMost(WAIT).until(() -> cursor(client, limited) != null && cursor(client, old) != null);

        for (int i = 1; i <= 503; i++) {
            mqtt.publish(limited, "m" + i, 1, false);
        }
        mqtt.publish(old, "fresh", 1, false);
        await().atMost(WAIT).until(() -> messages(limited).size() == 503 && messages(old).size() == 1);
        // Two messages that arrived three hours ago, beyond time_range 2h, with msgids newer than "fresh".
        String fresh = messages(old).get(0).getString("msgid");
        Instant threeHoursAgo = Instant.now().minusSeconds(3 * 3600);
        for (int i = 0; i < 2; i++) {
            rig.execute("INSERT INTO %s.msg (topic, msgid, sender, qos, retain, payload, arrived)"
                    + " VALUES (?, ?, 's', 1, 0, ?, ?)", old, fresh.substring(0, 16) + "FFFFFFFFFFFFFFF" + i,
                    ByteBuffer.wrap(("o" + i).getBytes(StandardCharsets.UTF_8)), threeHoursAgo);
        }
        assertThat(messages(old)).hasSize(3);

        assertThat(publishPayloads(replays(client, limited, 500))).as("max_returned_count 500, oldest first")
                .containsExactlyElementsOf(IntStream.rangeClosed(4, 503).mapToObj(i -> "m" + i).toList());
        assertThat(publishPayloads(replays(client, old, 1))).containsExactly("fresh");
        mqtt.publish(limited, "marker", 1, false);
        await().atMost(WAIT).until(() -> messages(limited).size() >= 504);
        assertThat(messages(limited)).as("none of the 500 replays stored again").hasSize(504);
    }

    @Test
    void retainedMessagesAreKeptReplayedMarkedRetainedAndDeletedByAnEmptyRetainedPublish() {
        String topic = rig.raw() + "/retained/" + uid();
        String client = "cassa-ret-" + uid();
        mqtt.publish(topic, "last-state", 1, true);
        await().atMost(WAIT).until(() -> retained(topic) != null && messages(topic).size() == 1);
        assertThat(retained(topic)).isEqualTo(msgid(messages(topic), 0));
        assertThat(messages(topic).get(0).getInt("retain")).isEqualTo(1);

        mqtt.publish(topic, "newer-state", 0, true);
        await().atMost(WAIT).until(() -> messages(topic).size() == 2
                && msgid(messages(topic), 1).equals(retained(topic)));
        assertThat(payloads(messages(topic))).as("on_message_publish stores a retained QoS 0 too")
                .containsExactly("last-state", "newer-state");
        assertThat(messages(topic).get(1).getInt("qos")).isZero();

        try (TestMqtt device = rig.mqtt("cassa-e2e-retained-device")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            Mqtt5Publish replay = device.receiveRetainedReplay(WAIT.toSeconds());
            assertThat(new String(replay.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("newer-state");
            assertThat(userProperty(replay, "mqttbackends-retained")).isEqualTo("true");
        } finally {
            mqtt.publish(topic, "", 1, true);
        }
        await().atMost(WAIT).until(() -> retained(topic) == null);
        assertThat(messages(topic)).as("the empty retained publish deletes and is not stored").hasSize(2);
    }

    @Test
    void binaryPayloadsAndAOneMebibytePayloadAreStoredAndReplayedByteExactInTheBlob() {
        String client = "cassa-big-" + uid();
        String topic = rig.raw() + "/binary/" + uid();
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> cursor(client, topic) != null);
        byte[] small = {0, (byte) 0x80, (byte) 0xFF, '\'', '"', '\\', 0, (byte) 0xC3, 0x28, '\n'};
        byte[] big = new byte[1024 * 1024];
        new Random(7).nextBytes(big);
        mqtt.publish(topic, small, 1, false, Map.of());
        mqtt.publish(topic, big, 1, false, Map.of());

        await().atMost(WAIT).until(() -> messages(topic).size() == 2);
        assertThat(bytes(messages(topic).get(0))).isEqualTo(small);
        assertThat(bytes(messages(topic).get(1))).isEqualTo(big);
        List<Mqtt5Publish> replayed = replays(client, topic, 2);
        assertThat(replayed.get(0).getPayloadAsBytes()).isEqualTo(small);
        assertThat(replayed.get(1).getPayloadAsBytes()).isEqualTo(big);
        // pool2's cql ${payload} into a blob column.
        await().atMost(WAIT).until(() -> logged("message.publish", "topic", topic).size() == 2);
        assertThat(logged("message.publish", "topic", topic)).extracting(CassandraEndToEndIT::bytes)
                .containsExactlyInAnyOrder(small, big);
    }

    @Test
    void payloadsClientIdsAndTopicsFullOfQuotesAndCqlLandVerbatim() {
        String topic = rig.raw() + "/quotes/it's \"" + uid() + "\"; DROP TABLE msg";
        String nasty = "'); DROP TABLE msg; -- ${clientid} ? :name \" \\' $$ BEGIN BATCH";
        mqtt.publish(topic, nasty, 1, false);
        String msgid = hexId();
        String sender = "o'brien'); DELETE FROM client WHERE clientid = '";
        String eventPayload = "' OR 1=1 ALLOW FILTERING; --";
        mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                EmqxEvents.rulePublish(msgid, sender, topic, 1, false, eventPayload, Map.of()));
        await().atMost(WAIT).until(() -> messages(topic).size() == 2);
        assertThat(payloads(messages(topic))).containsExactlyInAnyOrder(nasty, eventPayload);
        Row fromEvent = messages(topic).stream().filter(r -> r.getString("msgid").equals(msgid)).findFirst()
                .orElseThrow();
        assertThat(fromEvent.getString("sender")).isEqualTo(sender);
        assertThat(fromEvent.getString("topic")).isEqualTo(topic);

        String victim = "cassa-victim-" + uid();
        rig.execute("INSERT INTO %s.client (clientid, state) VALUES (?, 1)", victim);
        String injecting = "x' OR clientid = '" + victim + "'; UPDATE client SET state = 0 WHERE clientid = '"
                + victim + "'; --";
        mqtt.publishJson(rig.rulePrefix() + "/client.connected", EmqxEvents.ruleConnected(injecting, "u'\"${node}"));
        mqtt.publishJson(rig.rulePrefix() + "/client.disconnected",
                EmqxEvents.ruleDisconnected(injecting, "u'\"${node}", "normal"));
        await().atMost(WAIT).until(() -> state(injecting) == 0
                && logged("client.disconnected", "clientid", injecting).size() == 1);
        assertThat(state(victim)).isEqualTo(1);
        assertThat(logged("client.connected", "clientid", injecting)).extracting(r -> r.getString("username"))
                .containsExactly("u'\"${node}");
        assertThat(rig.rows("SELECT count(*) FROM %s.msg WHERE topic = ?", topic).get(0).getLong(0)).isEqualTo(2);
    }

    @Test
    void cqlHooksRunAtEveryHookPointWithThePlaceholdersEachOffers() {
        String client = "cassa-cql-" + uid();
        String topic = rig.raw() + "/cql/" + uid();
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 2));
        String msgid = hexId();
        mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                EmqxEvents.rulePublish(msgid, "pub-" + client, topic, 1, true, "hello", Map.of()));
        mqtt.publishJson(rig.rulePrefix() + "/message.delivered",
                EmqxEvents.ruleDelivered(msgid, "pub-" + client, client, topic, 1, "hello", Map.of()));
        mqtt.publishJson(rig.rulePrefix() + "/message.acked",
                EmqxEvents.ruleAcked(msgid, "pub-" + client, client, topic, 1, "hello", Map.of()));
        mqtt.publishJson(rig.rulePrefix() + "/session.unsubscribed", EmqxEvents.ruleUnsubscribed(client, topic));
        await().atMost(WAIT).until(() -> logged("session.unsubscribed", "clientid", client).size() == 1
                && logged("message.acked", "clientid", client).size() == 1
                && logged("message.delivered", "clientid", client).size() == 1
                && logged("message.publish", "msgid", msgid).size() == 1);

        Row subscribed = logged("session.subscribed", "clientid", client).get(0);
        assertThat(subscribed.getString("topic")).isEqualTo(topic);
        assertThat(subscribed.getInt("qos")).isEqualTo(2);
        assertThat(subscribed.getString("node")).isEqualTo(EmqxEvents.NODE);
        assertThat(logged("session.unsubscribed", "clientid", client).get(0).getString("topic")).isEqualTo(topic);
        Row published = logged("message.publish", "msgid", msgid).get(0);
        assertThat(published.getString("clientid")).isEqualTo("pub-" + client);
        assertThat(published.getString("topic")).isEqualTo(topic);
        assertThat(published.getInt("qos")).isEqualTo(1);
        assertThat(published.getInt("retain")).isEqualTo(1);
        assertThat(bytes(published)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(published.getInstant("ts")).isBetween(Instant.now().minusSeconds(120),
                Instant.now().plusSeconds(5));
        for (String hookPoint : List.of("message.delivered", "message.acked")) {
            Row row = logged(hookPoint, "clientid", client).get(0);
            assertThat(row.getString("msgid")).as(hookPoint).isEqualTo(msgid);
            assertThat(row.getString("topic")).as(hookPoint).isEqualTo(topic);
            assertThat(row.getInt("qos")).as(hookPoint).isEqualTo(1);
        }
        // pool1's functions on the same events: the message and the retained pointer, the ack's cursor is deleted by
        // the unsubscribe.
        await().atMost(WAIT).until(() -> msgid.equals(retained(topic)) && messages(topic).size() == 1);
        await().atMost(WAIT).until(() -> cursor(client, topic) == null);
    }

    @Test
    void aRedeliveredBatchIsStoredOncePerMsgid() {
        String topic = rig.raw() + "/redelivered/" + uid();
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> hexId()).toList();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < ids.size(); i++) {
                mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                        EmqxEvents.rulePublish(ids.get(i), "sender", topic, 1, false, "p" + i, Map.of()));
            }
        }
        await().atMost(WAIT).until(() -> messages(topic).size() >= 5);
        for (int i = 0; i < ids.size(); i++) {
            mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                    EmqxEvents.rulePublish(ids.get(i), "sender", topic, 1, false, "p" + i, Map.of()));
        }
        String marker = hexId();
        mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                EmqxEvents.rulePublish(marker, "sender", topic, 1, false, "marker", Map.of()));
        await().atMost(WAIT).until(() -> messages(topic).stream().anyMatch(r -> r.getString("msgid").equals(marker)));
        List<Row> stored = messages(topic);
        assertThat(stored).extracting(r -> r.getString("msgid")).containsExactlyElementsOf(
                List.of(ids.get(0), ids.get(1), ids.get(2), ids.get(3), ids.get(4), marker));
        assertThat(payloads(stored)).containsExactly("p0", "p1", "p2", "p3", "p4", "marker");
    }

    @Test
    void metricsAndReadinessReportTheCassandraPools() {
        String topic = rig.raw() + "/metrics/" + uid();
        mqtt.publish(topic, "x", 1, false);
        await().atMost(WAIT).until(() -> messages(topic).size() == 1);
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mqttbackends_actions_seconds_count{function=\"on_message_publish\","
                        + "outcome=\"success\",pool=\"cassa.pool1\"}"))
                .body(containsString("mqttbackends_pool_up{pool=\"cassa.pool1\"} 1.0"))
                .body(containsString("mqttbackends_pool_up{pool=\"cassa.pool2\"} 1.0")));
        given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"pool cassa.pool1\": \"up\""))
                .body(containsString("\"pool cassa.pool2\": \"up\""));
    }

    private List<Mqtt5Publish> replays(String client, String topic, int expected) {
        return rig.replays(mqtt, client, topic, expected, WAIT);
    }

    /** The topic's rows of {@code msg}, oldest first (the table clusters newest first). */
    private List<Row> messages(String topic) {
        List<Row> rows = new ArrayList<>(rig.rows("SELECT * FROM %s.msg WHERE topic = ?", topic));
        Collections.reverse(rows);
        return rows;
    }

    private String retained(String topic) {
        List<Row> rows = rig.rows("SELECT msgid FROM %s.retain WHERE topic = ?", topic);
        return rows.isEmpty() ? null : rows.get(0).getString("msgid");
    }

    private Row clientRow(String client) {
        List<Row> rows = rig.rows("SELECT * FROM %s.client WHERE clientid = ?", client);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private int state(String client) {
        Row row = clientRow(client);
        return row == null || row.isNull("state") ? -1 : row.getInt("state");
    }

    /** The msgid of the (clientid, topic) cursor in {@code acked}, null when there is none. */
    private String cursor(String client, String topic) {
        List<Row> rows = rig.rows("SELECT msgid FROM %s.acked WHERE clientid = ? AND topic = ?", client, topic);
        return rows.isEmpty() ? null : rows.get(0).getString("msgid");
    }

    /** The {@code hook_log} rows pool2's cql hook at {@code hookPoint} wrote with {@code column = value}. */
    private List<Row> logged(String hookPoint, String column, String value) {
        return rig.rows("SELECT * FROM %s.hook_log WHERE hookpoint = ? AND " + column + " = ? ALLOW FILTERING",
                hookPoint, value);
    }

    private static String msgid(List<Row> rows, int i) {
        return rows.get(i).getString("msgid");
    }

    /** A time-ordered 32-hex message id, as EMQX 5 mints them (its first 16 digits are microseconds). */
    private static String hexId() {
        long micros = LAST_MICROS.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis() * 1000));
        byte[] tail = new byte[8];
        new Random().nextBytes(tail);
        return String.format("%016X", micros) + HexFormat.of().withUpperCase().formatHex(tail);
    }

    private static byte[] bytes(Row row) {
        ByteBuffer buffer = row.getByteBuffer("payload");
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static List<String> payloads(List<Row> rows) {
        return rows.stream().map(r -> new String(bytes(r), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> publishPayloads(List<Mqtt5Publish> publishes) {
        return publishes.stream().map(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).toList();
    }

    private List<RecordingHttpServer.Request> calls(String path) {
        return rig.emqxApi().requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    private static List<Map<String, Object>> bulk(RecordingHttpServer.Request call) {
        try {
            List<Map<String, Object>> entries = new ArrayList<>();
            JSON.readTree(call.body()).forEach(n -> {
                Map<String, Object> m = new HashMap<>();
                m.put("topic", n.get("topic").asText());
                m.put("qos", n.get("qos").asInt());
                entries.add(m);
            });
            return entries;
        } catch (Exception e) {
            throw new AssertionError("not a JSON array: " + call.body(), e);
        }
    }
}
