package io.mqttbackends.runtime.e2e;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Sorts.ascending;
import static io.mqttbackends.runtime.testing.TestMqtt.userProperty;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole runtime against real Mosquitto and MongoDB (the run's, see {@code MongoTestServer}), driven by the hook
 * lines of EMQX's default {@code emqx_backend_mongo.conf} on {@code pool1} and a {@code mongo_json} variant on
 * {@code pool2} ({@link MongoE2eResource}): real MQTT publishes for {@code raw}, and the exact JSON EMQX 5 emits for
 * {@code emqx-rule} events. Assertions read the documents with the plain sync driver; the layout is the one EMQX's
 * mongo plug-in wrote (mqtt_client, mqtt_sub, mqtt_msg with integer {@code _id}, mqtt_retain, mqtt_acked).
 */
@QuarkusTest
@QuarkusTestResource(value = MongoE2eResource.class, restrictToAnnotatedClass = true)
class MongoEndToEndIT {
    /** Generous: the first event after start can wait long on a loaded 2-core machine. */
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    MongoE2eRig rig;

    TestMqtt mqtt;
    MongoDatabase db;

    @BeforeEach
    void connect() {
        mqtt = rig.mqtt("mongo-e2e-publisher");
        db = rig.main();
    }

    @AfterEach
    void disconnect() {
        mqtt.close();
    }

    private static String uid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void connectWritesTheClientDocumentSubscribeLookupSubscribesThroughEmqxAndDisconnectMarksItOffline() {
        String client = "mongo-dev-" + uid();
        db.getCollection("mqtt_sub").insertMany(List.of(
                new Document("clientid", client).append("topic", "cmd/" + client).append("qos", 1),
                // Applications write numbers as doubles too (the mongo shell does): truncated to an int.
                new Document("clientid", client).append("topic", "cfg/" + client).append("qos", 2.0),
                new Document("clientid", client).append("topic", "bad/" + client).append("qos", 7),
                new Document("clientid", "other-" + client).append("topic", "x/" + client).append("qos", 1)));
        long before = System.currentTimeMillis();

        mqtt.publishJson(rig.rulePrefix() + "/client.connected", EmqxEvents.ruleConnected(client, "u1"));
        await().atMost(WAIT).until(() -> state(client) == 1);
        Document online = clientDoc(client);
        assertThat(online.get("node")).isEqualTo(EmqxEvents.NODE);
        assertThat(online.get("online_at")).isInstanceOf(Long.class);
        assertThat(online.getLong("online_at")).isBetween(before - 1000, System.currentTimeMillis() + 1000);
        assertThat(online).containsKey("offline_at");
        assertThat(online.get("offline_at")).isNull();

        await().atMost(WAIT).until(() -> calls("/api/v5/clients/" + client + "/subscribe/bulk").size() == 1);
        List<Map<String, Object>> subscribed = bulk(calls("/api/v5/clients/" + client + "/subscribe/bulk").get(0));
        assertThat(subscribed).containsExactlyInAnyOrder(Map.of("topic", "cmd/" + client, "qos", 1),
                Map.of("topic", "cfg/" + client, "qos", 2));

        mqtt.publishJson(rig.rulePrefix() + "/client.disconnected", EmqxEvents.ruleDisconnected(client, "u1",
                "normal"));
        await().atMost(WAIT).until(() -> state(client) == 0);
        Document offline = clientDoc(client);
        assertThat(offline.get("offline_at")).isInstanceOf(Long.class);
        assertThat(offline.getLong("offline_at")).isGreaterThanOrEqualTo(offline.getLong("online_at"));
        assertThat(db.getCollection("mqtt_client").countDocuments(eq("clientid", client))).isEqualTo(1);
    }

    @Test
    void offlineFetchReplaysWhatFollowsTheAckedCursorTheReplaysAreNotStoredAgainAndTheirAckMovesTheCursor() {
        String client = "mongo-sub-" + uid();
        String topic = rig.raw() + "/dev/" + uid() + "/inbox";
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> cursor(client, topic) != null);
        assertThat(cursor(client, topic)).as("the first fetch places the cursor at the topic's newest, none")
                .isEqualTo(0L);

        for (int i = 1; i <= 5; i++) {
            mqtt.publish(topic, "m" + i, 1, false);
        }
        await().atMost(WAIT).until(() -> messages(topic).size() == 5);
        List<Document> stored = messages(topic);
        Document first = stored.get(0);
        assertThat(first.get("_id")).isInstanceOf(Long.class);
        assertThat(stored).extracting(d -> d.get("_id")).doesNotHaveDuplicates();
        assertThat(first.get("topic")).isEqualTo(topic);
        assertThat(first.getString("msgid")).matches("[0-9A-F]{32}");
        assertThat(first.get("qos")).isEqualTo(1);
        assertThat(first.get("retain")).isEqualTo(0);
        assertThat(first.get("payload")).isEqualTo("m1");
        assertThat(first).containsKey("sender");
        assertThat(first.get("arrived")).isInstanceOf(Long.class);
        assertThat(first.getLong("arrived")).as("epoch seconds")
                .isBetween(System.currentTimeMillis() / 1000 - 120, System.currentTimeMillis() / 1000 + 5);

        // The client acked m1 and m2 while online.
        for (int i = 0; i < 2; i++) {
            mqtt.publishJson(rig.rulePrefix() + "/message.acked", EmqxEvents.ruleAcked(stored.get(i).getString("msgid"),
                    "", client, topic, 1, "m" + (i + 1), Map.of()));
        }
        await().atMost(WAIT).until(() -> id(stored.get(1)).equals(cursor(client, topic)));

        List<Mqtt5Publish> replayed = replays(client, topic, 3);
        assertThat(payloads(replayed)).containsExactly("m3", "m4", "m5");
        assertThat(replayed).extracting(p -> p.getQos().getCode()).containsOnly(1);
        assertThat(replayed).extracting(p -> userProperty(p, "mqttbackends-msgid")).containsExactly(
                stored.get(2).getString("msgid"), stored.get(3).getString("msgid"), stored.get(4).getString("msgid"));

        // The replays came back through the raw ingress and were not stored again: a later marker is the sixth.
        mqtt.publish(topic, "marker", 1, false);
        await().atMost(WAIT).until(() -> messages(topic).stream().anyMatch(d -> "marker".equals(d.get("payload"))));
        assertThat(payloads(messages(topic))).containsExactly("m1", "m2", "m3", "m4", "m5", "marker");

        // The ack of the last replay (EMQX reports the replay's own id, with our user properties) moves the cursor.
        mqtt.publishJson(rig.rulePrefix() + "/message.acked", EmqxEvents.ruleAcked("00FFEE" + uid(),
                rig.runtimeClientId(), client, topic, 1, "m5", Map.of("mqttbackends-origin", rig.runtimeClientId(),
                        "mqttbackends-msgid", stored.get(4).getString("msgid"))));
        await().atMost(WAIT).until(() -> id(stored.get(4)).equals(cursor(client, topic)));

        // A late ack of an older message never moves it back, an ack of nothing stored does nothing; a second
        // client's ack, sent last on the same pool, tells when those two were handled.
        String witness = "mongo-witness-" + uid();
        mqtt.publishJson(rig.rulePrefix() + "/message.acked",
                EmqxEvents.ruleAcked(stored.get(0).getString("msgid"), "", client, topic, 1, "m1", Map.of()));
        mqtt.publishJson(rig.rulePrefix() + "/message.acked", EmqxEvents.ruleAcked("AB" + uid(), "", client, topic, 1,
                "probe", Map.of()));
        mqtt.publishJson(rig.rulePrefix() + "/message.acked",
                EmqxEvents.ruleAcked(stored.get(2).getString("msgid"), "", witness, topic, 1, "m3", Map.of()));
        await().atMost(WAIT).until(() -> id(stored.get(2)).equals(cursor(witness, topic)));
        assertThat(cursor(client, topic)).isEqualTo(id(stored.get(4)));
        assertThat(db.getCollection("mqtt_acked").countDocuments(eq("clientid", client))).isEqualTo(1);

        mqtt.publishJson(rig.rulePrefix() + "/session.unsubscribed", EmqxEvents.ruleUnsubscribed(client, topic));
        await().atMost(WAIT).until(() -> cursor(client, topic) == null);
        assertThat(cursor(witness, topic)).isEqualTo(id(stored.get(2)));
    }

    @Test
    void documentsEmqxWroteAreReplayedFromItsCursorAndNewMessagesAreNumberedAfterThem() {
        String topic = rig.emqxTopic();
        String client = MongoE2eRig.EMQX_CLIENT;
        List<Document> emqx = messages(topic);
        assertThat(emqx).extracting(d -> d.get("_id")).as("written before the runtime started").containsExactly(1, 2, 3);

        List<Mqtt5Publish> replayed = replays(client, topic, 1);
        assertThat(payloads(replayed)).containsExactly("e3");
        assertThat(userProperty(replayed.get(0), "mqttbackends-msgid")).isEqualTo(emqx.get(2).get("msgid"));

        mqtt.publish(topic, "after-emqx", 1, false);
        await().atMost(WAIT).until(() -> messages(topic).size() == 4);
        Document next = messages(topic).get(3);
        assertThat(next.get("payload")).isEqualTo("after-emqx");
        assertThat(id(next)).as("the counter was seeded past EMQX's _ids").isGreaterThan(3L);
        assertThat(payloads(messages(topic).subList(0, 3))).containsExactly("e1", "e2", "e3");

        // The device acks the replay of e3: EMQX's int32 cursor moves to 3, then a fetch brings only the new one.
        mqtt.publishJson(rig.rulePrefix() + "/message.acked", EmqxEvents.ruleAcked("00AB" + uid(),
                rig.runtimeClientId(), client, topic, 1, "e3", Map.of("mqttbackends-origin", rig.runtimeClientId(),
                        "mqttbackends-msgid", String.valueOf(emqx.get(2).get("msgid")))));
        await().atMost(WAIT).until(() -> Long.valueOf(3).equals(cursor(client, topic)));
        assertThat(payloads(replays(client, topic, 1))).containsExactly("after-emqx");
    }

    @Test
    void fetchWithEmqxDefaultOfflineOptsReplaysOnlyTheNewest500AndNothingOlderThanTwoHoursOldestFirst() {
        String client = "mongo-lim-" + uid();
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
        // Two messages that arrived three hours ago, beyond time_range 2h, and newer by _id than "fresh": their
        // _ids come from the counter the backend takes its _ids from, as another writer's would.
        long seq = reserveIds(2);
        long threeHoursAgo = System.currentTimeMillis() / 1000 - 3 * 3600;
        db.getCollection("mqtt_msg").insertMany(List.of(
                oldMessage(seq - 1, old, "o1", threeHoursAgo), oldMessage(seq, old, "o2", threeHoursAgo)));

        assertThat(payloads(replays(client, limited, 500))).as("max_returned_count 500, oldest first")
                .containsExactlyElementsOf(IntStream.rangeClosed(4, 503).mapToObj(i -> "m" + i).toList());
        assertThat(payloads(replays(client, old, 1))).containsExactly("fresh");
        mqtt.publish(limited, "marker", 1, false);
        await().atMost(WAIT).until(() -> messages(limited).size() >= 504);
        assertThat(messages(limited)).as("none of the 500 replays stored again").hasSize(504);
    }

    @Test
    void retainedMessagesAreKeptReplayedMarkedRetainedAndDeletedByAnEmptyRetainedPublish() {
        String topic = rig.raw() + "/retained/" + uid();
        String client = "mongo-ret-" + uid();
        mqtt.publish(topic, "last-state", 1, true);
        await().atMost(WAIT).until(() -> retained(db, topic) != null);
        Document kept = retained(db, topic);
        assertThat(kept.get("payload")).isEqualTo("last-state");
        assertThat(kept.get("qos")).isEqualTo(1);
        assertThat(kept.getString("msgid")).matches("[0-9A-F]{32}");
        await().atMost(WAIT).until(() -> messages(topic).size() == 1);
        assertThat(messages(topic).get(0).get("retain")).isEqualTo(1);
        assertThat(messages(topic).get(0).get("msgid")).isEqualTo(kept.get("msgid"));

        mqtt.publish(topic, "newer-state", 0, true);
        await().atMost(WAIT).until(() -> "newer-state".equals(retained(db, topic).get("payload")));
        assertThat(db.getCollection("mqtt_retain").countDocuments(eq("topic", topic))).as("upserted on topic")
                .isEqualTo(1);
        assertThat(messages(topic)).as("on_message_publish stores QoS > 0 only").hasSize(1);

        try (TestMqtt device = rig.mqtt("mongo-e2e-retained-device")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            Mqtt5Publish replay = device.receiveRetainedReplay(WAIT.toSeconds());
            assertThat(new String(replay.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("newer-state");
            assertThat(userProperty(replay, "mqttbackends-retained")).isEqualTo("true");
        } finally {
            mqtt.publish(topic, "", 1, true);
        }
        await().atMost(WAIT).until(() -> retained(db, topic) == null);
        assertThat(messages(topic)).as("the empty retained publish deletes and is not stored").hasSize(1);
    }

    @Test
    void binaryPayloadsAreStoredAsBsonBinaryAndReplayedByteExact() {
        String client = "mongo-bin-" + uid();
        String topic = rig.raw() + "/binary/" + uid();
        byte[] notUtf8 = {(byte) 0xff, 0x00, (byte) 0xfe, 0x27, 0x5c, (byte) 0xc3, 0x28, 0x22, 0x24};
        byte[] zeros = new byte[16];
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> cursor(client, topic) != null);

        mqtt.publish(topic, notUtf8, 1, false, Map.of());
        mqtt.publish(topic, zeros, 1, false, Map.of());
        await().atMost(WAIT).until(() -> messages(topic).size() == 2);
        List<Document> stored = messages(topic);
        assertThat(stored.get(0).get("payload")).isInstanceOf(Binary.class);
        assertThat(((Binary) stored.get(0).get("payload")).getType()).isEqualTo((byte) 0);
        assertThat(bytes(stored.get(0).get("payload"))).isEqualTo(notUtf8);
        // Sixteen NULs are valid UTF-8: a string, still byte-exact.
        assertThat(stored.get(1).get("payload")).isInstanceOf(String.class);
        assertThat(bytes(stored.get(1).get("payload"))).isEqualTo(zeros);

        List<Mqtt5Publish> replayed = replays(client, topic, 2);
        assertThat(replayed.get(0).getPayloadAsBytes()).isEqualTo(notUtf8);
        assertThat(replayed.get(1).getPayloadAsBytes()).isEqualTo(zeros);
    }

    @Test
    void quotesWhereOperatorsAndJsonInjectionTextLandVerbatim() {
        String topic = rig.raw() + "/verbatim/" + uid() + "/\"q'uo{te}\".$where";
        String nasty = "{\"$where\": \"sleep(5000) || true\"}'}); db.mqtt_msg.drop(); // \\\" \\ ${clientid} $1 ü";
        mqtt.publish(topic, nasty, 1, false);
        String msgid = "0006" + uid().toUpperCase() + "F1A2B3C4D5E6F708";
        String sender = "o'brien\"}, {\"$gt\": \"\"}";
        String eventPayload = "{\"$set\": {\"state\": 0}, \"$unset\": \"payload\"}";
        mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                EmqxEvents.rulePublish(msgid, sender, topic, 1, false, eventPayload, Map.of()));
        await().atMost(WAIT).until(() -> messages(topic).size() == 2);
        assertThat(messages(topic)).extracting(d -> d.get("payload")).containsExactlyInAnyOrder(nasty, eventPayload);
        Document fromEvent = db.getCollection("mqtt_msg").find(eq("msgid", msgid)).first();
        assertThat(fromEvent).isNotNull();
        assertThat(fromEvent.get("sender")).isEqualTo(sender);
        assertThat(fromEvent.get("topic")).isEqualTo(topic);

        // A client id that would match every client, were it ever read as a query rather than a value.
        String victim = "mongo-victim-" + uid();
        db.getCollection("mqtt_client").insertOne(new Document("clientid", victim).append("state", 1));
        String injecting = "{\"$ne\": \"" + uid() + "\"}";
        mqtt.publishJson(rig.rulePrefix() + "/client.connected", EmqxEvents.ruleConnected(injecting, "u'\""));
        mqtt.publishJson(rig.rulePrefix() + "/client.disconnected", EmqxEvents.ruleDisconnected(injecting, "u'\"",
                "normal"));
        await().atMost(WAIT).until(() -> clientDoc(injecting) != null && state(injecting) == 0);
        assertThat(state(victim)).isEqualTo(1);
        assertThat(db.getCollection("mqtt_client").countDocuments(eq("clientid", injecting))).isEqualTo(1);
        assertThat(db.getCollection("mqtt_msg").countDocuments(eq("topic", topic))).isEqualTo(2);
    }

    @Test
    void mongoJsonStoresAJsonObjectAsAnEmbeddedDocumentAndReplaysItAsCompactJsonInItsKeyOrder() throws Exception {
        String client = "mongo-json-" + uid();
        String topic = rig.jsonTopics() + "/" + uid() + "/nested";
        String sent = "{ \"cmd\" : \"reboot\",\n  \"args\": {\"delay\": 5, \"tags\": [\"a\", \"b\", {\"k\": true}],"
                + " \"deep\": {\"x\": null, \"f\": 1.5, \"s\": \"ü \\\" '\"}}, \"at\": -3 }";
        String compact = "{\"cmd\":\"reboot\",\"args\":{\"delay\":5,\"tags\":[\"a\",\"b\",{\"k\":true}],"
                + "\"deep\":{\"x\":null,\"f\":1.5,\"s\":\"ü \\\" '\"}},\"at\":-3}";
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> cursor(client, topic) != null && cursor(rig.json(), client, topic) != null);

        mqtt.publish(topic, sent, 1, false);
        await().atMost(WAIT).until(() -> messages(rig.json(), topic).size() == 1 && messages(topic).size() == 1);
        Document stored = messages(rig.json(), topic).get(0);
        assertThat(stored.get("payload")).as("an embedded document").isInstanceOf(Document.class);
        Document payload = stored.get("payload", Document.class);
        assertThat(payload.keySet()).containsExactly("cmd", "args", "at");
        assertThat(payload.get("args", Document.class).get("deep", Document.class).keySet())
                .containsExactly("x", "f", "s");
        assertThat(payload.get("args", Document.class).get("deep", Document.class).containsKey("x")).isTrue();
        assertThat(JSON.writeValueAsString(JSON.readTree(payload.toJson()))).isEqualTo(compact);
        assertThat(stored.get("msgid")).isEqualTo(messages(topic).get(0).get("msgid"));
        assertThat(messages(topic).get(0).get("payload")).as("pool1 is plain_text: the text as sent").isEqualTo(sent);

        // Both pools fetch: pool1 replays its text byte-exact, pool2 re-serialises its document.
        assertThat(payloads(replays(client, topic, 2))).containsExactlyInAnyOrder(sent, compact);
        // on_message_store stores every QoS, yet not the replays that came back through the raw ingress.
        mqtt.publish(topic, "{\"marker\": 1}", 1, false);
        await().atMost(WAIT).until(() -> messages(rig.json(), topic).size() >= 2 && messages(topic).size() >= 2);
        assertThat(messages(rig.json(), topic)).extracting(d -> d.get("payload"))
                .containsExactly(payload, new Document("marker", 1));
        assertThat(payloads(messages(topic))).containsExactly(sent, "{\"marker\": 1}");

        // A retained JSON object is kept as a document too, and QoS 0 is stored by on_message_store.
        String state = topic + "/state";
        mqtt.publish(state, "{\"on\": true}", 0, true);
        await().atMost(WAIT).until(() -> retained(rig.json(), state) != null && messages(rig.json(), state).size() == 1);
        assertThat(retained(rig.json(), state).get("payload")).isEqualTo(new Document("on", true));
        assertThat(messages(rig.json(), state).get(0).get("payload")).isEqualTo(new Document("on", true));
        assertThat(retained(db, state).get("payload")).isEqualTo("{\"on\": true}");
        mqtt.publish(state, "", 1, true);
        await().atMost(WAIT).until(() -> retained(db, state) == null);
    }

    @Test
    void mongoJsonKeepsTheTextOfWhatIsNotAPlainJsonObjectSuchAsASetKey() {
        String topic = rig.jsonTopics() + "/" + uid() + "/refused";
        List<String> texts = List.of(
                "{\"$set\": {\"state\": 1}}",
                "{\"ok\": {\"deeper\": [{\"$inc\": {\"n\": 1}}]}}",
                "{\"a.b\": 1}",
                "{\"nul\\u0000key\": 1}",
                "{\"$where\": \"sleep(1000)\"}",
                "[{\"a\": 1}]",
                "42",
                "{\"broken\": ",
                "plain words");
        for (String text : texts) {
            mqtt.publish(topic, text, 1, false);
        }
        byte[] binary = {(byte) 0x80, '{', '}'};
        mqtt.publish(topic, binary, 1, false, Map.of());
        await().atMost(WAIT).until(() -> messages(rig.json(), topic).size() == texts.size() + 1);
        List<Object> payloads = messages(rig.json(), topic).stream().map(d -> d.get("payload")).toList();
        assertThat(payloads.subList(0, texts.size())).containsExactlyElementsOf(texts);
        assertThat(bytes(payloads.get(texts.size()))).isEqualTo(binary);
        assertThat(rig.json().getCollection("mqtt_msg").countDocuments(eq("state", 1))).isZero();
    }

    @Test
    void oneMebibytePayloadsAreStoredAndReplayedByteExactAndAsADocument() {
        String client = "mongo-big-" + uid();
        String topic = rig.raw() + "/big/" + uid();
        String jsonTopic = rig.jsonTopics() + "/big/" + uid();
        mqtt.publishJson(rig.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
        await().atMost(WAIT).until(() -> cursor(client, topic) != null);
        byte[] big = new byte[1024 * 1024];
        new Random(7).nextBytes(big);
        String bigJson = "{\"blob\": \"" + "x".repeat(1024 * 1024 - 12) + "\"}";
        mqtt.publish(topic, big, 1, false, Map.of());
        mqtt.publish(jsonTopic, bigJson, 1, false);

        await().atMost(WAIT).until(() -> messages(topic).size() == 1);
        assertThat(bytes(messages(topic).get(0).get("payload"))).isEqualTo(big);
        assertThat(replays(client, topic, 1).get(0).getPayloadAsBytes()).isEqualTo(big);
        await().atMost(WAIT).until(() -> messages(rig.json(), jsonTopic).size() == 1);
        assertThat(messages(rig.json(), jsonTopic).get(0).get("payload"))
                .isEqualTo(new Document("blob", "x".repeat(1024 * 1024 - 12)));
        assertThat(messages(jsonTopic).get(0).get("payload")).isEqualTo(bigJson);
    }

    @Test
    void aRedeliveredBatchIsStoredOncePerMsgid() {
        String topic = rig.raw() + "/redelivered/" + uid();
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> "0006" + uid().toUpperCase() + "00000000000" + i
                + "ABCDEF01").toList();
        // Back to back, as a broker redelivers unacked messages after a reconnect: duplicates inside one batch...
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < ids.size(); i++) {
                mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                        EmqxEvents.rulePublish(ids.get(i), "sender", topic, 1, false, "p" + i, Map.of()));
            }
        }
        await().atMost(WAIT).until(() -> messages(topic).size() >= 5);
        // ...and again once the first copies are surely stored.
        for (int i = 0; i < ids.size(); i++) {
            mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                    EmqxEvents.rulePublish(ids.get(i), "sender", topic, 1, false, "p" + i, Map.of()));
        }
        String marker = "0006" + uid().toUpperCase() + "FFFFFFFFFFFFFFFF";
        mqtt.publishJson(rig.rulePrefix() + "/message.publish",
                EmqxEvents.rulePublish(marker, "sender", topic, 1, false, "marker", Map.of()));
        await().atMost(WAIT).until(() -> db.getCollection("mqtt_msg").countDocuments(eq("msgid", marker)) == 1);
        List<Document> stored = messages(topic);
        assertThat(stored).extracting(d -> d.get("msgid")).containsExactlyInAnyOrder(ids.get(0), ids.get(1),
                ids.get(2), ids.get(3), ids.get(4), marker);
        assertThat(stored).extracting(d -> d.get("payload")).contains("p0", "p4", "marker");
    }

    @Test
    void metricsAndReadinessReportTheMongoPools() {
        String topic = rig.raw() + "/metrics/" + uid();
        mqtt.publish(topic, "x", 1, false);
        await().atMost(WAIT).until(() -> messages(topic).size() == 1);
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mqttbackends_actions_seconds_count{function=\"on_message_publish\","
                        + "outcome=\"success\",pool=\"mongo.pool1\"}"))
                .body(containsString("mqttbackends_pool_up{pool=\"mongo.pool1\"} 1.0"))
                .body(containsString("mqttbackends_pool_up{pool=\"mongo.pool2\"} 1.0")));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("\"pool mongo.pool1\": \"up\""))
                .body(containsString("\"pool mongo.pool2\": \"up\""));
    }

    private List<Mqtt5Publish> replays(String client, String topic, int expected) {
        return rig.replays(mqtt, client, topic, expected, WAIT);
    }

    private List<Document> messages(String topic) {
        return messages(db, topic);
    }

    private static List<Document> messages(MongoDatabase database, String topic) {
        return database.getCollection("mqtt_msg").find(eq("topic", topic)).sort(ascending("_id"))
                .into(new ArrayList<>());
    }

    private static Document retained(MongoDatabase database, String topic) {
        return database.getCollection("mqtt_retain").find(eq("topic", topic)).first();
    }

    private Document clientDoc(String client) {
        return db.getCollection("mqtt_client").find(eq("clientid", client)).first();
    }

    private int state(String client) {
        Document doc = clientDoc(client);
        return doc == null || doc.get("state") == null ? -1 : ((Number) doc.get("state")).intValue();
    }

    /** The {@code mongo_id} of the (clientid, topic) cursor in pool1's database, null when there is none. */
    private Long cursor(String client, String topic) {
        return cursor(db, client, topic);
    }

    private static Long cursor(MongoDatabase database, String client, String topic) {
        Document doc = database.getCollection("mqtt_acked").find(and(eq("clientid", client), eq("topic", topic)))
                .first();
        return doc == null ? null : ((Number) doc.get("mongo_id")).longValue();
    }

    private static Long id(Document message) {
        return ((Number) message.get("_id")).longValue();
    }

    /** Takes {@code n} ids from the counter document the backend numbers {@code mqtt_msg} from; the last one. */
    private long reserveIds(int n) {
        MongoCollection<Document> seq = db.getCollection("mqtt_seq");
        Document after = seq.findOneAndUpdate(eq("_id", "mqtt_msg"), Updates.inc("seq", (long) n),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        assertThat(after).as("the counter mqtt_seq {_id: \"mqtt_msg\"} of the contract").isNotNull();
        return ((Number) after.get("seq")).longValue();
    }

    private static Document oldMessage(long id, String topic, String payload, long arrived) {
        return new Document("_id", id).append("topic", topic).append("msgid", "OLD" + id + "X" + uid())
                .append("sender", "s").append("qos", 1).append("retain", 0).append("payload", payload)
                .append("arrived", arrived);
    }

    private static byte[] bytes(Object payload) {
        if (payload instanceof Binary b) {
            return b.getData();
        }
        if (payload instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        throw new AssertionError("a payload is a string or binary, not " + payload);
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

    private static List<String> payloads(List<?> publishesOrDocuments) {
        return publishesOrDocuments.stream().map(p -> p instanceof Mqtt5Publish m
                ? new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)
                : String.valueOf(((Document) p).get("payload"))).toList();
    }
}
