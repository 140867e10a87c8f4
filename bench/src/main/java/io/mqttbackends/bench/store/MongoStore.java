package io.mqttbackends.bench.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mqttbackends.bench.BenchOptions;
import io.mqttbackends.bench.BenchPayload;
import io.mqttbackends.bench.BenchRows;
import io.mqttbackends.bench.EpochMicros;
import io.mqttbackends.bench.LatencyStats;
import io.mqttbackends.bench.MongoStandIn;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;

/**
 * MongoDB with the runtime's layout (the MongoDB contract): {@code on_message_publish} inserts into
 * {@code mqtt_msg} documents {@code {_id: long, topic, msgid, sender, qos, retain, payload, arrived}}, {@code _id}
 * reserved per batch with {@code $inc} on the counter {@code mqtt_seq}, the payload a string (the benchmark's payloads
 * are ASCII). Through the MongoDB Java driver the runtime's Quarkus client wraps (5.6, here its blocking form).
 *
 * <p>MongoDB has no insert-time default, so when each document was stored comes from one of (chosen in
 * {@link #prepare()}, in this order):
 * <ul>
 * <li>the benchmark's stand-in ({@link MongoStandIn}) stamps {@code stored_at} (epoch µs) on every insert into an
 * {@code mqtt_msg*} collection, as the SQL databases' column default does;</li>
 * <li>on a real replica set or sharded cluster, a change stream on {@code mqtt_msg}: the time the insert's event
 * reaches the benchmark, as with Redis's keyspace notifications;</li>
 * <li>otherwise (a standalone mongod has no change streams) latency is not measured, and the end of a pass is when
 * the benchmark saw the document count reach N (polled every 20 ms).</li>
 * </ul>
 */
