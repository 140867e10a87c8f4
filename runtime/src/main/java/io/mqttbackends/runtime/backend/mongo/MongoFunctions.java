package io.mqttbackends.runtime.backend.mongo;

import io.mqttbackends.model.LogText;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PayloadFormat;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.FunctionNames;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageEvent;
import io.quarkus.mongodb.FindOptions;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.bson.Document;
import org.jboss.logging.Logger;

/**
 * The built-in functions of EMQX's {@code emqx_backend_mongo} (docs/mongodb.md) on EMQX 4.4's collections
 * ({@link MongoSchema}). The hook stage applies the guards every database shares (QoS 0 not stored by
 * {@code on_message_publish}, replays never stored, retain only for retained non-empty messages) before calling.
 *
 * <p>Times: {@code online_at}/{@code offline_at} in epoch milliseconds (EMQX 4.2's code); {@code arrived} in epoch
 * seconds (EMQX's documented documents), which {@code offline_opts.time_range} compares against.
 */
final class MongoFunctions {
    private static final Logger LOG = Logger.getLogger(MongoFunctions.class);

    enum Name {
        ON_CLIENT_CONNECTED,
        ON_SUBSCRIBE_LOOKUP,
        ON_CLIENT_DISCONNECTED,
        ON_MESSAGE_FETCH,
        ON_RETAIN_LOOKUP,
        ON_ACKED_DELETE,
        ON_MESSAGE_PUBLISH,
        ON_MESSAGE_STORE,
        ON_MESSAGE_RETAIN,
        ON_RETAIN_DELETE,
        ON_MESSAGE_ACKED
    }

    private static final FunctionNames<Name> FUNCTIONS = FunctionNames.of("mongo", Name.class);
    static final Set<String> NAMES = FUNCTIONS.names();
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private final MongoPool pool;

    MongoFunctions(MongoPool pool) {
        this.pool = pool;
    }

    /**
     * The action of a function hook.
     *
     * @throws ConfigException when the function does not exist
     */
    PoolAction<MongoWrite> action(String function, HookConfig hook) {
        Name name = FUNCTIONS.resolve(function, hook);
        PayloadFormat format = hook.payloadFormat().orElse(PayloadFormat.PLAIN_TEXT);
        return switch (name) {
            case ON_CLIENT_CONNECTED -> change(MongoSchema.CLIENT, event -> new UpdateOneModel<>(
                    new Document("clientid", event.clientid()),
                    new Document("$set", new Document("state", 1).append("node", event.node())
                            .append("online_at", event.timestamp()).append("offline_at", null)), UPSERT));
            case ON_CLIENT_DISCONNECTED -> change(MongoSchema.CLIENT, event -> new UpdateOneModel<>(
                    new Document("clientid", event.clientid()),
                    new Document("$set", new Document("state", 0).append("offline_at", event.timestamp())), UPSERT));
            case ON_SUBSCRIBE_LOOKUP -> new PoolAction.Read<>(this::subscribeLookup);
            case ON_MESSAGE_FETCH -> fetch(hook.offlineOpts());
            case ON_RETAIN_LOOKUP -> new PoolAction.Read<>(this::retainLookup);
            case ON_ACKED_DELETE -> change(MongoSchema.ACKED, event -> new DeleteOneModel<>(
                    new Document("clientid", event.clientid()).append("topic", event.topic().orElseThrow())));
            case ON_MESSAGE_PUBLISH, ON_MESSAGE_STORE -> new PoolAction.Write<>(event -> {
                Message m = message(event);
                return new MongoWrite.StoreMessage(m.msgid(), new Document("topic", m.topic())
                        .append("msgid", m.msgid()).append("sender", m.from()).append("qos", m.qos())
                        .append("retain", m.retain() ? 1 : 0).append("payload", MongoPayloads.store(m.payload(), format))
                        .append("arrived", arrivedSeconds(m)));
            });
            case ON_MESSAGE_RETAIN -> change(MongoSchema.RETAIN, event -> {
                Message m = message(event);
                return new UpdateOneModel<>(new Document("topic", m.topic()), new Document("$set",
                        new Document("topic", m.topic()).append("msgid", m.msgid()).append("sender", m.from())
                                .append("qos", m.qos()).append("payload", MongoPayloads.store(m.payload(), format))
                                .append("arrived", arrivedSeconds(m))), UPSERT);
            });
            case ON_RETAIN_DELETE -> change(MongoSchema.RETAIN,
                    event -> new DeleteOneModel<>(new Document("topic", event.topic().orElseThrow())));
            case ON_MESSAGE_ACKED -> new PoolAction.Write<>(event -> new MongoWrite.MoveCursor(event.clientid(),
                    message(event).topic(), message(event).storedMsgid()));
        };
    }

    private static PoolAction<MongoWrite> change(String collection,
            Function<Event, com.mongodb.client.model.WriteModel<Document>> model) {
        return new PoolAction.Write<>(event -> new MongoWrite.Change(collection, model.apply(event)));
    }

    private static Message message(Event event) {
        return ((MessageEvent) event).message();
    }

    private static long arrivedSeconds(Message m) {
        return m.timestamp() / 1000;
    }

