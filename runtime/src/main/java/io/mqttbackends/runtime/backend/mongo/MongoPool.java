package io.mqttbackends.runtime.backend.mongo;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import com.mongodb.ReadPreference;
import com.mongodb.WriteError;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.reactivestreams.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.HookActions;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.PoolTraits;
import io.mqttbackends.runtime.backend.WriteResult;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BSONException;
import org.bson.Document;
import org.bson.codecs.configuration.CodecConfigurationException;
import org.bson.conversions.Bson;
import org.reactivestreams.Publisher;
import mutiny.zero.flow.adapters.AdaptersToFlow;

/**
 * One {@code backend.mongo.<pool>}: a driver client and the actions compiled against it. Writes apply per item
 * ({@link BatchGuarantee#PER_ITEM}), each idempotent ({@link MongoWrite}).
 *
 * <p>A batch goes in at most four round trips: the ids of its messages are reserved from the counter document, its
 * messages inserted in one bulk write, the messages its acks refer to looked up, then each other collection's changes
 * written as one ordered bulk write. A message's {@code _id} thus follows the order of storing across batches, pools,
 * replicas and restarts, and nothing but that order is read from it.
 */
final class MongoPool implements BackendPool<MongoWrite> {

    /**
     * Matches the documents whose {@code _id} is a number: a comparison matches values of its own type only, and
     * an application may have stored documents with ObjectIds or text ids, which sort after numbers.
     */
    static final Document NUMERIC_ID = new Document("_id", new Document("$gte", Long.MIN_VALUE));

    /** The MongoDB error code of a duplicate key. */
    static final int DUPLICATE_KEY = 11000;

    /**
     * Server error codes meaning "not now" rather than "wrong": authentication and authorisation refused (an
     * administrator fixes those; the events wait), shutting down, stepping down, not primary, recovering.
     */
    private static final Set<Integer> UNAVAILABLE_CODES = Set.of(6, 7, 13, 18, 89, 91, 189, 262, 9001, 10107,
            11600, 11602, 13435, 13436, 8000);
    /**
     * Codes meaning this document or value can never be written: bad value, parse failure, type mismatch, document
     * or key too large, invalid field names, immutable field.
     */
    private static final Set<Integer> PERMANENT_CODES = Set.of(2, 9, 14, 52, 55, 56, 57, 66, 10334, 17280, 17419,
            16755, 15974);

    private final PoolConfig config;
    private final PoolTraits traits;
    private final ReactiveMongoClient client;
    private final ReactiveMongoDatabase database;
    private final MongoDatabase acknowledged;
    private final ReadPreference reads;
    private final MongoFunctions functions;
    /** Whether the counter is known to be at or past every {@code _id} in {@code mqtt_msg}. */
    private final AtomicBoolean counterSeeded = new AtomicBoolean();

