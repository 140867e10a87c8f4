package io.mqttbackends.runtime.backend.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.FunctionNames;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageEvent;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The built-in functions of EMQX's {@code emqx_backend_cassa} (docs/cassandra.md), on EMQX 4.4's tables
 * ({@link CassandraSchema}). EMQX's semantics here were never published; ours, per the design:
 * <ul>
 *   <li>client state: {@code client} upserted with state, node and the event's time;</li>
 *   <li>messages: one row per (topic, msgid) in {@code msg}; a redelivered message writes the same row;</li>
 *   <li>retain: {@code retain} points at the message's row in {@code msg}, so a retained message is stored by the
 *       store function too (QoS 0 retained messages included, as for Redis), and the lookup reads it there;</li>
 *   <li>the offline cursor: the last acked msgid per (clientid, topic) in {@code acked}. Ids sort by time as text,
 *       so an ack's write carries the acked message's own time (the first 64 bits of its id, microseconds) as its
 *       write timestamp: of two acks the newer message wins whatever order they apply in, and the cursor never
 *       moves back, without a lightweight transaction. A first subscription's cursor is timestamped the same way,
 *       with the time of the message it stands at; if the tombstone of an unsubscribe just before it (EMQX's default
 *       unsubscribe line deletes the row) hides it, it is written again with the current time.</li>
 * </ul>
 */
final class CassandraFunctions {

    /** The functions; {@code on_subscription_lookup} is EMQX's default cassa conf's name for the lookup. */
    enum Name {
        ON_CLIENT_CONNECTED,
        ON_CLIENT_DISCONNECTED,
        ON_SUBSCRIBE_LOOKUP,
        ON_SUBSCRIPTION_LOOKUP,
        ON_MESSAGE_FETCH,
        ON_RETAIN_LOOKUP,
        ON_MESSAGE_PUBLISH,
        ON_MESSAGE_STORE,
        ON_MESSAGE_RETAIN,
        ON_RETAIN_DELETE,
        ON_MESSAGE_ACKED,
        ON_MESSAGE_DELIVERED
    }

    private static final FunctionNames<Name> FUNCTIONS = FunctionNames.of("cassandra", Name.class);
    static final Set<String> NAMES = FUNCTIONS.names();

    /** The cursor before every message: all msgids sort after the empty text. */
    static final String BEFORE_EVERY_MESSAGE = "";
    private static final String MESSAGE_COLUMNS = "topic, msgid, sender, qos, retain, payload, arrived";
    private static final Pattern TIME_ORDERED_ID = Pattern.compile("[0-9A-Fa-f]{32}");
    /** Ids whose time lies further from now than this are not trusted as a write timestamp. */
    private static final long PLAUSIBLE_MICROS = 366L * 24 * 3600 * 1_000_000;

    private final CassandraPool pool;

    CassandraFunctions(CassandraPool pool) {
        this.pool = pool;
    }

