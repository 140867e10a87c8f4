package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.model.LogText;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.backend.FunctionNames;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The built-in functions of EMQX's {@code emqx_backend_redis} (docs/redis.md) on EMQX 4.4's key layout:
 *
 * <pre>
 * mqtt:client:{clientid}         hash   state 1|0, online_at, offline_at ("undefined" until the first disconnect)
 * mqtt:node:{node}               hash   {clientid} -> connect time
 * mqtt:sub:{clientid}            hash   {topic} -> {qos}, written by applications, read by on_subscribe_lookup
 * mqtt:msg:{msgid}               hash   id, from, qos, topic, payload, ts, retain (true|false); TTL expired_time
 * mqtt:msg:{topic}               zset   msgids scored by arrival time (ms); never expires, expired members pruned
 * mqtt:acked:{clientid}:{topic}  string the last acked msgid (pubsub mode)
 * mqtt:retain:{topic}            string msgid of the retained message; TTL expired_time
 * mqtt:latest_msg:{topic}        hash   fields as mqtt:msg:{msgid}; TTL expired_time (keep-latest mode)
 * </pre>
 *
 * <p>Every time is epoch milliseconds: the event's own time (when the broker saw it), not the time the runtime got
 * round to it. The hook stage applies EMQX's guards before calling (store QoS&gt;0 or retained, fetch only for new
 * QoS&gt;0 subscriptions, retain only non-empty retained, delete only on empty retained), so each function does its
 * work unconditionally.
 *
 * <p>Departures from EMQX, on purpose: sorted-set members are scored by arrival time instead of all 1, so replays
 * come in publish order (EMQX's order was the msgid's text order); the pubsub cursor is compared by score, not rank,
 * and when its message has left the set (expired and pruned) the whole set is replayed rather than nothing; the
 * pubsub ack never moves the cursor back (except on a cluster, where the cursor and the set live on different
 * nodes and the ack is EMQX's plain {@code SET}).
 */
final class RedisFunctions {
    private static final Logger LOG = Logger.getLogger(RedisFunctions.class);

    /** The functions: the conf names upper-cased. */
    enum Name {
        ON_CLIENT_CONNECTED,
        ON_CLIENT_DISCONNECTED,
        ON_SUBSCRIBE_LOOKUP,
        ON_MESSAGE_FETCH_FOR_QUEUE,
        ON_MESSAGE_FETCH_FOR_PUBSUB,
        ON_MESSAGE_FETCH_FOR_KEEP_LATEST,
        ON_RETAIN_LOOKUP,
        ON_MESSAGE_PUBLISH,
        ON_MESSAGE_STORE_KEEP_LATEST,
        ON_MESSAGE_RETAIN,
        ON_RETAIN_DELETE,
        ON_MESSAGE_ACKED_FOR_QUEUE,
        ON_MESSAGE_ACKED_FOR_PUBSUB,
        ON_MESSAGE_ACKED_FOR_KEEP_LATEST
    }

    static final FunctionNames<Name> FUNCTIONS = FunctionNames.of("redis", Name.class);

    /** What EMQX wrote into {@code offline_at} of a client that never disconnected. */
    static final String UNDEFINED = "undefined";
    /** The pubsub cursor of a subscription that began on an empty topic: before every message. */
    static final String NO_MESSAGE = "0";

    /**
     * The pubsub ack: move the cursor ({@code KEYS[1]}) to the acked msgid ({@code ARGV[1]}) unless the current
     * cursor is later in the topic's set ({@code KEYS[2]}), or the acked message is no longer in the set while the
     * cursor is. One script, so concurrent acks cannot interleave a read and a write.
     */
    private static final String ACK_FORWARD = """
            local new = redis.call('ZSCORE', KEYS[2], ARGV[1])
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local old = redis.call('ZSCORE', KEYS[2], cur)
              if old and not new then return 0 end
              if old and new and (tonumber(old) > tonumber(new) or (old == new and cur > ARGV[1])) then
                return 0
              end
            end
            redis.call('SET', KEYS[1], ARGV[1])
            return 1""";

    private final RedisPool pool;

    RedisFunctions(RedisPool pool) {
        this.pool = pool;
    }

    /**
     * The action of a function hook.
     *
     * @throws ConfigException when the function does not exist
     */
    PoolAction<RedisWrite> action(String function, HookConfig hook) {
        Name name = FUNCTIONS.resolve(function, hook);
        int ttl = hook.expiredSeconds();
        return switch (name) {
            case ON_CLIENT_CONNECTED -> write(RedisFunctions::connected);
            case ON_CLIENT_DISCONNECTED -> write(RedisFunctions::disconnected);
            case ON_SUBSCRIBE_LOOKUP -> new PoolAction.Read<>(this::subscribeLookup);
            case ON_MESSAGE_FETCH_FOR_QUEUE -> new PoolAction.Read<>(this::fetchForQueue);
            case ON_MESSAGE_FETCH_FOR_PUBSUB -> new PoolAction.Read<>(this::fetchForPubsub);
            case ON_MESSAGE_FETCH_FOR_KEEP_LATEST -> new PoolAction.Read<>(this::fetchLatest);
            case ON_RETAIN_LOOKUP -> new PoolAction.Read<>(this::retainLookup);
            case ON_MESSAGE_PUBLISH -> write(event -> publish(message(event), ttl));
            case ON_MESSAGE_STORE_KEEP_LATEST -> write(event -> storeLatest(message(event), ttl));
            case ON_MESSAGE_RETAIN -> write(event -> List.of(Request.cmd(Command.SET)
                    .arg(retainKey(event.topic().orElseThrow())).arg(message(event).msgid()).arg("EX").arg(ttl)));
            case ON_RETAIN_DELETE -> new PoolAction.Read<>(this::retainDelete);
            case ON_MESSAGE_ACKED_FOR_QUEUE -> write(event -> List.of(
                    Request.cmd(Command.DEL).arg(msgKey(message(event).storedMsgid())),
                    Request.cmd(Command.ZREM).arg(topicKey(message(event).topic()))
                            .arg(message(event).storedMsgid())));
            case ON_MESSAGE_ACKED_FOR_PUBSUB -> write(this::ackedForPubsub);
            case ON_MESSAGE_ACKED_FOR_KEEP_LATEST -> write(event -> List.of(
                    Request.cmd(Command.DEL).arg(latestKey(message(event).topic()))));
        };
    }

    private static PoolAction<RedisWrite> write(Function<Event, List<Request>> commands) {
        return new PoolAction.Write<>(event -> new RedisWrite(commands.apply(event), true));
    }

    static String clientKey(String clientid) {
        return "mqtt:client:" + clientid;
    }

    static String nodeKey(String node) {
        return "mqtt:node:" + node;
    }

    static String subKey(String clientid) {
        return "mqtt:sub:" + clientid;
    }

    static String msgKey(String msgid) {
        return "mqtt:msg:" + msgid;
    }

    /** EMQX's per-topic sorted set shares the {@code mqtt:msg:} prefix with the message hashes. */
    static String topicKey(String topic) {
        return "mqtt:msg:" + topic;
    }

    static String ackedKey(String clientid, String topic) {
        return "mqtt:acked:" + clientid + ":" + topic;
    }

    static String retainKey(String topic) {
        return "mqtt:retain:" + topic;
    }

    static String latestKey(String topic) {
        return "mqtt:latest_msg:" + topic;
    }

    private static List<Request> connected(Event event) {
        String now = Long.toString(event.timestamp());
        return List.of(
                Request.cmd(Command.HSET).arg(clientKey(event.clientid()))
                        .arg("state").arg("1").arg("online_at").arg(now).arg("offline_at").arg(UNDEFINED),
                Request.cmd(Command.HSET).arg(nodeKey(event.node())).arg(event.clientid()).arg(now));
    }

    private static List<Request> disconnected(Event event) {
        return List.of(
                Request.cmd(Command.HSET).arg(clientKey(event.clientid()))
                        .arg("state").arg("0").arg("offline_at").arg(Long.toString(event.timestamp())),
                Request.cmd(Command.HDEL).arg(nodeKey(event.node())).arg(event.clientid()));
    }

    /** The message hash, its TTL, and (QoS&gt;0 only) its place in the topic's set, scored by arrival. */
    private static List<Request> publish(Message m, int ttl) {
        List<Request> requests = new ArrayList<>(3);
        requests.add(messageFields(Request.cmd(Command.HSET).arg(msgKey(m.msgid())), m));
        if (m.qos() > 0) {
            requests.add(Request.cmd(Command.ZADD).arg(topicKey(m.topic())).arg(m.timestamp()).arg(m.msgid()));
        }
        requests.add(Request.cmd(Command.EXPIRE).arg(msgKey(m.msgid())).arg(ttl));
        return requests;
    }

    private static List<Request> storeLatest(Message m, int ttl) {
        return List.of(messageFields(Request.cmd(Command.HSET).arg(latestKey(m.topic())), m),
                Request.cmd(Command.EXPIRE).arg(latestKey(m.topic())).arg(ttl));
    }

    private List<Request> ackedForPubsub(Event event) {
        Message m = message(event);
        String cursor = ackedKey(event.clientid(), m.topic());
        if (pool.isCluster()) {
            return List.of(Request.cmd(Command.SET).arg(cursor).arg(m.storedMsgid()));
        }
        return List.of(Request.cmd(Command.EVAL).arg(ACK_FORWARD).arg(2).arg(cursor).arg(topicKey(m.topic()))
                .arg(m.storedMsgid()));
    }

    /** Appends a message's hash fields, as EMQX wrote them and {@code ${message}} expands. */
    static Request messageFields(Request request, Message m) {
        return request.arg("id").arg(m.msgid()).arg("from").arg(m.from()).arg("qos").arg(Integer.toString(m.qos()))
                .arg("topic").arg(m.topic()).arg("payload").arg(m.payload()).arg("ts").arg(Long.toString(m.timestamp()))
                .arg("retain").arg(Boolean.toString(m.retain()));
    }

    private static Message message(Event event) {
        return ((MessageEvent) event).message();
    }

    private Uni<ActionOutcome> subscribeLookup(Event event) {
        return pool.send(Request.cmd(Command.HGETALL).arg(subKey(event.clientid()))).onItem().transform(reply -> {
            List<Subscription> subscriptions = new ArrayList<>();
            if (reply != null) {
                for (String topic : reply.getKeys()) {
                    qos(reply.get(topic).toString()).ifPresentOrElse(
                            qos -> subscriptions.add(new Subscription(topic, qos)),
                            () -> LOG.warnf("%s: field '%s' of %s holds qos '%s', not 0, 1 or 2; not subscribed",
                                    pool.config().qualifiedName(), LogText.of(topic),
                                    LogText.of(subKey(event.clientid())), LogText.of(reply.get(topic))));
                }
            }
            return subscriptions.isEmpty() ? ActionOutcome.NONE
                    : new ActionOutcome.SubscribeClient(event.clientid(), subscriptions);
        });
    }

    static Optional<Integer> qos(String text) {
        return switch (text.trim()) {
            case "0" -> Optional.of(0);
            case "1" -> Optional.of(1);
            case "2" -> Optional.of(2);
            default -> Optional.empty();
        };
    }

    /** One-to-one mode: every stored message of the topic, oldest first. */
    private Uni<ActionOutcome> fetchForQueue(Event event) {
        String topic = event.topic().orElseThrow();
        return pool.send(Request.cmd(Command.ZRANGE).arg(topicKey(topic)).arg(0).arg(-1))
                .onItem().transformToUni(ids -> deliver(event.clientid(), topic, strings(ids)));
    }

    /**
     * Many-to-many mode: a first subscription places the cursor at the topic's newest message and delivers nothing;
     * later ones deliver what follows the cursor in arrival order. Fetching does not move the cursor: acks do.
     */
    private Uni<ActionOutcome> fetchForPubsub(Event event) {
        String clientid = event.clientid();
        String topic = event.topic().orElseThrow();
        return pool.send(Request.cmd(Command.GET).arg(ackedKey(clientid, topic))).onItem().transformToUni(cursor -> {
            if (cursor == null) {
                return placeFirstCursor(clientid, topic);
            }
            String acked = cursor.toString();
            if (acked.equals(NO_MESSAGE)) {
                return pool.send(Request.cmd(Command.ZRANGE).arg(topicKey(topic)).arg(0).arg(-1))
                        .onItem().transformToUni(ids -> deliver(clientid, topic, strings(ids)));
            }
            return pool.send(Request.cmd(Command.ZSCORE).arg(topicKey(topic)).arg(acked))
                    .onItem().transformToUni(score -> score == null
                            // The cursor's message left the set (expired and pruned): all that remains is newer.
                            ? pool.send(Request.cmd(Command.ZRANGE).arg(topicKey(topic)).arg(0).arg(-1))
                            : pool.send(Request.cmd(Command.ZRANGEBYSCORE).arg(topicKey(topic))
                                    .arg(score.toString()).arg("+inf")))
                    .onItem().transformToUni(ids -> deliver(clientid, topic, after(strings(ids), acked)));
        });
    }

    private Uni<ActionOutcome> placeFirstCursor(String clientid, String topic) {
        return pool.send(Request.cmd(Command.ZRANGE).arg(topicKey(topic)).arg(-1).arg(-1))
                .onItem().transformToUni(newest -> {
                    List<String> ids = strings(newest);
                    // NX: a concurrent ack that already placed the cursor wins.
                    return pool.send(Request.cmd(Command.SET).arg(ackedKey(clientid, topic))
                            .arg(ids.isEmpty() ? NO_MESSAGE : ids.get(0)).arg("NX"));
                })
                .onItem().transform(ok -> ActionOutcome.NONE);
    }

    /** The ids following {@code cursor}; all of them when the cursor is not among them (it left meanwhile). */
    private static List<String> after(List<String> ids, String cursor) {
        int at = ids.indexOf(cursor);
        return at < 0 ? ids : ids.subList(at + 1, ids.size());
    }

    private Uni<ActionOutcome> fetchLatest(Event event) {
        return pool.send(Request.cmd(Command.HGETALL).arg(latestKey(event.topic().orElseThrow())))
                .onItem().transform(hash -> stored(hash, false)
                        .<ActionOutcome>map(m -> new ActionOutcome.Deliver(event.clientid(), List.of(m)))
                        .orElse(ActionOutcome.NONE));
    }

    private Uni<ActionOutcome> retainLookup(Event event) {
        String filter = event.topic().orElseThrow();
        return pool.send(Request.cmd(Command.GET).arg(retainKey(filter))).onItem().transformToUni(id -> id == null
                ? Uni.createFrom().item(ActionOutcome.NONE)
                : pool.send(Request.cmd(Command.HGETALL).arg(msgKey(id.toString()))).onItem().transformToUni(hash -> {
                    Optional<StoredMessage> retained = stored(hash, true);
                    if (retained.isPresent()) {
                        return Uni.createFrom().item(new ActionOutcome.Deliver(event.clientid(),
                                List.of(retained.get())));
                    }
                    return pool.send(Request.cmd(Command.ZREM).arg(topicKey(filter)).arg(id.toString()))
                            .onItem().transform(removed -> ActionOutcome.NONE);
                }));
    }

    /** Deletes the retained pointer and the message hash it points to. */
    private Uni<ActionOutcome> retainDelete(Event event) {
        String key = retainKey(event.topic().orElseThrow());
        return pool.send(Request.cmd(Command.GET).arg(key)).onItem().transformToUni(id -> {
            List<Request> deletes = new ArrayList<>(List.of(Request.cmd(Command.DEL).arg(key)));
            if (id != null) {
                deletes.add(Request.cmd(Command.DEL).arg(msgKey(id.toString())));
            }
            return pool.send(deletes);
        }).onItem().transform(replies -> ActionOutcome.NONE);
    }

    /**
     * The stored messages of {@code ids}, in that order; ids whose hash has expired are removed from the topic's
     * set on the way, as EMQX did.
     */
    private Uni<ActionOutcome> deliver(String clientid, String topic, List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(ActionOutcome.NONE);
        }
        List<Request> reads = ids.stream().map(id -> Request.cmd(Command.HGETALL).arg(msgKey(id))).toList();
        return pool.send(reads).onItem().transformToUni(hashes -> {
            List<StoredMessage> messages = new ArrayList<>();
            Request prune = Request.cmd(Command.ZREM).arg(topicKey(topic));
            boolean expired = false;
            for (int i = 0; i < ids.size(); i++) {
                Optional<StoredMessage> m = stored(hashes.get(i), false);
                if (m.isPresent()) {
                    messages.add(m.get());
                } else {
                    prune.arg(ids.get(i));
                    expired = true;
                }
            }
            ActionOutcome outcome = messages.isEmpty() ? ActionOutcome.NONE
                    : new ActionOutcome.Deliver(clientid, messages);
            return expired ? pool.send(prune).onItem().transform(removed -> outcome)
                    : Uni.createFrom().item(outcome);
        });
    }

    private static List<String> strings(Response array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                values.add(array.get(i).toString());
            }
        }
        return values;
    }

    /** A message hash as a message to replay; empty when the hash is gone (expired) or not one of ours. */
    private Optional<StoredMessage> stored(Response hash, boolean retained) {
        if (hash == null || hash.size() == 0 || !hash.containsKey("topic")) {
            return Optional.empty();
        }
        Response payload = hash.get("payload");
        Optional<Integer> qos = qos(text(hash, "qos", "0"));
        long arrived;
        try {
            arrived = Long.parseLong(text(hash, "ts", "0"));
        } catch (NumberFormatException e) {
            arrived = 0;
        }
        return Optional.of(new StoredMessage(text(hash, "id", ""), hash.get("topic").toString(),
                text(hash, "from", ""), qos.orElse(1), retained, payload == null ? new byte[0] : payload.toBytes(),
                arrived));
    }

    private static String text(Response hash, String field, String absent) {
        Response value = hash.get(field);
        return value == null ? absent : value.toString();
    }
}
