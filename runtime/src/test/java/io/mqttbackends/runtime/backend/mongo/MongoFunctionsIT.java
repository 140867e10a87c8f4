package io.mqttbackends.runtime.backend.mongo;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Updates;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PayloadFormat;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.testing.MongoTestDatabase;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestPools;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * What the MongoDB backend's functions write and read, asserted on the documents of EMQX 4.4's collections
 * ({@code /work/mongo-contract.md}): their shape, the integer message ids, redelivery, the cursor, both payload
 * formats, text that looks like query operators, large payloads, the subscription lookup's qos values, the offline
 * options and the shipped indexes.
 */
class MongoFunctionsIT extends MongoTestSupport {
    private static final String TOPIC = "devices/d1/state";
    private static final String OTHER_TOPIC = "devices/d2/state";
    /** A fixed instant (2023-11-14T22:13:20.123Z) so that exact values can be asserted. */
    private static final long T = 1_700_000_000_123L;

    // ------------------------------------------------------------------------------------------------ catalogue

    @Test
    void functionsAreTheElevenOfEmqxBackendMongo() {
        assertThat(backend.kind()).isEqualTo(DatabaseKind.MONGO);
        assertThat(backend.functions()).containsExactlyInAnyOrder("on_client_connected", "on_subscribe_lookup",
                "on_client_disconnected", "on_message_fetch", "on_retain_lookup", "on_acked_delete",
                "on_message_publish", "on_message_store", "on_message_retain", "on_retain_delete",
                "on_message_acked");
    }