    /**
     * The action of a function hook.
     *
     * @throws ConfigException when the function does not exist
     */
    PoolAction<CqlWrite> action(String function, HookConfig hook) {
        Name name = FUNCTIONS.resolve(function, hook);
        return switch (name) {
            case ON_CLIENT_CONNECTED -> write("UPDATE client SET state = 1, node = ?, connected = ? WHERE clientid = ?",
                    event -> List.of(event.node(), Instant.ofEpochMilli(event.timestamp()), event.clientid()));
            case ON_CLIENT_DISCONNECTED -> write("UPDATE client SET state = 0, disconnected = ? WHERE clientid = ?",
                    event -> List.of(Instant.ofEpochMilli(event.timestamp()), event.clientid()));
            case ON_SUBSCRIBE_LOOKUP, ON_SUBSCRIPTION_LOOKUP -> new PoolAction.Read<>(this::subscribeLookup);
            case ON_MESSAGE_FETCH -> fetch(hook.offlineOpts());
            case ON_RETAIN_LOOKUP -> new PoolAction.Read<>(this::retainLookup);
            case ON_MESSAGE_PUBLISH, ON_MESSAGE_STORE -> write("INSERT INTO msg (" + MESSAGE_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?)", event -> {
                        Message m = message(event);
                        return Arrays.asList(m.topic(), m.msgid(), m.from(), m.qos(), m.retain() ? 1 : 0,
                                m.payload(), Instant.ofEpochMilli(m.timestamp()));
                    });
            case ON_MESSAGE_RETAIN -> write("INSERT INTO retain (topic, msgid) VALUES (?, ?)",
                    event -> List.of(message(event).topic(), message(event).msgid()));
            case ON_RETAIN_DELETE -> write("DELETE FROM retain WHERE topic = ?",
                    event -> List.of(event.topic().orElseThrow()));
            case ON_MESSAGE_ACKED -> new PoolAction.Write<>(event -> {
                Message m = message(event);
                String msgid = m.storedMsgid();
                return new CqlWrite(List.of(new CqlCommand("INSERT INTO acked (clientid, topic, msgid) VALUES (?, ?, ?)",
                        List.of(event.clientid(), m.topic(), msgid),
                        OptionalLong.of(messageTime(msgid).orElseGet(() -> pool.clock().next(1))))));
            });
            case ON_MESSAGE_DELIVERED -> new PoolAction.Write<>(event -> new CqlWrite(List.of()));
        };
    }

    private PoolAction<CqlWrite> write(String cql, java.util.function.Function<Event, List<Object>> values) {
        return new PoolAction.Write<>(event -> new CqlWrite(List.of(
                new CqlCommand(cql, values.apply(event), OptionalLong.of(pool.clock().next(1))))));
    }

    private static Message message(Event event) {
        return ((MessageEvent) event).message();
    }

    /**
     * The time a 32-hex message id (EMQX 5's, or one the runtime minted) was made, in microseconds; empty for other
     * ids (EMQX 4.x's base62 ones) and for a time implausibly far from now.
     */
    static OptionalLong messageTime(String msgid) {
        if (!TIME_ORDERED_ID.matcher(msgid).matches()) {
            return OptionalLong.empty();
        }
        long micros = Long.parseUnsignedLong(msgid.substring(0, 16), 16);
        long now = System.currentTimeMillis() * 1000;
        return Math.abs(micros - now) <= PLAUSIBLE_MICROS ? OptionalLong.of(micros) : OptionalLong.empty();
    }

    private Uni<ActionOutcome> subscribeLookup(Event event) {
        return pool.query(read("SELECT topic, qos FROM sub WHERE clientid = ?", event.clientid()))
                .onItem().transform(rows -> {
                    List<Subscription> found = new ArrayList<>();
                    for (Row row : rows) {
                        int qos = row.isNull("qos") ? -1 : row.getInt("qos");
                        String topic = row.getString("topic");
                        if (qos >= 0 && qos <= 2 && topic != null && !topic.isEmpty()) {
                            found.add(new Subscription(topic, qos));
                        }
                    }
                    return found.isEmpty() ? ActionOutcome.NONE
                            : new ActionOutcome.SubscribeClient(event.clientid(), found);
                });
    }

    /**
     * The offline fetch: the first subscription places the cursor at the topic's newest message (before every
     * message when there is none) and delivers nothing; later ones deliver what was stored after the cursor, the
     * newest {@code max_returned_count} within {@code time_range}, oldest first. Acks move the cursor.
     */
    private PoolAction<CqlWrite> fetch(OfflineOpts opts) {
        StringBuilder cql = new StringBuilder("SELECT " + MESSAGE_COLUMNS + " FROM msg WHERE topic = ? AND msgid > ?");
        opts.timeRange().ifPresent(range -> cql.append(" AND arrived >= ?"));
        opts.maxReturnedCount().ifPresent(max -> cql.append(" LIMIT ").append(max));
        // The time filter is on a regular column within one partition: reading that partition is what it costs.
        opts.timeRange().ifPresent(range -> cql.append(" ALLOW FILTERING"));
        String select = cql.toString();
        return new PoolAction.Read<>(event -> {
            String clientid = event.clientid();
            String topic = event.topic().orElseThrow();
            return pool.query(read("SELECT msgid FROM acked WHERE clientid = ? AND topic = ?", clientid, topic))
                    .onItem().transformToUni(cursor -> {
                        if (cursor.isEmpty()) {
                            return placeFirstCursor(clientid, topic);
                        }
                        String after = cursor.get(0).isNull("msgid") ? BEFORE_EVERY_MESSAGE
                                : cursor.get(0).getString("msgid");
                        List<Object> values = new ArrayList<>(List.of(topic, after));
                        opts.timeRange().ifPresent(range -> values.add(Instant.now().minus(range)));
                        return pool.query(new CqlCommand(select, values, OptionalLong.empty()))
                                .onItem().transform(rows -> {
                                    List<StoredMessage> messages = new ArrayList<>(rows.size());
                                    rows.forEach(row -> messages.add(stored(row, false)));
                                    // Rows come newest first (the clustering order): replay oldest first.
                                    Collections.reverse(messages);
                                    return messages.isEmpty() ? ActionOutcome.NONE
                                            : new ActionOutcome.Deliver(clientid, messages);
                                });
                    });
        });
    }

    /**
     * The first cursor stands at the topic's newest message, timestamped with that message's time like an ack of it
     * (before every message: the oldest timestamp there is), so any later message's ack overrides it. When it does
     * not read back, the tombstone of an unsubscribe just before (EMQX's default line deletes the row, at the time it
     * ran) is newer: it is written again with the current time, which the tombstone cannot hide.
     */
    private Uni<ActionOutcome> placeFirstCursor(String clientid, String topic) {
        String cursorQuery = "SELECT msgid FROM acked WHERE clientid = ? AND topic = ?";
        return pool.query(read("SELECT msgid FROM msg WHERE topic = ? LIMIT 1", topic))
                .onItem().transformToUni(newest -> {
                    String msgid = newest.isEmpty() ? BEFORE_EVERY_MESSAGE : newest.get(0).getString("msgid");
                    long timestamp = newest.isEmpty() ? 1 : messageTime(msgid).orElseGet(() -> pool.clock().next(1));
                    return placeCursor(clientid, topic, msgid, timestamp)
                            .onItem().transformToUni(placed -> pool.query(read(cursorQuery, clientid, topic)))
                            .onItem().transformToUni(visible -> visible.isEmpty()
                                    ? placeCursor(clientid, topic, msgid, pool.clock().next(1))
                                    : Uni.createFrom().voidItem());
                })
                .onItem().transform(done -> ActionOutcome.NONE);
    }

    private Uni<Void> placeCursor(String clientid, String topic, String msgid, long timestamp) {
        return pool.execute(new CqlCommand("INSERT INTO acked (clientid, topic, msgid) VALUES (?, ?, ?)",
                List.of(clientid, topic, msgid), OptionalLong.of(timestamp))).replaceWithVoid();
    }

    private Uni<ActionOutcome> retainLookup(Event event) {
        String topic = event.topic().orElseThrow();
        return pool.query(read("SELECT msgid FROM retain WHERE topic = ?", topic))
                .onItem().transformToUni(pointer -> pointer.isEmpty() || pointer.get(0).isNull("msgid")
                        ? Uni.createFrom().item(List.<Row>of())
                        : pool.query(read("SELECT " + MESSAGE_COLUMNS + " FROM msg WHERE topic = ? AND msgid = ?",
                                topic, pointer.get(0).getString("msgid"))))
                .onItem().transform(rows -> rows.isEmpty() ? ActionOutcome.NONE
                        : new ActionOutcome.Deliver(event.clientid(), List.of(stored(rows.get(0), true))));
    }

    private static CqlCommand read(String cql, Object... values) {
        return new CqlCommand(cql, List.of(values), OptionalLong.empty());
    }

    /** A {@code msg} row as a message to replay; the payload column may be blob (EMQX's DDL) or text. */
    private static StoredMessage stored(Row row, boolean retained) {
        byte[] payload;
        Object column = row.getObject("payload");
        if (column instanceof ByteBuffer buffer) {
            payload = new byte[buffer.remaining()];
            buffer.duplicate().get(payload);
        } else if (column instanceof String text) {
            payload = text.getBytes(StandardCharsets.UTF_8);
        } else {
            payload = new byte[0];
        }
        Instant arrived = row.getInstant("arrived");
        return new StoredMessage(row.getString("msgid"), row.getString("topic"),
                row.isNull("sender") ? "" : row.getString("sender"), row.isNull("qos") ? 1 : row.getInt("qos"),
                retained, payload, arrived == null ? 0 : arrived.toEpochMilli());
    }
}
