package io.mqttbackends.runtime.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static io.mqttbackends.runtime.testing.TestMqtt.userProperty;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestSql;
import io.vertx.mutiny.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole runtime against real Mosquitto and a real SQL database, driven by EMQX's default hook lines of that
 * database: real MQTT publishes for {@code raw}, and the exact JSON EMQX 5 emits for {@code emqx-rule} and
 * {@code emqx-sys}. Each database's test extends this with {@link SqlE2eResource} for its database.
 */
public abstract class SqlEndToEndContract {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    TestSql pg;
    TestMqtt mqtt;
    String rulePrefix;
    String sysPrefix;
    String raw;

    E2eDatabase database;
    RecordingHttpServer emqxApi;
    @RuntimeClientId
    String runtimeClientId;

    @BeforeEach
    void connect() {
        pg = database.connect().awaitEmqxTables(WAIT);
        mqtt = new TestMqtt(database.rawPrefix() + "-publisher");
        rulePrefix = database.rulePrefix();
        sysPrefix = database.sysPrefix();
        raw = database.rawPrefix();
    }

    @AfterEach
    void disconnect() {
        mqtt.close();
        pg.close();
    }

    private static String uid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void rawPublishesStoreQos1RetainAndDeleteRetainedOnEmptyPayload() {
        String topic = raw + "/raw/" + uid();
        mqtt.publish(topic, "qos0", 0, false);
        mqtt.publish(topic, "qos1", 1, false);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 1);
        Row row = pg.rows("select qos, retain, payload, sender, msgid from mqtt_msg where topic = $1", topic).get(0);
        assertThat(row.getInteger("qos")).isEqualTo(1);
        assertThat(row.getInteger("retain")).isZero();
        assertThat(row.getBuffer("payload").toString()).isEqualTo("qos1");
        assertThat(row.getString("msgid")).matches("[0-9A-F]{32}");

        String state = topic + "/state";
        mqtt.publish(state, "online", 1, true);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_retain where topic = $1", state) == 1);
        assertThat(pg.rows("select payload from mqtt_retain where topic = $1", state).get(0).getBuffer("payload")
                .toString()).isEqualTo("online");
        assertThat(pg.count("select count(*) from mqtt_msg where topic = $1 and retain = 1", state)).isEqualTo(1);