    @Test
    void aHookWithStatementsOrAnUnknownFunctionIsAConfigErrorAtTheHookLine() {
        for (ActionSpec action : List.of(
                new ActionSpec.Statements(ActionSpec.Language.SQL, List.of("insert into t values (1)"), false),
                new ActionSpec.Statements(ActionSpec.Language.COMMANDS, List.of("HSET k f v"), false),
                new ActionSpec.Function("on_message_fetch_for_queue"))) {
            HookConfig hook = new HookConfig(DatabaseKind.MONGO, HookPoint.MESSAGE_PUBLISH, "1", Optional.of("#"),
                    action, "pool1", OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(), LOCATION);
            assertThatThrownBy(() -> pool.prepare(hook)).as("%s", action)
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location()).isEqualTo(LOCATION));
        }
    }

    // ------------------------------------------------------------------------------------------------ shapes

    @Test
    void clientDocumentsHaveEmqxShape() {
        connect("c1", T);
        Document online = probes.client("c1").orElseThrow();
        assertThat(online.keySet()).containsExactlyInAnyOrder("_id", "clientid", "state", "node", "online_at",
                "offline_at");
        assertThat(online.get("state")).as("state").isEqualTo(1);
        assertThat(online.get("node")).isEqualTo(NODE);
        assertThat(online.get("online_at")).as("online_at, epoch ms").isEqualTo(T);
        assertThat(online.get("offline_at")).as("offline_at while online").isNull();

        disconnect("c1", T + 5000);
        Document offline = probes.client("c1").orElseThrow();
        assertThat(offline.get("state")).isEqualTo(0);
        assertThat(offline.get("offline_at")).as("offline_at, epoch ms").isEqualTo(T + 5000);
        assertThat(offline.get("online_at")).as("online_at kept").isEqualTo(T);

        connect("c1", T + 9000);
        Document again = probes.client("c1").orElseThrow();
        assertThat(again.get("state")).isEqualTo(1);
        assertThat(again.get("online_at")).isEqualTo(T + 9000);
        assertThat(again.get("offline_at")).as("offline_at cleared on reconnect").isNull();
        assertThat(again.containsKey("offline_at")).as("offline_at present as null").isTrue();
        assertThat(probes.collection("mqtt_client").countDocuments()).as("one document per client").isEqualTo(1);
    }

    @Test
    void messageDocumentsHaveEmqxShapeAndIntegerIdsInStoreOrderAcrossTopics() {
        Message m1 = message("m1", TOPIC, "one", T);
        Message m2 = new Message("m2", "pub2", OTHER_TOPIC, 2, true, bytes("two"), T + 1000, Map.of());
        Message m3 = message("m3", TOPIC, "three", T + 2000);
        store(m1);
        store(m2);
        store(m3);

        List<Document> all = probes.collection("mqtt_msg").find().sort(new Document("_id", 1))
                .into(new ArrayList<>());
        assertThat(all).extracting(d -> d.get("_id")).as("_id, int64 1, 2, 3").containsExactly(1L, 2L, 3L);
        assertThat(all).extracting(d -> d.getString("msgid")).containsExactly("m1", "m2", "m3");
        Document second = all.get(1);
        assertThat(second.keySet()).containsExactlyInAnyOrder("_id", "topic", "msgid", "sender", "qos", "retain",
                "payload", "arrived");
        assertThat(second.get("topic")).isEqualTo(OTHER_TOPIC);
        assertThat(second.get("sender")).isEqualTo("pub2");
        assertThat(second.get("qos")).as("qos, int32").isEqualTo(2);
        assertThat(second.get("retain")).as("retain, int32").isEqualTo(1);
        assertThat(second.get("payload")).isEqualTo("two");
        assertThat(second.get("arrived")).as("arrived, int64 epoch seconds").isEqualTo((T + 1000) / 1000);
        assertThat(all.get(0).get("retain")).isEqualTo(0);
        assertThat(all.get(0).get("qos")).isEqualTo(1);

        retain(m2, PayloadFormat.PLAIN_TEXT);
        Document retained = probes.retained(OTHER_TOPIC).orElseThrow();
        assertThat(retained.keySet()).contains("topic", "msgid", "sender", "qos", "payload", "arrived")
                .isSubsetOf("_id", "topic", "msgid", "sender", "qos", "payload", "arrived");
        assertThat(retained.get("msgid")).isEqualTo("m2");
        assertThat(retained.get("sender")).isEqualTo("pub2");
        assertThat(retained.get("qos")).isEqualTo(2);
        assertThat(retained.get("payload")).isEqualTo("two");
        assertThat(retained.get("arrived")).isEqualTo((T + 1000) / 1000);

        ack("sub", m3);
        Document acked = probes.acked("sub", TOPIC).orElseThrow();
        assertThat(acked.keySet()).containsExactlyInAnyOrder("_id", "clientid", "topic", "mongo_id");
        assertThat(acked.get("mongo_id")).as("mongo_id, int64 _id of m3").isEqualTo(3L);
    }

    // ------------------------------------------------------------------------------------------------ ids

    /** EMQX's own Erlang driver wrote small integers as int32; ids must go on from the largest. */
    @Test
    void idsContinueAfterMessagesEmqxStoredWhenTheSchemaIsInitialisedOnThem() {
        try (MongoTestDatabase emqx = MongoTestDatabase.create()) {
            insertEmqxMessages(emqx, 5);
            BackendPool<?> onEmqxData = backend.open(TestPools.pool1(DatabaseKind.MONGO, emqx.poolSettings(),
                    Map.of()), PoolRuns.context());
            try {
                onEmqxData.initSchema().await().atMost(WAIT);
                run(onEmqxData, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"),
                        publish(message("new1", TOPIC, "x", T)));
                run(onEmqxData, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"),
                        publish(message("new2", TOPIC, "x", T)));
            } finally {
                onEmqxData.close().await().atMost(WAIT);
            }
            MongoProbes emqxProbes = new MongoProbes(emqx.connect());
            assertThat(emqxProbes.messagesWithMsgid("new1")).singleElement()
                    .satisfies(d -> assertThat(d.get("_id")).isEqualTo(6L));
            assertThat(emqxProbes.messagesWithMsgid("new2")).singleElement()
                    .satisfies(d -> assertThat(d.get("_id")).isEqualTo(7L));
        }
    }

    @Test
    void idsContinueAfterMessagesEmqxStoredWithoutSchemaInit() {
        try (MongoTestDatabase emqx = MongoTestDatabase.create()) {
            insertEmqxMessages(emqx, 5);
            BackendPool<?> onEmqxData = backend.open(TestPools.pool1(DatabaseKind.MONGO, emqx.poolSettings(),
                    Map.of()), PoolRuns.context());
            try {
                run(onEmqxData, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"),
                        publish(message("new1", TOPIC, "x", T)));
            } finally {
                onEmqxData.close().await().atMost(WAIT);
            }
            assertThat(new MongoProbes(emqx.connect()).messagesWithMsgid("new1")).singleElement()
                    .satisfies(d -> assertThat(d.get("_id")).isEqualTo(6L));
        }
    }

    /**
     * {@code _id} 1..count as int32, with no counter document, the way EMQX 4.4 left them; and two documents an
     * application added with ids that are not numbers, which must not count.
     */
    private static void insertEmqxMessages(MongoTestDatabase emqx, int count) {
        var messages = emqx.connect().getCollection("mqtt_msg");
        messages.insertMany(IntStream.rangeClosed(1, count)
                .mapToObj(i -> new Document("_id", i).append("topic", TOPIC).append("msgid", "emqx" + i)
                        .append("sender", "old").append("qos", 1).append("retain", 0).append("payload", "p" + i)
                        .append("arrived", (int) (T / 1000)))
                .toList());
        messages.insertOne(new Document("_id", new ObjectId()).append("topic", "app").append("msgid", "app1"));
        messages.insertOne(new Document("_id", "zzz").append("topic", "app").append("msgid", "app2"));
    }

    @Test
    void aBatchsMessagesGetConsecutiveIdsInTheBatchsOrder() {
        List<Event> events = IntStream.range(0, 200)
                .mapToObj(i -> (Event) publish(message(String.format("b%03d", i), TOPIC, "x", T))).toList();

        assertThat(applyBatch(pool, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), events))
                .containsOnly(WriteResult.APPLIED);

        List<Document> stored = probes.messages(TOPIC);
        assertThat(stored).extracting(d -> d.getString("msgid"))
                .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> String.format("b%03d", i)).toList());
        assertThat(stored).extracting(d -> d.getLong("_id"))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(i -> (long) i).toList());
    }

    /**
     * An operator dropped the counter document: its ids start again at 1 and collide; the write comes back not
     * applied (the action stage applies it again), and the next attempt continues after the stored ids.
     */
    @Test
    void aLostCounterDocumentIsSeededAgainAfterTheCollision() {
        HookConfig store = hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish");
        for (int i = 1; i <= 3; i++) {
            store(message("m" + i, TOPIC, "x", T));
        }
        probes.collection("mqtt_seq").deleteMany(new Document());

        List<Event> m4 = List.of(publish(message("m4", TOPIC, "x", T)));
        List<WriteResult> first = applyBatch(pool, store, m4);
        if (!(first.get(0) instanceof WriteResult.Applied)) {
            assertThat(first.get(0)).as("the colliding attempt").isInstanceOf(WriteResult.NotApplied.class);
            assertThat(applyBatch(pool, store, m4)).as("the attempt after it").containsOnly(WriteResult.APPLIED);
        }

        assertThat(probes.messages(TOPIC)).extracting(d -> d.getString("msgid") + "=" + d.get("_id"))
                .containsExactly("m1=1", "m2=2", "m3=3", "m4=4");
    }

    /**
     * Two pools (two runtime replicas) on one database store concurrently; writes that come back not applied or
     * failed but not permanent are applied again, as the action stage does. Every message is stored once, the ids
     * are distinct, and each pool's ids increase in the order its writes were applied.
     */
    @Test
    void twoPoolsStoringConcurrentlyGetDistinctIncreasingIds() throws Exception {
        BackendPool<?> other = openPool(Map.of());
        int batches = 10;
        int perBatch = 5;
        ExecutorService executor = Executors.newFixedThreadPool(2);
        CyclicBarrier start = new CyclicBarrier(2);
        List<String> appliedA;
        List<String> appliedB;
        try {
            Future<List<String>> a = executor.submit(() -> storeInBatches(pool, "a", batches, perBatch, start));
            Future<List<String>> b = executor.submit(() -> storeInBatches(other, "b", batches, perBatch, start));
            appliedA = a.get(40, TimeUnit.SECONDS);
            appliedB = b.get(40, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }

        List<Document> all = probes.collection("mqtt_msg").find().into(new ArrayList<>());
        assertThat(all).as("every message once").hasSize(2 * batches * perBatch);
        assertThat(all).extracting(d -> d.getString("msgid")).doesNotHaveDuplicates();
        assertThat(all).extracting(d -> d.get("_id")).as("distinct int64 ids").doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).isInstanceOf(Long.class));
        Map<String, Long> ids = all.stream().collect(Collectors.toMap(d -> d.getString("msgid"),
                d -> d.getLong("_id")));
        for (List<String> applied : List.of(appliedA, appliedB)) {
            List<Long> inOrder = applied.stream().map(ids::get).toList();
            assertThat(inOrder).as("ids in the order the writes were applied").isSorted().doesNotHaveDuplicates();
        }
    }

    /** Stores {@code batches} batches; answers the msgids in the order they were applied. */
    private static List<String> storeInBatches(BackendPool<?> pool, String prefix, int batches, int perBatch,
            CyclicBarrier start) throws Exception {
        HookConfig store = hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish");
        List<String> applied = new ArrayList<>();
        start.await(10, TimeUnit.SECONDS);
        for (int i = 0; i < batches; i++) {
            List<Message> pending = new ArrayList<>();
            for (int j = 0; j < perBatch; j++) {
                pending.add(message(String.format("%s-%03d", prefix, i * perBatch + j), TOPIC, "x", T));
            }
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                assertThat(attempt).as("attempts of batch %s/%d", prefix, i).isLessThanOrEqualTo(5);
                List<WriteResult> results = applyBatch(pool, store, pending.stream().map(m -> (Event) publish(m))
                        .toList());
                List<Message> again = new ArrayList<>();
                for (int k = 0; k < results.size(); k++) {
                    WriteResult result = results.get(k);
                    if (result instanceof WriteResult.Applied) {
                        applied.add(pending.get(k).msgid());
                    } else if (result instanceof WriteResult.Failed failed
                            && pool.classify(failed.cause()) == FailureClass.PERMANENT) {
                        throw new AssertionError("a store failed permanently: " + failed.cause(), failed.cause());
                    } else {
                        again.add(pending.get(k));
                    }
                }
                pending = again;
            }
        }
        return applied;
    }

    // ------------------------------------------------------------------------------------------------ redelivery

    @Test
    void theSameBatchAppliedTwiceIsStoredOnceAndTheDuplicatesCountAsApplied() {
        HookConfig store = hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish");
        List<Event> events = List.of(publish(message("m1", TOPIC, "1", T)), publish(message("m2", TOPIC, "2", T)),
                publish(message("m3", TOPIC, "3", T)));

        assertThat(applyBatch(pool, store, events)).as("first delivery").containsOnly(WriteResult.APPLIED);
        List<Document> once = probes.messages(TOPIC);
        assertThat(applyBatch(pool, store, events)).as("redelivery").hasSize(3)
                .allSatisfy(r -> assertThat(r).isInstanceOf(WriteResult.Applied.class));

        assertThat(probes.messages(TOPIC)).as("the documents after the redelivery").isEqualTo(once);
        assertThat(once).extracting(d -> d.getString("msgid")).containsExactly("m1", "m2", "m3");

        List<WriteResult> mixed = applyBatch(pool, store, List.of(publish(message("m3", TOPIC, "3", T)),
                publish(message("m4", TOPIC, "4", T))));
        assertThat(mixed).as("an old and a new message").containsOnly(WriteResult.APPLIED);
        assertThat(probes.storedMsgids(TOPIC)).containsExactly("m1", "m2", "m3", "m4");
        assertThat(probes.messagesWithMsgid("m4").get(0).getLong("_id")).as("the new one's id")
                .isGreaterThan(once.get(2).getLong("_id"));
    }

    /** What docs/mongodb.md warns about: the unique msgid index of schema.init is what makes a redelivery harmless. */
    @Test
    void withoutTheUniqueMsgidIndexARedeliveryIsStoredAgain() {
        try (MongoTestDatabase bare = MongoTestDatabase.create()) {
            BackendPool<?> onBare = backend.open(TestPools.pool1(DatabaseKind.MONGO, bare.poolSettings(), Map.of()),
                    PoolRuns.context());
            try {
                Message m = message("again", TOPIC, "x", T);
                run(onBare, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(m));
                run(onBare, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(m));
            } finally {
                onBare.close().await().atMost(WAIT);
            }
            assertThat(new MongoProbes(bare.connect()).messagesWithMsgid("again")).hasSize(2);
        }
    }

    // ------------------------------------------------------------------------------------------------ cursor

    @Test
    void theCursorNeverMovesBackAndAnAckOfAnUnstoredMessageMakesNone() {
        List<Message> stored = List.of(message("m1", TOPIC, "1", T), message("m2", TOPIC, "2", T),
                message("m3", TOPIC, "3", T));
        stored.forEach(this::store);

        ack("sub", stored.get(2));
        assertThat(probes.cursor("sub", TOPIC)).contains(3L);
        ack("sub", stored.get(0));
        assertThat(probes.cursor("sub", TOPIC)).as("after acking an older message").contains(3L);
        assertThat(probes.collection("mqtt_acked").countDocuments()).isEqualTo(1);

        ack("other", message("never-stored", TOPIC, "x", T));
        assertThat(probes.acked("other", TOPIC)).as("ack of a message that is not stored").isEmpty();
    }

    @Test
    void theAckOfAReplayMovesTheCursorThroughTheStoredMsgid() {
        store(message("m1", TOPIC, "1", T));
        store(message("m2", TOPIC, "2", T));
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        assertThat(probes.cursor("sub", TOPIC)).contains(2L);
        store(message("m3", TOPIC, "3", T));

        Message replay = new Message("fresh-id", "runtime", TOPIC, 1, false, bytes("3"), T,
                Map.of(Message.ORIGIN_PROPERTY, "mqtt-backends", Message.MSGID_PROPERTY, "m3"));
        ack("sub", replay);

        assertThat(probes.cursor("sub", TOPIC)).contains(3L);
        assertThat(fetch("sub", TOPIC)).as("nothing left to deliver").satisfiesAnyOf(
                o -> assertThat(o).isEqualTo(ActionOutcome.NONE),
                o -> assertThat(delivered(o, "sub")).isEmpty());
    }

    /**
     * An application may add documents of its own to {@code mqtt_msg}, with the driver's default ObjectId or a text
     * {@code _id}; they sort after every number, so the newest numeric id must be looked up by type.
     */
    @Test
    void aFirstFetchPlacesTheCursorAtTheNewestNumericIdPastDocumentsWithOtherIds() {
        store(message("m1", TOPIC, "1", T));
        insertForeignMessages();

        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        assertThat(probes.cursor("sub", TOPIC)).as("at the newest numeric id").contains(1L);

        store(message("m2", TOPIC, "2", T));
        assertThat(deliveredIds(fetch("sub", TOPIC), "sub")).as("numeric ids only").containsExactly("m2");
    }

    /** The cursor is a number: an ack of a document without a numeric {@code _id} has nothing to move it to. */
    @Test
    void anAckOfADocumentWithoutANumericIdLeavesTheCursorAlone() {
        store(message("m1", TOPIC, "1", T));
        insertForeignMessages();
        ack("sub", message("m1", TOPIC, "1", T));

        ack("sub", message("app-oid", TOPIC, "x", T));
        ack("sub", message("app-text", TOPIC, "x", T));

        assertThat(probes.cursor("sub", TOPIC)).contains(1L);
    }

    private void insertForeignMessages() {
        probes.collection("mqtt_msg").insertMany(List.of(
                new Document("_id", new ObjectId()).append("topic", TOPIC).append("msgid", "app-oid"),
                new Document("_id", "app-text").append("topic", TOPIC).append("msgid", "app-text")));
    }

    @Test
    void ackedDeleteRemovesOnlyThatClientsCursorOfThatTopic() {
        Message m = message("m1", TOPIC, "1", T);
        store(m);
        store(message("o1", OTHER_TOPIC, "1", T));
        ack("sub", m);
        ack("sub", message("o1", OTHER_TOPIC, "1", T));
        ack("sub2", m);

        ackedDelete("sub", TOPIC);

        assertThat(probes.acked("sub", TOPIC)).isEmpty();
        assertThat(probes.cursor("sub", OTHER_TOPIC)).contains(2L);
        assertThat(probes.cursor("sub2", TOPIC)).contains(1L);

        store(message("m2", TOPIC, "2", T));
        assertThat(fetch("sub", TOPIC)).as("subscribing again is a first subscription").isEqualTo(ActionOutcome.NONE);
        assertThat(probes.cursor("sub", TOPIC)).as("placed anew at the newest").contains(3L);
    }

    // ------------------------------------------------------------------------------------------------ plain_text

    @Test
    void plainTextStoresUtf8AsAStringAndOtherBytesAsBinaryReplayedByteExact() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        Map<String, byte[]> payloads = new LinkedHashMap<>();
        payloads.put("text", bytes("héllo wörld ✓ 𝄞 with a \u0000 inside"));
        payloads.put("empty", new byte[0]);
        payloads.put("latin1", new byte[] {'c', 'a', 'f', (byte) 0xe9});
        payloads.put("binary", new byte[] {(byte) 0xff, 0, (byte) 0xfe, (byte) 0x80, 'a'});
        payloads.put("surrogate", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80});
        payloads.put("overlong", new byte[] {(byte) 0xc0, (byte) 0x80});
        payloads.put("truncated", new byte[] {'a', (byte) 0xe2, (byte) 0x82});
        payloads.forEach((id, payload) -> store(message(id, TOPIC, payload, T), PayloadFormat.PLAIN_TEXT));

        Map<String, Object> stored = probes.messages(TOPIC).stream()
                .collect(Collectors.toMap(d -> d.getString("msgid"), d -> d.get("payload")));
        assertThat(stored.get("text")).isEqualTo(new String(payloads.get("text"), StandardCharsets.UTF_8));
        assertThat(stored.get("empty")).isEqualTo("");
        for (String id : List.of("latin1", "binary", "surrogate", "overlong", "truncated")) {
            assertThat(stored.get(id)).as("%s: BSON binary subtype 0", id)
                    .isInstanceOfSatisfying(Binary.class, b -> {
                        assertThat(b.getType()).isEqualTo((byte) 0);
                        assertThat(b.getData()).isEqualTo(payloads.get(id));
                    });
        }

        List<StoredMessage> replayed = delivered(fetch("sub", TOPIC), "sub");
        assertThat(replayed).extracting(StoredMessage::msgid).containsExactlyElementsOf(payloads.keySet());
        replayed.forEach(m -> assertThat(m.payload()).as("replay of %s", m.msgid())
                .isEqualTo(payloads.get(m.msgid())));
    }

    @Test
    void aRetainedBinaryPayloadIsReplayedByteExact() {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe, (byte) 0x80, '{', '}'};
        Message m = new Message("r1", "pub", TOPIC, 1, true, binary, T, Map.of());
        retain(m, PayloadFormat.PLAIN_TEXT);

        assertThat(probes.retained(TOPIC).orElseThrow().get("payload")).isInstanceOfSatisfying(Binary.class,
                b -> assertThat(b.getData()).isEqualTo(binary));
        assertThat(delivered(retainLookup("sub", TOPIC), "sub")).singleElement().satisfies(r -> {
            assertThat(r.payload()).isEqualTo(binary);
            assertThat(r.retain()).isTrue();
        });
    }

    // ------------------------------------------------------------------------------------------------ mongo_json

    @Test
    void mongoJsonStoresAJsonObjectAsAnEmbeddedDocumentQueryableByANestedField() {
        store(message("doc", TOPIC, "{ \"a\" : { \"b\" : 1 }, \"c\" : \"x\", \"d\" : [1, {\"e\": true}], "
                + "\"n\" : null }", T), PayloadFormat.MONGO_JSON);
        store(message("other", TOPIC, "{\"a\": {\"b\": 2}}", T), PayloadFormat.MONGO_JSON);

        Document payload = probes.messagesWithMsgid("doc").get(0).get("payload", Document.class);
        assertThat(payload).as("an embedded document").isNotNull();
        assertThat(payload.keySet()).containsExactly("a", "c", "d", "n");
        assertThat(payload.get("a", Document.class).get("b")).isEqualTo(1);
        assertThat(payload.get("c")).isEqualTo("x");
        assertThat(probes.collection("mqtt_msg").find(eq("payload.a.b", 1)).into(new ArrayList<>()))
                .extracting(d -> d.getString("msgid")).containsExactly("doc");
        assertThat(probes.collection("mqtt_msg").find(eq("payload.d.e", true)).into(new ArrayList<>()))
                .extracting(d -> d.getString("msgid")).containsExactly("doc");
    }

    @Test
    void mongoJsonStoresWhatIsNotAPlainJsonObjectAsPlainTextWouldByteExact() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("not-json", "not json {");
        refused.put("array", "[1,2,3]");
        refused.put("scalar", "42");
        refused.put("string", "\"just a string\"");
        refused.put("dollar", "{\"$set\":{\"state\":9}}");
        refused.put("nested-dollar", "{\"a\":{\"$gt\":\"\"}}");
        refused.put("dot", "{\"a.b\":1}");
        refused.put("nul-key", "{\"a\\u0000b\":1}");
        refused.put("truncated", "{\"a\":");
        refused.forEach((id, payload) -> store(message(id, TOPIC, payload, T), PayloadFormat.MONGO_JSON));
        byte[] binary = {'{', (byte) 0xff, '}'};
        store(message("binary", TOPIC, binary, T), PayloadFormat.MONGO_JSON);

        Map<String, Object> stored = probes.messages(TOPIC).stream()
                .collect(Collectors.toMap(d -> d.getString("msgid"), d -> d.get("payload")));
        refused.forEach((id, payload) -> assertThat(stored.get(id)).as("%s stored as a string", id)
                .isEqualTo(payload));
        assertThat(stored.get("binary")).isInstanceOfSatisfying(Binary.class,
                b -> assertThat(b.getData()).isEqualTo(binary));

        List<StoredMessage> replayed = delivered(fetch("sub", TOPIC), "sub");
        assertThat(replayed).hasSize(refused.size() + 1);
        replayed.forEach(m -> assertThat(m.payload()).as("replay of %s", m.msgid())
                .isEqualTo(m.msgid().equals("binary") ? binary : bytes(refused.get(m.msgid()))));
    }

    @Test
    void mongoJsonWithAnEmptyKeyOrNulInAValueIsStoredAndReplayed() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        String emptyKey = "{\"\":1}";
        String nulValue = "{\"a\":\"x\\u0000y\"}";
        store(message("empty-key", TOPIC, emptyKey, T), PayloadFormat.MONGO_JSON);
        store(message("nul-value", TOPIC, nulValue, T), PayloadFormat.MONGO_JSON);

        assertThat(probes.storedMsgids(TOPIC)).containsExactly("empty-key", "nul-value");
        assertThat(probes.messagesWithMsgid("nul-value").get(0).get("payload", Document.class).get("a"))
                .isEqualTo("x\u0000y");
        assertThat(delivered(fetch("sub", TOPIC), "sub")).extracting(m -> new String(m.payload(),
                StandardCharsets.UTF_8)).containsExactly(emptyKey, nulValue);
    }

    @Test
    void anEmbeddedDocumentIsReplayedAsCompactJsonInKeyOrder() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        store(message("doc", TOPIC, "{ \"z\" : { \"b\" : 1 },\n  \"a\" : \"x y\", \"d\" : [1, {\"e\": true}],"
                + " \"n\" : null }", T), PayloadFormat.MONGO_JSON);

        assertThat(delivered(fetch("sub", TOPIC), "sub")).singleElement().satisfies(m -> assertThat(
                new String(m.payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"z\":{\"b\":1},\"a\":\"x y\",\"d\":[1,{\"e\":true}],\"n\":null}"));
    }

    @Test
    void mongoJsonKeepsNumbersBeyondALongAndRefusesDuplicateKeysAndDeepNesting() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        String numbers = "{\"i\":1,\"l\":12345678901,\"big\":123456789012345678901234567890,\"f\":0.5,"
                + "\"neg\":-7}";
        String duplicate = "{\"a\":1,\"a\":2}";
        String deep = "{\"a\":".repeat(150) + "1" + "}".repeat(150);
        store(message("numbers", TOPIC, numbers, T), PayloadFormat.MONGO_JSON);
        store(message("duplicate", TOPIC, duplicate, T), PayloadFormat.MONGO_JSON);
        store(message("deep", TOPIC, deep, T), PayloadFormat.MONGO_JSON);

        Document stored = probes.messagesWithMsgid("numbers").get(0).get("payload", Document.class);
        assertThat(stored.get("i")).isEqualTo(1);
        assertThat(stored.get("l")).isEqualTo(12345678901L);
        assertThat(stored.get("big")).as("beyond int64: a decimal, not a rounded double")
                .isEqualTo(new Decimal128(new BigDecimal("123456789012345678901234567890")));
        assertThat(stored.get("f")).isEqualTo(0.5);
        assertThat(probes.messagesWithMsgid("duplicate").get(0).get("payload")).isEqualTo(duplicate);
        assertThat(probes.messagesWithMsgid("deep").get(0).get("payload")).isEqualTo(deep);

        List<StoredMessage> replayed = delivered(fetch("sub", TOPIC), "sub");
        assertThat(replayed).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .containsExactly(numbers, duplicate, deep);
    }

    @Test
    void mongoJsonOnRetainStoresAnEmbeddedDocumentAndTheLookupReplaysCompactJson() {
        retain(new Message("r1", "pub", TOPIC, 1, true, bytes("{ \"cmd\" : \"reboot\" }"), T, Map.of()),
                PayloadFormat.MONGO_JSON);

        assertThat(probes.retained(TOPIC).orElseThrow().get("payload"))
                .isEqualTo(new Document("cmd", "reboot"));
        assertThat(delivered(retainLookup("sub", TOPIC), "sub")).singleElement()
                .satisfies(m -> assertThat(m.payload()).isEqualTo(bytes("{\"cmd\":\"reboot\"}")));
    }

    // ------------------------------------------------------------------------------------------------ injection

    @Test
    void operatorLookingClientIdsAreStoredVerbatimAndMatchOnlyThemselves() {
        String operator = "{\"$ne\":null}";
        String where = "x' || this.state == 1 || '";
        String quoted = "c\"}, {\"$set\": {\"state\": 9}}, {\"x\": \"";
        for (String clientid : List.of("c1", operator, where, quoted)) {
            connect(clientid, T);
        }
        disconnect(operator, T + 1000);

        assertThat(probes.collection("mqtt_client").find().into(new ArrayList<>()))
                .extracting(d -> d.getString("clientid")).containsExactlyInAnyOrder("c1", operator, where, quoted);
        assertThat(probes.online(operator)).contains(false);
        assertThat(probes.online("c1")).as("the other clients are untouched").contains(true);
        assertThat(probes.online(where)).contains(true);
        assertThat(probes.online(quoted)).contains(true);

        probes.storeSubscription("c1", "c1/topic", 1);
        probes.storeSubscription(operator, "operator/topic", 2);
        assertThat(subscribeLookup(operator)).isInstanceOfSatisfying(ActionOutcome.SubscribeClient.class,
                s -> assertThat(s.subscriptions()).containsExactly(new Subscription("operator/topic", 2)));
        assertThat(subscribeLookup("{\"$exists\":true}")).as("a client id that would match all")
                .isEqualTo(ActionOutcome.NONE);
    }

    @Test
    void operatorLookingTopicsAndPayloadsAreStoredVerbatimAndMatchOnlyThemselves() {
        String operatorTopic = "{\"$gt\":\"\"}";
        String whereTopic = "$where/this.x == 1";
        String payload = "{\"$where\":\"sleep(1000) || true\"}";
        assertThat(fetch("sub", operatorTopic)).isEqualTo(ActionOutcome.NONE);
        store(message("plain", TOPIC, "x", T));
        store(message("op", operatorTopic, payload, T), PayloadFormat.PLAIN_TEXT);
        store(message("where", whereTopic, payload, T), PayloadFormat.MONGO_JSON);

        assertThat(probes.messagesWithMsgid("op").get(0).get("payload")).isEqualTo(payload);
        assertThat(probes.messagesWithMsgid("where").get(0).get("payload")).isEqualTo(payload);
        assertThat(probes.messagesWithMsgid("where").get(0).get("topic")).isEqualTo(whereTopic);
        assertThat(deliveredIds(fetch("sub", operatorTopic), "sub")).containsExactly("op");

        ack("sub", message("op", operatorTopic, payload, T));
        assertThat(probes.acked("sub", operatorTopic).orElseThrow().get("topic")).isEqualTo(operatorTopic);
        assertThat(probes.collection("mqtt_acked").countDocuments()).isEqualTo(1);

        retain(message("keep", TOPIC, "x", T), PayloadFormat.PLAIN_TEXT);
        retain(message("drop", operatorTopic, "x", T), PayloadFormat.PLAIN_TEXT);
        run(hook(HookPoint.MESSAGE_PUBLISH, "on_retain_delete"), publish(message("empty", operatorTopic, "", T)));
        assertThat(probes.retainedMsgid(operatorTopic)).isEmpty();
        assertThat(probes.retainedMsgid(TOPIC)).as("another topic's retained message").contains("keep");
        assertThat(retainLookup("sub", "{\"$ne\":\"\"}")).as("a topic that would match all")
                .isEqualTo(ActionOutcome.NONE);
    }

    // ------------------------------------------------------------------------------------------------ large

    @Test
    void aOneMebibytePayloadIsStoredAndReplayedByteExact() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        byte[] binary = new byte[1 << 20];
        new Random(42).nextBytes(binary);
        binary[0] = (byte) 0xff;
        byte[] text = "0123456789abcdef".repeat(1 << 16).getBytes(StandardCharsets.UTF_8);
        store(message("binary", TOPIC, binary, T));
        store(message("text", TOPIC, text, T));

        assertThat(probes.messagesWithMsgid("binary").get(0).get("payload", Binary.class).getData())
                .isEqualTo(binary);
        assertThat(probes.messagesWithMsgid("text").get(0).getString("payload")).hasSize(1 << 20);
        List<StoredMessage> replayed = delivered(fetch("sub", TOPIC), "sub");
        assertThat(replayed).extracting(StoredMessage::msgid).containsExactly("binary", "text");
        assertThat(replayed.get(0).payload()).isEqualTo(binary);
        assertThat(replayed.get(1).payload()).isEqualTo(text);
    }

    // ------------------------------------------------------------------------------------------------ subscriptions

    @Test
    void subscribeLookupTakesAnyNumericOrNumericTextQosAndSkipsABadOne() {
        var subs = probes.collection("mqtt_sub");
        subs.insertMany(List.of(
                new Document("clientid", "c1").append("topic", "int").append("qos", 1),
                new Document("clientid", "c1").append("topic", "double").append("qos", 1.0),
                new Document("clientid", "c1").append("topic", "string").append("qos", "2"),
                new Document("clientid", "c1").append("topic", "long").append("qos", 2L),
                new Document("clientid", "c1").append("topic", "zero").append("qos", 0.0),
                new Document("clientid", "c1").append("topic", "truncated").append("qos", 2.5),
                new Document("clientid", "c1").append("topic", "three").append("qos", 3),
                new Document("clientid", "c1").append("topic", "negative").append("qos", -1),
                new Document("clientid", "c1").append("topic", "word").append("qos", "high"),
                new Document("clientid", "c1").append("topic", "null").append("qos", null),
                new Document("clientid", "c1").append("topic", "missing"),
                new Document("clientid", "c2").append("topic", "not-mine").append("qos", 1)));

        assertThat(subscribeLookup("c1")).isInstanceOfSatisfying(ActionOutcome.SubscribeClient.class, s -> {
            assertThat(s.clientid()).isEqualTo("c1");
            assertThat(s.subscriptions()).containsExactlyInAnyOrder(new Subscription("int", 1),
                    new Subscription("double", 1), new Subscription("string", 2), new Subscription("long", 2),
                    new Subscription("zero", 0), new Subscription("truncated", 2));
        });
    }

    // ------------------------------------------------------------------------------------------------ offline opts

    @Test
    void maxReturnedCountDeliversTheNewestInStoreOrderWithTheirFields() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        for (int i = 0; i < 6; i++) {
            store(new Message("m" + i, "pub", TOPIC, 2, false, bytes("payload " + i), T + i * 1000L, Map.of()));
        }

        List<StoredMessage> newest = delivered(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.of(2),
                Optional.empty())), "sub");

        assertThat(newest).extracting(StoredMessage::msgid).containsExactly("m4", "m5");
        assertThat(newest.get(0)).satisfies(m -> {
            assertThat(m.topic()).isEqualTo(TOPIC);
            assertThat(m.sender()).isEqualTo("pub");
            assertThat(m.qos()).isEqualTo(2);
            assertThat(m.retain()).isFalse();
            assertThat(m.payload()).isEqualTo(bytes("payload 4"));
            assertThat(m.arrived()).as("arrived in ms, from the stored seconds").isEqualTo((T + 4000) / 1000 * 1000);
        });
        assertThat(probes.cursor("sub", TOPIC)).as("fetching does not move the cursor").contains(0L);
    }

    @Test
    void timeRangeLeavesOutMessagesThatArrivedEarlier() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        long now = System.currentTimeMillis();
        for (String id : List.of("old", "mid", "recent")) {
            store(message(id, TOPIC, id, now));
        }
        long nowSeconds = now / 1000;
        probes.collection("mqtt_msg").updateOne(eq("msgid", "old"),
                Updates.set("arrived", nowSeconds - Duration.ofHours(3).toSeconds()));
        probes.collection("mqtt_msg").updateOne(eq("msgid", "mid"),
                Updates.set("arrived", nowSeconds - Duration.ofMinutes(90).toSeconds()));

        assertThat(deliveredIds(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.empty(),
                Optional.of(Duration.ofHours(2)))), "sub")).containsExactly("mid", "recent");
        assertThat(deliveredIds(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.of(1),
                Optional.of(Duration.ofHours(2)))), "sub")).containsExactly("recent");
        assertThat(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.empty(), Optional.of(Duration.ofMinutes(60)))))
                .isInstanceOfSatisfying(ActionOutcome.Deliver.class,
                        d -> assertThat(d.messages()).extracting(StoredMessage::msgid).containsExactly("recent"));
    }

    // ------------------------------------------------------------------------------------------------ schema

    @Test
    void initSchemaMakesTheCollectionsAndIndexesOfTheContractAndIsIdempotent() {
        Map<String, Set<String>> expected = Map.of(
                "mqtt_client", Set.of("clientid:1 unique"),
                "mqtt_sub", Set.of("clientid:1"),
                "mqtt_msg", Set.of("sender:1,topic:1", "topic:1,_id:1", "msgid:1 unique"),
                "mqtt_retain", Set.of("topic:1 unique"),
                "mqtt_acked", Set.of("clientid:1,topic:1 unique"));
        assertThat(database.connect().listCollectionNames().into(new ArrayList<>())).containsAll(expected.keySet());
        expected.forEach((collection, indexes) -> assertThat(indexes(collection)).as(collection)
                .containsExactlyInAnyOrderElementsOf(indexes));

        pool.initSchema().await().atMost(WAIT);

        expected.forEach((collection, indexes) -> assertThat(indexes(collection)).as("%s after a second init",
                collection).containsExactlyInAnyOrderElementsOf(indexes));
    }

    /**
     * EMQX's MongoDB guide has users create {@code mqtt_retain {topic:1}} (not unique, under the name
     * {@code topic_1} that a unique {@code {topic:1}} index gets too), {@code mqtt_client {clientid:1, node:2}},
     * {@code mqtt_sub {clientid:1}} and {@code mqtt_msg {sender:1, topic:2}}. Turning {@code schema.init} on for
     * such a database must not stop the pool: the functions work, a redelivered message is still stored once.
     */
    @Test
    void initSchemaWorksOnADatabaseWithTheIndexesOfEmqxsGuide() {
        try (MongoTestDatabase emqx = MongoTestDatabase.create()) {
            var db = emqx.connect();
            db.getCollection("mqtt_client").createIndex(new Document("clientid", 1).append("node", 2));
            db.getCollection("mqtt_sub").createIndex(new Document("clientid", 1));
            db.getCollection("mqtt_msg").createIndex(new Document("sender", 1).append("topic", 2));
            db.getCollection("mqtt_retain").createIndex(new Document("topic", 1));
            BackendPool<?> onGuide = backend.open(TestPools.pool1(DatabaseKind.MONGO, emqx.poolSettings(), Map.of()),
                    PoolRuns.context());
            try {
                onGuide.initSchema().await().atMost(WAIT);
                Message m = new Message("r1", "pub", TOPIC, 1, true, bytes("x"), T, Map.of());
                for (int i = 0; i < 2; i++) {
                    run(onGuide, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(m));
                    run(onGuide, hook(HookPoint.MESSAGE_PUBLISH, "on_message_retain"), publish(m));
                }
            } finally {
                onGuide.close().await().atMost(WAIT);
            }
            MongoProbes guide = new MongoProbes(db);
            assertThat(guide.messagesWithMsgid("r1")).as("a redelivery stored once").hasSize(1);
            assertThat(guide.collection("mqtt_retain").countDocuments(eq("topic", TOPIC))).isEqualTo(1);
        }
    }

    /**
     * EMQX stored a redelivered message twice (it had no unique msgid index): schema.init cannot make msgid unique
     * there and must say so, naming the collection and the index, rather than carry on without it.
     */
    @Test
    void initSchemaOnMessagesEmqxStoredTwiceFailsNamingTheCollectionAndTheIndex() {
        try (MongoTestDatabase emqx = MongoTestDatabase.create()) {
            emqx.connect().getCollection("mqtt_msg").insertMany(List.of(
                    new Document("_id", 1).append("topic", TOPIC).append("msgid", "twice"),
                    new Document("_id", 2).append("topic", TOPIC).append("msgid", "twice")));
            BackendPool<?> onTwice = backend.open(TestPools.pool1(DatabaseKind.MONGO, emqx.poolSettings(), Map.of()),
                    PoolRuns.context());
            try {
                assertThatThrownBy(() -> onTwice.initSchema().await().atMost(WAIT))
                        .hasMessageContaining("mqtt_msg").hasMessageContaining("msgid");
            } finally {
                onTwice.close().await().atMost(WAIT);
            }
        }
    }

    /** The collection's indexes but {@code _id}'s, as {@code field:direction,...} plus {@code unique}. */
    private Set<String> indexes(String collection) {
        Set<String> indexes = new HashSet<>();
        for (Document index : probes.collection(collection).listIndexes()) {
            Document key = index.get("key", Document.class);
            if (key.keySet().equals(Set.of("_id"))) {
                continue;
            }
            String fields = key.entrySet().stream()
                    .map(e -> e.getKey() + ":" + ((Number) e.getValue()).intValue())
                    .collect(Collectors.joining(","));
            indexes.add(fields + (Boolean.TRUE.equals(index.get("unique")) ? " unique" : ""));
        }
        return Collections.unmodifiableSet(indexes);
    }
}