    /** The stored subscriptions; a qos that is not 0, 1 or 2 (after truncation, as EMQX) is skipped with a warning. */
    private Uni<ActionOutcome> subscribeLookup(Event event) {
        return pool.read(MongoSchema.SUB, new Document("clientid", event.clientid()), new FindOptions())
                .onItem().transform(documents -> {
                    List<Subscription> found = new ArrayList<>();
                    for (Document d : documents) {
                        Object topic = d.get("topic");
                        Optional<Integer> qos = qos(d.get("qos"));
                        if (topic instanceof String filter && !filter.isEmpty() && qos.isPresent()) {
                            found.add(new Subscription(filter, qos.get()));
                        } else {
                            LOG.warnf("%s: an %s document of the connecting client has topic %s and qos %s, not a"
                                    + " topic and 0, 1 or 2; not subscribed", pool.config().qualifiedName(),
                                    MongoSchema.SUB, printable(topic), printable(d.get("qos")));
                        }
                    }
                    return found.isEmpty() ? ActionOutcome.NONE
                            : new ActionOutcome.SubscribeClient(event.clientid(), found);
                });
    }

    /** A qos as an application may have stored it: a number (truncated) or its decimal text. */
    static Optional<Integer> qos(Object value) {
        double number;
        if (value instanceof Number n) {
            number = n.doubleValue();
        } else if (value instanceof String text) {
            try {
                number = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        } else {
            return Optional.empty();
        }
        int qos = (int) number;
        return qos >= 0 && qos <= 2 ? Optional.of(qos) : Optional.empty();
    }

    /** A stored value for a log line: a bounded, escaped excerpt in quotes (it came from a client). */
    private static String printable(Object value) {
        return value == null ? "(none)" : "'" + LogText.of(value, 64) + "'";
    }

    /**
     * EMQX's offline fetch: the first subscription places the cursor at the topic's newest stored message (0 when
     * there is none) and delivers nothing; later ones get the messages stored after the cursor, the newest
     * {@code max_returned_count} within {@code time_range}, oldest first. Fetching does not move the cursor: acks do.
     */
    private PoolAction<MongoWrite> fetch(OfflineOpts opts) {
        return new PoolAction.Read<>(event -> {
            String clientid = event.clientid();
            String topic = event.topic().orElseThrow();
            Document key = new Document("clientid", clientid).append("topic", topic);
            return pool.read(MongoSchema.ACKED, key, new FindOptions().limit(1)).onItem().transformToUni(cursor -> {
                if (cursor.isEmpty()) {
                    return placeFirstCursor(key, topic);
                }
                Object mongoId = cursor.get(0).get("mongo_id");
                long after = mongoId instanceof Number n ? n.longValue() : 0;
                Document filter = new Document("topic", topic).append("_id", new Document("$gt", after));
                opts.timeRange().ifPresent(range -> filter.append("arrived",
                        new Document("$gte", System.currentTimeMillis() / 1000 - range.toSeconds())));
                FindOptions options = new FindOptions().sort(new Document("_id", -1));
                opts.maxReturnedCount().ifPresent(options::limit);
                return pool.read(MongoSchema.MSG, filter, options).onItem().transform(documents -> {
                    List<StoredMessage> messages = new ArrayList<>(documents.size());
                    documents.forEach(d -> messages.add(stored(d, false)));
                    Collections.reverse(messages);
                    return messages.isEmpty() ? ActionOutcome.NONE : new ActionOutcome.Deliver(clientid, messages);
                });
            });
        });
    }

    /** {@code $max}: an ack that placed the cursor meanwhile, further on, wins. */
    private Uni<ActionOutcome> placeFirstCursor(Document key, String topic) {
        return pool.collection(MongoSchema.MSG).find(new Document("topic", topic).append("_id",
                                MongoPool.NUMERIC_ID.get("_id")),
                        new FindOptions().sort(new Document("_id", -1)).limit(1).projection(new Document("_id", 1)))
                .collect().first()
                .onItem().transformToUni(newest -> pool.acknowledged(pool.acknowledgedDatabase()
                        .getCollection(MongoSchema.ACKED).updateOne(key, new Document("$max", new Document("mongo_id",
                                newest == null ? 0L : ((Number) newest.get("_id")).longValue())), UPSERT)))
                .onItem().transform(done -> ActionOutcome.NONE);
    }

    private Uni<ActionOutcome> retainLookup(Event event) {
        return pool.read(MongoSchema.RETAIN, new Document("topic", event.topic().orElseThrow()),
                        new FindOptions().limit(1))
                .onItem().transform(documents -> documents.isEmpty() ? ActionOutcome.NONE
                        : new ActionOutcome.Deliver(event.clientid(), List.of(stored(documents.get(0), true))));
    }

    /** A stored message document as a message to replay; fields an application left out take neutral values. */
    private static StoredMessage stored(Document d, boolean retained) {
        Object arrived = d.get("arrived");
        return new StoredMessage(String.valueOf(d.get("msgid")), String.valueOf(d.get("topic")),
                d.get("sender") == null ? "" : String.valueOf(d.get("sender")),
                qos(d.get("qos")).orElse(1), retained, MongoPayloads.replay(d.get("payload")),
                arrived instanceof Number n ? n.longValue() * 1000 : 0);
    }
}