        mqtt.publish(state, "", 1, true);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_retain where topic = $1", state) == 0);
        // The empty retained publish deletes, and is itself not stored as a message.
        assertThat(pg.count("select count(*) from mqtt_msg where topic = $1", state)).isEqualTo(1);
        // QoS 0 is never stored by on_message_publish, but the sql hook saw both publishes.
        await().atMost(WAIT).until(() -> pg.count("select count(*) from hook_log where hookpoint = 'message.publish'"
                + " and topic = $1", topic) == 2);
    }

    @Test
    void payloadsAndClientIdsFullOfQuotesAndSqlLandVerbatim() {
        String topic = raw + "/verbatim/" + uid();
        String nasty = "x'); DROP TABLE mqtt_msg; -- \\ \" $1 ${clientid} ü";
        byte[] binary = {(byte) 0xff, 0x00, (byte) 0xfe, 0x27, 0x5c};
        mqtt.publish(topic, nasty, 1, false);
        mqtt.publish(topic, binary, 1, false, Map.of());
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 2);
        List<Row> rows = pg.rows("select payload from mqtt_msg where topic = $1 order by id", topic);
        assertThat(rows.get(0).getBuffer("payload").toString(StandardCharsets.UTF_8)).isEqualTo(nasty);
        assertThat(rows.get(1).getBuffer("payload").getBytes()).isEqualTo(binary);

        String clientid = "c'\"); drop table mqtt_client; --" + uid();
        mqtt.publishJson(rulePrefix + "/client.connected", EmqxEvents.ruleConnected(clientid, "o'brien"));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_client where clientid = $1 and state = 1",
                clientid) == 1);
        // The sql hook is on another pool, which runs independently of pool1.
        await().atMost(WAIT).until(() -> pg.count("select count(*) from hook_log where hookpoint = 'client.connected'"
                + " and clientid = $1", clientid) == 1);
        assertThat(pg.rows("select username from hook_log where hookpoint = 'client.connected' and clientid = $1",
                clientid).get(0).getString("username")).isEqualTo("o'brien");
    }

    @Test
    void aOneMebibyteBinaryPublishIsStoredByteExact() {
        String topic = raw + "/big/" + uid();
        byte[] big = new byte[1024 * 1024];
        new Random(7).nextBytes(big);
        mqtt.publish(topic, big, 1, false, Map.of());
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 1);
        assertThat(pg.rows("select payload from mqtt_msg where topic = $1", topic).get(0).getBuffer("payload")
                .getBytes()).isEqualTo(big);
    }

    @Test
    void ruleEventsDriveEveryHookPointAndSubscribeLookupCallsEmqx() throws Exception {
        String client = "dev-" + uid();
        String topic = raw + "/rule/" + uid();
        pg.execute("insert into mqtt_sub (clientid, topic, qos) values ('" + client + "', 'cmd/" + client + "', 1),"
                + " ('" + client + "', 'cfg/" + client + "', 2)");

        mqtt.publishJson(rulePrefix + "/client.connected", EmqxEvents.ruleConnected(client, "u1"));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_client where clientid = $1 and state = 1"
                + " and node = $2 and online_at is not null and offline_at is null", client, EmqxEvents.NODE) == 1);
        await().atMost(WAIT).until(() -> subscribeCalls(client).size() == 1);
        RecordingHttpServer.Request call = subscribeCalls(client).get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.authorization()).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString((SqlE2eResource.API_KEY + ":" + SqlE2eResource.API_SECRET).getBytes()));
        JsonNode body = JSON.readTree(call.body());
        assertThat(body.findValuesAsText("topic")).containsExactlyInAnyOrder("cmd/" + client, "cfg/" + client);
        Map<String, Integer> qos = new HashMap<>();
        body.forEach(n -> qos.put(n.get("topic").asText(), n.get("qos").asInt()));
        assertThat(qos).containsEntry("cmd/" + client, 1).containsEntry("cfg/" + client, 2);

        mqtt.publishJson(rulePrefix + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1 and topic = $2"
                + " and mid = 0", client, topic) == 1);

        String msgid = "0006" + uid().toUpperCase() + "F1A2B3C4D5E6F708";
        mqtt.publishJson(rulePrefix + "/message.publish",
                EmqxEvents.rulePublish(msgid, "sender-1", topic, 1, false, "hello", Map.of()));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where msgid = $1 and topic = $2"
                + " and sender = 'sender-1'", msgid, topic) == 1);
        long rowId = pg.rows("select id from mqtt_msg where msgid = $1", msgid).get(0).getLong("id");

        mqtt.publishJson(rulePrefix + "/message.delivered",
                EmqxEvents.ruleDelivered(msgid, "sender-1", client, topic, 1, "hello", Map.of()));
        mqtt.publishJson(rulePrefix + "/message.acked",
                EmqxEvents.ruleAcked(msgid, "sender-1", client, topic, 1, "hello", Map.of()));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1 and topic = $2"
                + " and mid = $3", client, topic, rowId) == 1);

        mqtt.publishJson(rulePrefix + "/session.unsubscribed", EmqxEvents.ruleUnsubscribed(client, topic));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1", client) == 0);

        mqtt.publishJson(rulePrefix + "/client.disconnected", EmqxEvents.ruleDisconnected(client, "u1", "normal"));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_client where clientid = $1 and state = 0"
                + " and offline_at is not null", client) == 1);

        await().atMost(WAIT).until(() -> hookLog(client).size() == 6);
        Map<String, Row> log = hookLog(client).stream().collect(Collectors.toMap(r -> r.getString("hookpoint"), r -> r));
        assertThat(log.get("client.connected").getString("peerhost")).isEqualTo("192.168.1.20");
        assertThat(log.get("client.connected").getString("node")).isEqualTo(EmqxEvents.NODE);
        assertThat(log.get("client.connected").getValue("ts")).isNotNull();
        assertThat(log.get("session.subscribed").getString("topic")).isEqualTo(topic);
        assertThat(log.get("session.subscribed").getInteger("qos")).isEqualTo(1);
        assertThat(log.get("session.unsubscribed").getString("topic")).isEqualTo(topic);
        assertThat(log.get("message.delivered").getString("msgid")).isEqualTo(msgid);
        assertThat(log.get("message.acked").getString("msgid")).isEqualTo(msgid);
        assertThat(log).containsKey("client.disconnected");
        await().atMost(WAIT).until(() -> pg.count("select count(*) from hook_log where hookpoint = 'message.publish'"
                + " and msgid = $1", msgid) == 1);
        Row published = pg.rows("select * from hook_log where hookpoint = 'message.publish' and msgid = $1", msgid)
                .get(0);
        assertThat(published.getString("clientid")).isEqualTo("sender-1");
        assertThat(published.getString("payload")).isEqualTo("hello");
        assertThat(published.getInteger("retain")).isZero();
    }

    @Test
    void sysEventsDriveClientAndSubscriptionRows() {
        String client = "sys-" + uid();
        String topic = raw + "/sys/" + uid();
        String base = sysPrefix + "/brokers/emqx@node2/clients/" + client + "/";
        mqtt.publishJson(base + "connected", EmqxEvents.sysConnected(client));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_client where clientid = $1 and state = 1"
                + " and node = 'emqx@node2'", client) == 1);
        mqtt.publishJson(base + "subscribed", EmqxEvents.sysSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1 and topic = $2",
                client, topic) == 1);
        mqtt.publishJson(base + "unsubscribed", EmqxEvents.sysUnsubscribed(client, topic));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1", client) == 0);
        mqtt.publishJson(base + "disconnected", EmqxEvents.sysDisconnected(client, "keepalive_timeout"));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_client where clientid = $1 and state = 0",
                client) == 1);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from hook_log where hookpoint = 'client.connected'"
                + " and clientid = $1", client) == 1);
        assertThat(pg.rows("select peerhost from hook_log where hookpoint = 'client.connected' and clientid = $1",
                client).get(0).getString("peerhost")).isEqualTo("192.168.1.21");
    }

    @Test
    void offlineFetchReplaysExactlyTheMessagesAfterTheAckedCursorInOrder() {
        String client = "sub-" + uid();
        String topic = raw + "/dev/" + uid() + "/inbox";
        mqtt.publishJson(rulePrefix + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1 and mid = 0",
                client) == 1);
        for (int i = 1; i <= 5; i++) {
            mqtt.publish(topic, "m" + i, 1, false);
        }
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 5);
        List<Row> stored = pg.rows("select id, msgid from mqtt_msg where topic = $1 order by id", topic);

        // The client acked m1 and m2 while online.
        for (int i = 0; i < 2; i++) {
            String msgid = stored.get(i).getString("msgid");
            mqtt.publishJson(rulePrefix + "/message.acked",
                    EmqxEvents.ruleAcked(msgid, "", client, topic, 1, "m" + (i + 1), Map.of()));
        }
        long m2 = stored.get(1).getLong("id");
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1 and mid = $2",
                client, m2) == 1);

        try (TestMqtt device = new TestMqtt("e2e-device")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(rulePrefix + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            List<Mqtt5Publish> replayed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                replayed.add(device.receive(WAIT.toSeconds()).orElseThrow(() -> new AssertionError("no replay")));
            }
            assertThat(replayed).extracting(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .containsExactly("m3", "m4", "m5");
            assertThat(replayed).extracting(p -> userProperty(p, "mqttbackends-msgid"))
                    .containsExactly(stored.get(2).getString("msgid"), stored.get(3).getString("msgid"),
                            stored.get(4).getString("msgid"));
            assertThat(replayed).allSatisfy(p -> assertThat(userProperty(p, "mqttbackends-origin"))
                    .isEqualTo(runtimeClientId));
            assertThat(device.receive(1)).isEmpty();
        }

        // The replays came back through the raw ingress and were not stored again: a later marker is row 6.
        mqtt.publish(topic, "marker", 1, false);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where payload = $1"
                + " and topic = $2", "marker".getBytes(StandardCharsets.UTF_8), topic) == 1);
        assertThat(pg.count("select count(*) from mqtt_msg where topic = $1", topic)).isEqualTo(6);

        // The ack of the last replay (EMQX reports the replay's own id, with our user properties) moves the cursor.
        long m5 = stored.get(4).getLong("id");
        mqtt.publishJson(rulePrefix + "/message.acked", EmqxEvents.ruleAcked("00FFEE" + uid(), runtimeClientId,
                client, topic, 1, "m5", Map.of("mqttbackends-origin", runtimeClientId,
                        "mqttbackends-msgid", stored.get(4).getString("msgid"))));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1 and mid = $2",
                client, m5) == 1);
        // A late ack of an older message never moves the cursor back.
        mqtt.publishJson(rulePrefix + "/message.acked",
                EmqxEvents.ruleAcked(stored.get(0).getString("msgid"), "", client, topic, 1, "m1", Map.of()));
        mqtt.publishJson(rulePrefix + "/message.acked", EmqxEvents.ruleAcked("AB" + uid(), "", client, topic, 1,
                "probe", Map.of()));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from hook_log where hookpoint = 'message.acked'"
                + " and clientid = $1", client) == 5);
        assertThat(pg.count("select count(*) from mqtt_acked where clientid = $1 and mid = $2", client, m5))
                .isEqualTo(1);
    }

    @Test
    void retainLookupReplaysTheStoredRetainedMessageMarkedRetained() {
        String topic = raw + "/retained/" + uid();
        String client = "ret-" + uid();
        mqtt.publish(topic, "last-state", 1, true);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_retain where topic = $1", topic) == 1);
        try (TestMqtt device = new TestMqtt("e2e-retained-device")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(rulePrefix + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            Mqtt5Publish replay = device.receiveRetainedReplay(WAIT.toSeconds());
            assertThat(new String(replay.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("last-state");
            assertThat(userProperty(replay, "mqttbackends-retained")).isEqualTo("true");
            assertThat(replay.isRetain()).isFalse();
        } finally {
            mqtt.publish(topic, "", 1, true);
        }
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_retain where topic = $1", topic) == 0);
    }

    /**
     * Rows anyone able to write mqtt_sub could add to spy on all traffic or the broker's internals never reach EMQX;
     * the client's valid row still does.
     */
    @Test
    void aCatchAllOrSystemSubscriptionRowIsRefusedAndTheValidOneApplied() throws Exception {
        String client = "spy-" + uid();
        pg.execute("insert into mqtt_sub (clientid, topic, qos) values ('" + client + "', '#', 1),"
                + " ('" + client + "', '$SYS/#', 0), ('" + client + "', 'cmd/" + client + "', 1)");

        mqtt.publishJson(rulePrefix + "/client.connected", EmqxEvents.ruleConnected(client, "u1"));
        await().atMost(WAIT).until(() -> subscribeCalls(client).size() == 1);
        JsonNode body = JSON.readTree(subscribeCalls(client).get(0).body());
        assertThat(body.findValuesAsText("topic")).containsExactly("cmd/" + client);
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mqttbackends_subscriptions_refused_total{reason=\"matches-everything\"} 1.0"))
                .body(containsString("mqttbackends_subscriptions_refused_total{reason=\"system-topic\"} 1.0")));
    }

    @Test
    void malformedInputIsCountedAndSkippedAndTheStreamGoesOn() {
        String client = "after-garbage-" + uid();
        mqtt.publish(rulePrefix + "/garbage", "not json", 1, false);
        mqtt.publishJson(rulePrefix + "/client.connected", "{\"event\": \"client.connected\"}");
        mqtt.publishJson(rulePrefix + "/client.connected", EmqxEvents.ruleConnected(client, "u"));
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_client where clientid = $1", client)
                == 1);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mqttbackends_events_rejected_total{format=\"emqx-rule\",reason=\"not-json\"}"))
                .body(containsString("mqttbackends_events_rejected_total{format=\"emqx-rule\","
                        + "reason=\"missing-field\"}"));
    }

    @Test
    void metricsAndReadinessReportTheRunningPipeline() {
        String topic = raw + "/metrics/" + uid();
        mqtt.publish(topic, "x", 1, false);
        await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", topic) == 1);
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mqttbackends_events_total{format=\"raw\",hookpoint=\"message.publish\"}"))
                .body(containsString("mqttbackends_actions_seconds_count{function=\"on_message_publish\","
                        + "outcome=\"success\",pool=\"" + pool1() + "\"}"))
                .body(containsString("mqttbackends_config_loads_total{outcome=\"success\"} 1.0"))
                .body(containsString("mqttbackends_pool_up{pool=\"" + pool1() + "\"} 1.0")));
        given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"pool " + pool1() + "\": \"up\""))
                .body(containsString("\"mqtt\": \"connected\""));
    }

    private String pool1() {
        return database.kind().poolPrefix() + ".pool1";
    }

    private List<RecordingHttpServer.Request> subscribeCalls(String client) {
        return emqxApi.requests().stream()
                .filter(r -> r.path().equals("/api/v5/clients/" + client + "/subscribe/bulk")).toList();
    }

    private List<Row> hookLog(String client) {
        return pg.rows("select * from hook_log where clientid = $1 order by id", client);
    }

}
