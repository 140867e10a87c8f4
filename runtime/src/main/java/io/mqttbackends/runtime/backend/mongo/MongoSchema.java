package io.mqttbackends.runtime.backend.mongo;

import com.mongodb.MongoCommandException;
import com.mongodb.client.model.IndexOptions;
import io.mqttbackends.model.conf.PoolConfig;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.jboss.logging.Logger;

/**
 * EMQX 4.4's collections (docs/mongodb.md "Documents") and what {@code schema.init} creates in them. Besides EMQX's
 * documented
 * indexes: unique {@code mqtt_client.clientid} (so racing upserts make one document), {@code mqtt_msg {topic, _id}}
 * (the offline fetch), unique {@code mqtt_msg.msgid} (a redelivered message is stored once), unique
 * {@code mqtt_retain.topic} and unique {@code mqtt_acked {clientid, topic}} (one cursor per subscription); and the
 * counter collection {@code mqtt_seq} that hands out {@code mqtt_msg._id}s.
 */
final class MongoSchema {
    private static final Logger LOG = Logger.getLogger(MongoSchema.class);

    static final String CLIENT = "mqtt_client";
    static final String SUB = "mqtt_sub";
    static final String MSG = "mqtt_msg";
    static final String RETAIN = "mqtt_retain";
    static final String ACKED = "mqtt_acked";
    static final String COUNTERS = "mqtt_seq";

    /** MongoDB's codes for "that collection exists" and "an index of that key or name exists, otherwise". */
    private static final int NAMESPACE_EXISTS = 48;
    private static final Set<Integer> INDEX_CONFLICTS = Set.of(85, 86);

    /** One index of the shipped schema. */
    record Index(String collection, Document keys, boolean unique) {
    }

    static final List<Index> INDEXES = List.of(
            new Index(CLIENT, new Document("clientid", 1), true),
            new Index(SUB, new Document("clientid", 1), false),
            // EMQX documents {sender:1, topic:2}; key values other than 1 and -1 are refused by current servers.
            new Index(MSG, new Document("sender", 1).append("topic", 1), false),
            new Index(MSG, new Document("topic", 1).append("_id", 1), false),
            new Index(MSG, new Document("msgid", 1), true),
            new Index(RETAIN, new Document("topic", 1), true),
            new Index(ACKED, new Document("clientid", 1).append("topic", 1), true));

    private MongoSchema() {
    }

    /**
     * Creates what is missing, one step after another; idempotent. An index the database already has under the same
     * key with other options (EMQX's own, not unique) is kept, with a warning saying what that costs.
     */
    static Uni<Void> create(ReactiveMongoDatabase database, PoolConfig config) {
        return database.listCollectionNames().collect().asSet()
                .onItem().transformToMulti(existing -> Multi.createFrom().iterable(
                        List.of(CLIENT, SUB, MSG, RETAIN, ACKED, COUNTERS)).select().where(c -> !existing.contains(c)))
                .onItem().transformToUniAndConcatenate(name -> database.createCollection(name)
                        .onFailure(e -> code(e) == NAMESPACE_EXISTS).recoverWithNull())
                .collect().last()
                .onItem().transformToMulti(done -> Multi.createFrom().iterable(INDEXES))
                .onItem().transformToUniAndConcatenate(index -> database.getCollection(index.collection())
                        .createIndex(index.keys(), new IndexOptions().unique(index.unique()))
                        .onFailure(e -> INDEX_CONFLICTS.contains(code(e))).recoverWithItem(e -> {
                            LOG.warnf("%s: %s already has an index on %s with other options (%s); kept as it is%s",
                                    config.qualifiedName(), index.collection(), index.keys().toJson(),
                                    ((MongoCommandException) e).getErrorMessage(), index.unique()
                                            ? ", so MongoDB does not keep that key unique" : "");
                            return "";
                        })
                        .onFailure(e -> code(e) == MongoPool.DUPLICATE_KEY).transform(e -> new IllegalStateException(
                                config.qualifiedName() + ": cannot create the unique index " + index.keys().toJson()
                                        + " on " + index.collection() + ": documents there share a value of it ("
                                        + ((MongoCommandException) e).getErrorMessage() + ")", e)))
                .collect().last()
                .replaceWithVoid();
    }

    private static int code(Throwable failure) {
        return failure instanceof MongoCommandException command ? command.getErrorCode() : -1;
    }
}