    /**
     * @param acknowledged the pool's database through the driver, writing acknowledged whatever {@code w_mode} says:
     *                     for the counter and cursor placement, whose answer the pool reads
     */
    MongoPool(PoolConfig config, ReactiveMongoClient client, MongoDatabase acknowledged, ReadPreference reads) {
        this.config = config;
        this.acknowledged = acknowledged;
        this.traits = PoolTraits.of(config, BatchGuarantee.PER_ITEM);
        this.client = client;
        this.database = client.getDatabase(config.get("database"));
        this.reads = reads;
        this.functions = new MongoFunctions(this);
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public PoolTraits traits() {
        return traits;
    }

    @Override
    public PoolAction<MongoWrite> prepare(HookConfig hook) {
        if (!(hook.action() instanceof ActionSpec.Function function)) {
            // MongoDB has no statement language: this throws the loader's error for the hook.
            HookActions.statements(hook);
            throw new IllegalStateException(hook.location() + ": statements on a MongoDB pool");
        }
        return functions.action(function.name(), hook);
    }

    /** A collection, read from the primary (for reads that feed writes). */
    ReactiveMongoCollection<Document> collection(String name) {
        return database.getCollection(name);
    }

    /** A collection for the functions' own reads, with the pool's {@code r_mode}. */
    ReactiveMongoCollection<Document> readCollection(String name) {
        return database.getCollection(name).withReadPreference(reads);
    }

    @Override
    public Uni<List<WriteResult>> apply(List<MongoWrite> writes) {
        WriteResult[] results = new WriteResult[writes.size()];
        return storeMessages(writes, results)
                .onItem().transformToUni(stored -> resolveCursors(writes, results))
                .onItem().transformToUni(changes -> applyChanges(writes, changes, results))
                .onItem().transform(done -> List.of(results));
    }

    /**
     * Reserves ids for the batch's messages and inserts them in one unordered bulk write (their order is in their
     * ids, not in the order the server applies them). A duplicate {@code msgid} is a message stored before (a
     * redelivery): applied.
     */
    private Uni<Void> storeMessages(List<MongoWrite> writes, WriteResult[] results) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i) instanceof MongoWrite.StoreMessage) {
                indexes.add(i);
            }
        }
        if (indexes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return reserveIds(indexes.size()).onItem().transformToUni(first -> {
            List<WriteModel<Document>> inserts = new ArrayList<>(indexes.size());
            for (int k = 0; k < indexes.size(); k++) {
                Document message = ((MongoWrite.StoreMessage) writes.get(indexes.get(k))).document();
                inserts.add(new InsertOneModel<>(new Document("_id", first + k).append("topic", message.get("topic"))
                        .append("msgid", message.get("msgid")).append("sender", message.get("sender"))
                        .append("qos", message.get("qos")).append("retain", message.get("retain"))
                        .append("payload", message.get("payload")).append("arrived", message.get("arrived"))));
            }
            return collection(MongoSchema.MSG).bulkWrite(inserts, new BulkWriteOptions().ordered(false))
                    .onItem().transform(done -> {
                        indexes.forEach(i -> results[i] = WriteResult.APPLIED);
                        return List.<BulkWriteError>of();
                    })
                    .onFailure(MongoBulkWriteException.class).recoverWithItem(
                            failure -> ((MongoBulkWriteException) failure).getWriteErrors())
                    .onItem().transformToUni(errors -> settleInserts(writes, indexes, errors, results));
        });
    }

    /**
     * The results of an unordered insert: every message without an error is stored; one refused for a duplicate key
     * is stored already if a message of its {@code msgid} exists (the unique msgid index), else it collided on
     * {@code _id} with a document the counter did not know of, and the counter is seeded again before a retry.
     */
    private Uni<Void> settleInserts(List<MongoWrite> writes, List<Integer> indexes, List<BulkWriteError> errors,
            WriteResult[] results) {
        indexes.forEach(i -> results[i] = WriteResult.APPLIED);
        Map<String, Integer> duplicates = new HashMap<>();
        for (BulkWriteError error : errors) {
            int i = indexes.get(error.getIndex());
            MongoWriteException cause = new MongoWriteException(
                    new WriteError(error.getCode(), error.getMessage(), error.getDetails()), null, Set.of());
            results[i] = new WriteResult.Failed(cause);
            if (error.getCode() == DUPLICATE_KEY) {
                duplicates.put(((MongoWrite.StoreMessage) writes.get(i)).msgid(), i);
            }
        }
        if (duplicates.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return collection(MongoSchema.MSG)
                .find(new Document("msgid", new Document("$in", List.copyOf(duplicates.keySet()))),
                        new FindOptions().projection(new Document("msgid", 1)))
                .collect().asList()
                .onItem().transform(found -> {
                    Set<String> stored = new HashSet<>();
                    found.forEach(d -> stored.add(d.getString("msgid")));
                    duplicates.forEach((msgid, i) -> {
                        if (stored.contains(msgid)) {
                            results[i] = WriteResult.APPLIED;
                        } else {
                            counterSeeded.set(false);
                            results[i] = new WriteResult.NotApplied(((WriteResult.Failed) results[i]).cause());
                        }
                    });
                    return null;
                });
    }

    /**
     * The first of {@code count} consecutive new message ids, from the counter document; the first time, the counter
     * is moved past the largest numeric {@code _id} already stored (EMQX's data, or a lost counter).
     */
    private Uni<Long> reserveIds(int count) {
        Uni<Void> seeded = counterSeeded.get() ? Uni.createFrom().voidItem() : seedCounter();
        return seeded.onItem().transformToUni(ok -> acknowledged(acknowledged.getCollection(MongoSchema.COUNTERS)
                        .findOneAndUpdate(new Document("_id", MongoSchema.MSG),
                                new Document("$inc", new Document("seq", (long) count)),
                                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER))))
                .onItem().transform(counter -> ((Number) counter.get("seq")).longValue() - count + 1);
    }

    private Uni<Void> seedCounter() {
        return collection(MongoSchema.MSG)
                .find(NUMERIC_ID, new FindOptions()
                        .sort(new Document("_id", -1)).limit(1).projection(new Document("_id", 1)))
                .collect().first()
                .onItem().transformToUni(newest -> {
                    long max = newest == null ? 0 : ((Number) newest.get("_id")).longValue();
                    return acknowledged(acknowledged.getCollection(MongoSchema.COUNTERS).updateOne(
                            new Document("_id", MongoSchema.MSG), new Document("$max", new Document("seq", max)),
                            new UpdateOptions().upsert(true)));
                })
                .onItem().invoke(done -> counterSeeded.set(true))
                .replaceWithVoid();
    }

    /**
     * Each cursor move as the update it makes: the {@code _id} of its message, looked up on the primary after this
     * batch's messages were stored. A move whose message this batch failed to store waits for it (not applied); one
     * whose message is not stored at all has nothing to do.
     */
    private Uni<Map<Integer, WriteModel<Document>>> resolveCursors(List<MongoWrite> writes, WriteResult[] results) {
        Map<String, WriteResult> unstored = new HashMap<>();
        Set<String> msgids = new HashSet<>();
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i) instanceof MongoWrite.StoreMessage store && !(results[i] instanceof WriteResult.Applied)) {
                unstored.put(store.msgid(), results[i]);
            } else if (writes.get(i) instanceof MongoWrite.MoveCursor move) {
                msgids.add(move.msgid());
            }
        }
        Uni<Map<String, Long>> ids = msgids.isEmpty() ? Uni.createFrom().item(Map.of())
                : collection(MongoSchema.MSG)
                        .find(new Document("msgid", new Document("$in", List.copyOf(msgids))),
                                new FindOptions().projection(new Document("_id", 1).append("msgid", 1)
                                        .append("topic", 1)))
                        .select().where(d -> d.get("_id") instanceof Number)
                        .collect().asMap(d -> d.getString("msgid") + '\0' + d.getString("topic"),
                                d -> ((Number) d.get("_id")).longValue());
        return ids.onItem().transform(found -> {
            Map<Integer, WriteModel<Document>> changes = new LinkedHashMap<>();
            for (int i = 0; i < writes.size(); i++) {
                MongoWrite write = writes.get(i);
                if (write instanceof MongoWrite.Change change) {
                    changes.put(i, change.model());
                } else if (write instanceof MongoWrite.MoveCursor move) {
                    WriteResult waiting = unstored.get(move.msgid());
                    Long id = found.get(move.msgid() + '\0' + move.topic());
                    if (waiting != null) {
                        results[i] = new WriteResult.NotApplied(cause(waiting));
                    } else if (id == null) {
                        results[i] = WriteResult.APPLIED;
                    } else {
                        changes.put(i, new UpdateOneModel<>(
                                new Document("clientid", move.clientid()).append("topic", move.topic()),
                                new Document("$max", new Document("mongo_id", id)), new UpdateOptions().upsert(true)));
                    }
                }
            }
            return changes;
        });
    }

    private static Throwable cause(WriteResult result) {
        return result instanceof WriteResult.Failed f ? f.cause() : ((WriteResult.NotApplied) result).cause();
    }

    /**
     * Each collection's changes as one ordered bulk write, the collections side by side: a change that fails stops
     * its collection's later changes (not applied, so retried in order), not the other collections'.
     */
    private Uni<Void> applyChanges(List<MongoWrite> writes, Map<Integer, WriteModel<Document>> changes,
            WriteResult[] results) {
        Map<String, List<Integer>> byCollection = new LinkedHashMap<>();
        changes.keySet().forEach(i -> byCollection.computeIfAbsent(collectionOf(writes.get(i)),
                c -> new ArrayList<>()).add(i));
        if (byCollection.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> bulks = new ArrayList<>();
        byCollection.forEach((name, indexes) -> bulks.add(collection(name)
                .bulkWrite(indexes.stream().map(changes::get).toList(), new BulkWriteOptions().ordered(true))
                .onItem().transform(done -> {
                    indexes.forEach(i -> results[i] = WriteResult.APPLIED);
                    return (Void) null;
                })
                .onFailure().recoverWithItem(failure -> {
                    settleOrdered(indexes, failure, results);
                    return null;
                })));
        return Uni.combine().all().unis(bulks).discardItems();
    }

    /** An ordered bulk write stops at its first error: what came before applied, what came after did not. */
    private static void settleOrdered(List<Integer> indexes, Throwable failure, WriteResult[] results) {
        int failedAt = -1;
        Throwable cause = failure;
        if (failure instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()) {
            BulkWriteError error = bulk.getWriteErrors().get(0);
            failedAt = error.getIndex();
            cause = new MongoWriteException(new WriteError(error.getCode(), error.getMessage(), error.getDetails()),
                    bulk.getServerAddress(), bulk.getErrorLabels());
        }
        for (int k = 0; k < indexes.size(); k++) {
            if (k < failedAt) {
                results[indexes.get(k)] = WriteResult.APPLIED;
            } else if (k == failedAt) {
                results[indexes.get(k)] = new WriteResult.Failed(cause);
            } else {
                results[indexes.get(k)] = new WriteResult.NotApplied(cause);
            }
        }
    }

    private static String collectionOf(MongoWrite write) {
        if (write instanceof MongoWrite.Change change) {
            return change.collection();
        }
        return write instanceof MongoWrite.MoveCursor ? MongoSchema.ACKED : MongoSchema.MSG;
    }

    @Override
    public Uni<Void> ping() {
        return database.runCommand(new Document("ping", 1)).replaceWithVoid();
    }

    @Override
    public Uni<Void> initSchema() {
        return MongoSchema.create(database, config);
    }

    /**
     * No reply at all (no server selected, socket errors, timeouts), a server that is stepping down or refuses our
     * credentials: unavailable. A value the server or the driver can never take (too large, bad field names, not
     * encodable): permanent. Write concern failures, conflicts, duplicate keys of racing upserts and other server
     * errors: transient.
     */
    @Override
    public FailureClass classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MongoSecurityException || t instanceof MongoTimeoutException
                    || t instanceof MongoSocketException || t instanceof MongoNotPrimaryException
                    || t instanceof MongoNodeIsRecoveringException || t instanceof MongoInterruptedException
                    || t instanceof IOException) {
                return FailureClass.UNAVAILABLE;
            }
            if (t instanceof MongoWriteConcernException) {
                return FailureClass.TRANSIENT;
            }
            if (t instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()) {
                return byCode(bulk.getWriteErrors().get(0).getCode());
            }
            if (t instanceof MongoWriteException write) {
                return byCode(write.getError().getCode());
            }
            if (t instanceof MongoServerException server) {
                return byCode(server.getCode());
            }
            if (t instanceof BSONException || t instanceof CodecConfigurationException
                    || t instanceof IllegalArgumentException) {
                return FailureClass.PERMANENT;
            }
            if (t instanceof MongoException mongo && mongo.getCode() > 0) {
                return byCode(mongo.getCode());
            }
        }
        return FailureClass.TRANSIENT;
    }

    private static FailureClass byCode(int code) {
        if (UNAVAILABLE_CODES.contains(code)) {
            return FailureClass.UNAVAILABLE;
        }
        return PERMANENT_CODES.contains(code) ? FailureClass.PERMANENT : FailureClass.TRANSIENT;
    }

    /** The driver closes its connections synchronously: off the event loop. */
    @Override
    public Uni<Void> close() {
        return Uni.createFrom().voidItem().onItem().invoke(client::close)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** A write whose answer the pool reads (the counter, the first cursor), acknowledged whatever w_mode says. */
    <T> Uni<T> acknowledged(Publisher<T> publisher) {
        return Uni.createFrom().publisher(AdaptersToFlow.publisher(publisher));
    }

    MongoDatabase acknowledgedDatabase() {
        return acknowledged;
    }

    /** A read's filter and options on the functions' read collection; for {@link MongoFunctions}. */
    Uni<List<Document>> read(String collection, Bson filter, FindOptions options) {
        return readCollection(collection).find(filter, options).collect().asList();
    }
}
