package io.mqttbackends.bench.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqttbackends.bench.BenchOptions;
import io.mqttbackends.bench.BenchPayload;
import io.mqttbackends.bench.BenchRows;
import io.mqttbackends.bench.EpochMicros;
import io.mqttbackends.bench.MongoStandIn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's view of MongoDB against mongo-java-server in this JVM: the stand-in run.sh starts (stamping
 * stored_at), the plain memory backend with its oplog (change streams), and without one (no change streams). The
 * runtime's part is played here by inserts in its document layout into a collection with the indexes schema.init
 * makes.
 */
class MongoStoreIT {
    private final String databaseName = "bench_store_" + UUID.randomUUID().toString().substring(0, 8);
    private MongoServer server;
    private MongoClient client;
    private MongoStore store;

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        if (client != null) {
            client.getDatabase(databaseName).drop();
            client.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void standInStampsEveryInsertAndTheStoreVerifiesAndTimesFromTheStamp() {
        start(MongoStandIn.start("127.0.0.1", 0));
        MongoCollection<Document> messages = runtimeCollection();
        long before = EpochMicros.now();

        store.prepare();
        List<Document> inserted = runtimeDocuments(1, 10, "bench/0");
        // a redelivery under a fresh msgid: one more row, no more distinct messages
        inserted.add(runtimeDocument(11, "redelivered", "bench/0", 9));
        messages.insertMany(inserted);

        assertThat(store.storeTime()).isEqualTo(MongoStore.StoreTime.STAND_IN_STAMP);
        assertThat(messages.find().first().get(MongoStandIn.STORED_AT)).isInstanceOf(Long.class);
        assertThat(store.count()).isEqualTo(11);
        Store.Verification v = store.verify();
        assertThat(v.rows()).isEqualTo(11);
        assertThat(v.distinctMsgids()).isEqualTo(11);
        assertThat(v.distinctMessages()).isEqualTo(10);
        assertThat(v.latency().count()).isEqualTo(11);
        assertThat(v.lastStoredMicros()).isBetween(before, EpochMicros.now());
        assertThat(store.latencyDefinition()).contains("stored_at");

        store.reset();
        assertThat(messages.countDocuments()).isZero();
        assertThat(store.count()).isZero();
        assertThat(messages.listIndexes().into(new ArrayList<>())).as("_id and schema.init's three survive the reset")
                .hasSize(4);
    }

    @Test
    void standInStampsOnlyMessageCollections() {
        start(MongoStandIn.start("127.0.0.1", 0));
        MongoDatabase database = client.getDatabase(databaseName);

        database.getCollection("mqtt_retain").insertOne(new Document("_id", 1L).append("topic", "t"));
        database.getCollection("mqtt_msg_ceiling").insertOne(new Document("_id", 1L).append("topic", "t"));

        assertThat(database.getCollection("mqtt_retain").find().first()).doesNotContainKey(MongoStandIn.STORED_AT);
        assertThat(database.getCollection("mqtt_msg_ceiling").find().first().get(MongoStandIn.STORED_AT))
                .isInstanceOf(Long.class);
    }

    @Test
    void standInAnswersEachConcurrentIncrementItsOwnValue() throws Exception {
        start(MongoStandIn.start("127.0.0.1", 0));
        MongoCollection<Document> counter = client.getDatabase(databaseName).getCollection("mqtt_seq");
        counter.insertOne(new Document("_id", "mqtt_msg").append("seq", 0L));
        Set<Long> answers = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();

        for (int t = 0; t < 8; t++) {
            done.add(threads.submit(() -> {
                for (int i = 0; i < 300; i++) {
                    answers.add(counter.findOneAndUpdate(Filters.eq("_id", "mqtt_msg"), Updates.inc("seq", 100L),
                            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)).getLong("seq"));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        threads.shutdown();

        assertThat(answers).as("every reserved range distinct").hasSize(2_400);
        assertThat(counter.find().first().getLong("seq")).isEqualTo(240_000L);
    }

    @Test
    void ceilingStoresEveryRowInAScratchCopyAndDropsIt() {
        start(MongoStandIn.start("127.0.0.1", 0));
        MongoCollection<Document> messages = runtimeCollection();
        store.prepare();

        Store.Ceiling ceiling = store.ceiling(new BenchRows(1_000, 2, 64, "bench"), 100, 4);

        assertThat(ceiling.rows()).isEqualTo(1_000);
        assertThat(ceiling.rowsPerSecond()).isPositive();
        assertThat(client.getDatabase(databaseName).listCollectionNames().into(new ArrayList<>()))
                .doesNotContain(MongoStore.CEILING_COLLECTION, MongoStore.CEILING_COUNTER);
        assertThat(messages.countDocuments()).as("the runtime's collection is not written").isZero();
    }

    @Test
    void ceilingDocumentsHaveTheRuntimesLayout() {
        BenchRows.Row row = new BenchRows(1, 1, 40, "bench").row(0);

        Document d = MongoStore.document(7, row);

        assertThat(d.keySet()).containsExactly("_id", "topic", "msgid", "sender", "qos", "retain", "payload",
                "arrived");
        assertThat(d.get("_id")).isEqualTo(7L);
        assertThat(d.get("payload")).isEqualTo(new String(row.payload(), StandardCharsets.US_ASCII));
        assertThat(d.get("arrived")).isEqualTo(row.arrivedMillis() / 1000);
        assertThat(d.get("qos")).isEqualTo(1);
    }

    @Test
    void withoutTheStampAChangeStreamTimesEachInsert() {
        MongoServer plain = new MongoServer(new MemoryBackend());
        plain.enableOplog();
        plain.bind("127.0.0.1", 0);
        start(plain);
        MongoCollection<Document> messages = runtimeCollection();

        store.prepare();
        messages.insertMany(runtimeDocuments(1, 5, "bench/1"));

        assertThat(store.storeTime()).isEqualTo(MongoStore.StoreTime.CHANGE_STREAM);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 5);
        Store.Verification v = store.verify();
        assertThat(v.rows()).isEqualTo(5);
        assertThat(v.distinctMessages()).isEqualTo(5);
        assertThat(v.latency().count()).isEqualTo(5);
        assertThat(v.lastStoredMicros()).isPositive();
        assertThat(store.latencyDefinition()).contains("change-stream");
    }

    @Test
    void withoutChangeStreamsLatencyIsNotMeasuredButRowsAreVerified() {
        MongoServer plain = new MongoServer(new MemoryBackend());
        plain.bind("127.0.0.1", 0);
        start(plain);
        MongoCollection<Document> messages = runtimeCollection();

        store.prepare();
        messages.insertMany(runtimeDocuments(1, 4, "bench/0"));

        assertThat(store.storeTime()).isEqualTo(MongoStore.StoreTime.NONE);
        assertThat(store.count()).isEqualTo(4);
        Store.Verification v = store.verify();
        assertThat(v.rows()).isEqualTo(4);
        assertThat(v.distinctMessages()).isEqualTo(4);
        assertThat(v.latency().count()).isZero();
        assertThat(v.latency().p99Ms()).isNull();
        assertThat(v.lastStoredMicros()).as("when the count was seen to change").isPositive();
        assertThat(store.latencyDefinition()).startsWith("not measured");
    }

    private void start(MongoServer mongo) {
        server = mongo;
        String uri = "mongodb://127.0.0.1:" + mongo.getLocalAddress().getPort();
        client = MongoClients.create(uri);
        store = new MongoStore(BenchOptions.parse("--db", "mongo", "--db-name", databaseName), uri);
    }

    /** mqtt_msg with the indexes the runtime's schema.init makes (the MongoDB contract). */
    private MongoCollection<Document> runtimeCollection() {
        MongoDatabase database = client.getDatabase(databaseName);
        database.createCollection(MongoStore.COLLECTION);
        MongoCollection<Document> messages = database.getCollection(MongoStore.COLLECTION);
        messages.createIndex(Indexes.ascending("sender", "topic"));
        messages.createIndex(Indexes.ascending("topic", "_id"));
        messages.createIndex(Indexes.ascending("msgid"), new IndexOptions().unique(true));
        return messages;
    }

    private static List<Document> runtimeDocuments(long firstId, int n, String topic) {
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            documents.add(runtimeDocument(firstId + i, "m" + (firstId + i), topic, i));
        }
        return documents;
    }

    private static Document runtimeDocument(long id, String msgid, String topic, long sequence) {
        long now = EpochMicros.now();
        return new Document("_id", id).append("topic", topic).append("msgid", msgid).append("sender", "pub")
                .append("qos", 1).append("retain", 0)
                .append("payload", new String(BenchPayload.encode(now, sequence, 64), StandardCharsets.US_ASCII))
                .append("arrived", now / 1_000_000);
    }
}