final class MongoStore implements Store {
    /** The environment variable naming a real MongoDB for the benchmark (a connection string). */
    static final String URI_VARIABLE = "MQTTBACKENDS_BENCH_MONGO_URI";
    static final String COLLECTION = "mqtt_msg";
    static final String CEILING_COLLECTION = "mqtt_msg_ceiling";
    static final String CEILING_COUNTER = "mqtt_seq_ceiling";
    private static final String PROBE_COLLECTION = "mqtt_msg_probe";
    private static final long PROBE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int DUPLICATE_KEY = 11000;
    private static final int MAX_RESERVATIONS = 100;
    private static final FindOneAndUpdateOptions RESERVE =
            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);
    private static final InsertManyOptions UNORDERED = new InsertManyOptions().ordered(false);

    /** Where the time a document was stored comes from. */
    enum StoreTime {
        STAND_IN_STAMP, CHANGE_STREAM, NONE
    }

    private final MongoClient client;
    private final MongoDatabase database;
    private final MongoCollection<Document> messages;
    private final String server;
    private final Map<Long, Long> notified = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private volatile Throwable watchFailure;
    private StoreTime storeTime = StoreTime.NONE;
    private MongoChangeStreamCursor<ChangeStreamDocument<Document>> changes;
    private Thread watcher;
    private long lastCount = -1;
    private volatile long lastCountChangeMicros;

    MongoStore(BenchOptions o) {
        this(o, uri(o.dbHost(), o.dbPort()));
    }

    MongoStore(BenchOptions o, String uri) {
        ConnectionString connection = new ConnectionString(uri);
        // the ceiling's writers, the change stream and the verification each hold a connection
        MongoClientSettings settings = MongoClientSettings.builder().applyConnectionString(connection)
                .applyToConnectionPoolSettings(p -> p.maxSize(o.ceilingConnections() + 4)).build();
        client = MongoClients.create(settings);
        database = client.getDatabase(o.dbName());
        messages = database.getCollection(COLLECTION);
        server = String.join(",", connection.getHosts());
    }

    /** The run's MongoDB: {@value #URI_VARIABLE} when set, else the stand-in at {@code host:port}. */
    static String uri(String host, int port) {
        String real = System.getenv(URI_VARIABLE);
        return real != null && !real.isBlank() ? real : "mongodb://" + host + ":" + port;
    }

    @Override
    public void prepare() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!hasMsgidIndex(messages)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("MongoDB " + server + ": the runtime did not create " + COLLECTION
                        + " with its msgid index in database " + database.getName() + " within 60 s (schema.init)");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        storeTime = probeStoreTime();
        if (storeTime == StoreTime.CHANGE_STREAM) {
            watch();
        } else if (storeTime == StoreTime.NONE) {
            System.err.printf("bench: MongoDB %s has no change streams (a standalone server?); latency is not"
                    + " measured, and the end of a pass is when the document count reached N%n", server);
        }
    }

    StoreTime storeTime() {
        return storeTime;
    }

    private static boolean hasMsgidIndex(MongoCollection<Document> collection) {
        for (Document index : collection.listIndexes()) {
            if (index.get("key", Document.class).containsKey("msgid")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks the server itself, in a scratch collection: a stamped insert is the stand-in; an insert whose change
     * event arrives means change streams work.
     */
    private StoreTime probeStoreTime() {
        MongoCollection<Document> probe = database.getCollection(PROBE_COLLECTION);
        dropIfExists(PROBE_COLLECTION);
        try {
            probe.insertOne(new Document("_id", 1L));
            Document stored = probe.find(Filters.eq("_id", 1L)).first();
            if (stored != null && stored.get(MongoStandIn.STORED_AT) instanceof Long) {
                return StoreTime.STAND_IN_STAMP;
            }
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = probe.watch(insertsOnly())
                    .maxAwaitTime(100, TimeUnit.MILLISECONDS).cursor()) {
                probe.insertOne(new Document("_id", 2L));
                long deadline = System.nanoTime() + PROBE_WAIT_NANOS;
                while (System.nanoTime() < deadline) {
                    if (nextOrPause(cursor) != null) {
                        return StoreTime.CHANGE_STREAM;
                    }
                }
                return StoreTime.NONE;
            } catch (MongoCommandException e) {
                // 40573: "The $changeStream stage is only supported on replica sets"
                return StoreTime.NONE;
            }
        } finally {
            dropIfExists(PROBE_COLLECTION);
        }
    }

    /** Drops a scratch collection left by an earlier run (the stand-in logs a drop of a missing one as an error). */
    private void dropIfExists(String name) {
        if (database.listCollectionNames().into(new ArrayList<>()).contains(name)) {
            database.getCollection(name).drop();
        }
    }

    private static List<Bson> insertsOnly() {
        // only what the latency needs: the resume token (_id, which a change stream cannot do without) and the key
        return List.of(Aggregates.match(Filters.eq("operationType", "insert")),
                Aggregates.project(Projections.include("operationType", "documentKey")));
    }

    /**
     * The next event, or null. A server that does not wait for events on its own (maxAwaitTime) answers an empty
     * batch at once; then this waits a millisecond instead of asking again in a busy loop.
     */
    private static ChangeStreamDocument<Document> nextOrPause(
            MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor) {
        long asked = System.nanoTime();
        ChangeStreamDocument<Document> event = cursor.tryNext();
        if (event == null && System.nanoTime() - asked < TimeUnit.MILLISECONDS.toNanos(10)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return event;
    }

    private void watch() {
        changes = messages.watch(insertsOnly()).maxAwaitTime(100, TimeUnit.MILLISECONDS).cursor();
        watcher = new Thread(() -> {
            try {
                while (!closing) {
                    ChangeStreamDocument<Document> event = nextOrPause(changes);
                    if (event != null && event.getDocumentKey() != null) {
                        long now = EpochMicros.now();
                        notified.putIfAbsent(event.getDocumentKey().get("_id").asNumber().longValue(), now);
                    }
                }
            } catch (RuntimeException e) {
                if (!closing) {
                    watchFailure = e;
                    System.err.println("bench: the change stream on " + COLLECTION + " failed: " + e);
                }
            }
        }, "bench-mongo-change-stream");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public Ceiling ceiling(BenchRows rows, int batchRows, int connections) {
        MongoCollection<Document> ceiling = database.getCollection(CEILING_COLLECTION);
        MongoCollection<Document> counter = database.getCollection(CEILING_COUNTER);
        dropIfExists(CEILING_COLLECTION);
        dropIfExists(CEILING_COUNTER);
        database.createCollection(CEILING_COLLECTION);
        copyIndexes(messages, ceiling);
        // the counter exists before the writers start: concurrent first upserts would race for it
        counter.insertOne(new Document("_id", COLLECTION).append("seq", 0L));
        AtomicLong rereserved = new AtomicLong();
        double seconds = Batches.write("MongoDB", rows.count(), batchRows, connections, (from, size) -> {
            List<BenchRows.Row> pending = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                pending.add(rows.row(from + k));
            }
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                if (attempt > MAX_RESERVATIONS) {
                    throw new IllegalStateException(pending.size() + " rows still collided on _id after "
                            + MAX_RESERVATIONS + " reservations");
                }
                pending = insertBatch(ceiling, counter, pending);
                if (!pending.isEmpty()) {
                    rereserved.incrementAndGet();
                }
            }
        });
        if (rereserved.get() > 0) {
            // a range handed out twice (mongo-java-server 1.47.0 without MongoStandIn's fix does) or _ids taken
            // by other documents; the runtime retries such collisions too
            System.err.printf("bench: MongoDB ceiling: %d batches took new _ids after a duplicate _id%n",
                    rereserved.get());
        }
        long stored = ceiling.countDocuments();
        ceiling.drop();
        counter.drop();
        return new Ceiling(stored, rows.count() / seconds);
    }

    /**
     * What the runtime does per batch: reserves a range of integer {@code _id}s with {@code $inc} on the counter,
     * then inserts the documents in one unordered bulk write.
     *
     * @return the rows refused for a duplicate {@code _id} (a range handed out twice), to be written again
     */
    private static List<BenchRows.Row> insertBatch(MongoCollection<Document> ceiling,
            MongoCollection<Document> counter, List<BenchRows.Row> rows) {
        int size = rows.size();
        long last = counter.findOneAndUpdate(Filters.eq("_id", COLLECTION), Updates.inc("seq", (long) size),
                RESERVE).getLong("seq");
        List<Document> batch = new ArrayList<>(size);
        for (int k = 0; k < size; k++) {
            batch.add(document(last - size + 1 + k, rows.get(k)));
        }
        try {
            ceiling.insertMany(batch, UNORDERED);
            return List.of();
        } catch (MongoBulkWriteException e) {
            List<BenchRows.Row> again = new ArrayList<>();
            for (BulkWriteError error : e.getWriteErrors()) {
                if (error.getCode() != DUPLICATE_KEY || !error.getMessage().contains("_id_")) {
                    throw e;
                }
                again.add(rows.get(error.getIndex()));
            }
            return again;
        }
    }

    /** One row as the runtime writes it with payload_format plain_text (a UTF-8 payload as a string). */
    static Document document(long id, BenchRows.Row r) {
        return new Document("_id", id).append("topic", r.topic()).append("msgid", r.msgid())
                .append("sender", r.sender()).append("qos", r.qos()).append("retain", r.retain())
                .append("payload", new String(r.payload(), StandardCharsets.UTF_8))
                .append("arrived", r.arrivedMillis() / 1000);
    }

    private static void copyIndexes(MongoCollection<Document> from, MongoCollection<Document> to) {
        for (Document index : from.listIndexes()) {
            String name = index.getString("name");
            if ("_id_".equals(name)) {
                continue;
            }
            to.createIndex(index.get("key", Document.class),
                    new IndexOptions().name(name).unique(Boolean.TRUE.equals(index.getBoolean("unique"))));
        }
    }

    @Override
    public long count() {
        if (storeTime == StoreTime.CHANGE_STREAM) {
            return notified.size();
        }
        return countDocuments();
    }

    /** The publishers' backlog and the end-of-pass wait both count; the time of the last change is shared. */
    private synchronized long countDocuments() {
        long now = messages.estimatedDocumentCount();
        if (now != lastCount) {
            lastCount = now;
            lastCountChangeMicros = EpochMicros.now();
        }
        return now;
    }

    @Override
    public long pollMillis() {
        return switch (storeTime) {
            case STAND_IN_STAMP -> 100;
            case CHANGE_STREAM -> 50;
            case NONE -> 20;
        };
    }

    @Override
    public Verification verify() {
        if (watchFailure != null) {
            throw new IllegalStateException("the change stream on " + COLLECTION + " failed", watchFailure);
        }
        LatencyStats latency = new LatencyStats();
        Set<String> msgids = new HashSet<>();
        Set<String> distinct = new HashSet<>();
        long rows = 0;
        long last = 0;
        for (Document d : messages.find().projection(Projections.include("topic", "msgid", "payload",
                MongoStandIn.STORED_AT)).batchSize(10_000)) {
            rows++;
            msgids.add(String.valueOf(d.get("msgid")));
            byte[] payload = payloadBytes(d.get("payload"));
            distinct.add(d.getString("topic") + " " + BenchPayload.sequence(payload));
            Long stored = switch (storeTime) {
                case STAND_IN_STAMP -> d.get(MongoStandIn.STORED_AT) instanceof Long l ? l : null;
                case CHANGE_STREAM -> notified.get(((Number) d.get("_id")).longValue());
                case NONE -> null;
            };
            if (stored != null) {
                latency.record(stored - BenchPayload.publishMicros(payload));
                last = Math.max(last, stored);
            }
        }
        if (storeTime == StoreTime.NONE) {
            last = lastCountChangeMicros;
        }
        return new Verification(rows, msgids.size(), distinct.size(), last, latency.summary());
    }

    private static byte[] payloadBytes(Object payload) {
        if (payload instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (payload instanceof Binary b) {
            return b.getData();
        }
        throw new IllegalStateException(COLLECTION + ": a payload of type "
                + (payload == null ? "null" : payload.getClass().getSimpleName())
                + " (the benchmark's conf stores plain_text, a string)");
    }

    @Override
    public void reset() {
        messages.deleteMany(new Document());
        notified.clear();
        synchronized (this) {
            lastCount = -1;
        }
    }

    @Override
    public String latencyDefinition() {
        return switch (storeTime) {
            case STAND_IN_STAMP -> "publish (time stamp in the payload) to the document's insert (" + COLLECTION
                    + "." + MongoStandIn.STORED_AT + ", stamped by the stand-in MongoStandIn at insert, before the"
                    + " write is acknowledged)";
            case CHANGE_STREAM -> "publish (time stamp in the payload) to the insert's change-stream event on "
                    + COLLECTION + " reaching the benchmark";
            case NONE -> "not measured (no change streams on this MongoDB: a standalone server); the end of a"
                    + " pass is when the benchmark saw the document count reach N (polled every 20 ms)";
        };
    }

    @Override
    public void close() {
        closing = true;
        if (watcher != null) {
            try {
                watcher.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (changes != null) {
            changes.close();
        }
        client.close();
    }
}
