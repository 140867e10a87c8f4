package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.action.ActionOutcome;
import io.mqttbackends.runtime.action.StoredMessage;
import io.mqttbackends.runtime.action.Subscription;
import io.mqttbackends.runtime.backend.FunctionNames;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.config.ConfigException;
import io.mqttbackends.runtime.config.HookConfig;
import io.mqttbackends.runtime.config.OfflineOpts;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The built-in functions of EMQX's {@code emqx_backend_pgsql} (spec §2.4 / §3.4), on the EMQX 4.4 tables.
 *
 * <p>The hook stage applies the shared guards (QoS 0 not stored, replays not stored, retain only for retained
 * non-empty messages, ...) before calling, so each function does its database work unconditionally. Departures from
 * EMQX 4.x, per the design: the offline cursor only moves forward ({@code greatest}), acks find the stored row by
 * (msgid, topic) rather than by a broker-side header, and {@code arrived} keeps millisecond precision.
 *
 * <p>Timestamps: {@code arrived} is written with {@code to_timestamp} (a {@code timestamptz}, stored into EMQX's
 * {@code timestamp without time zone} columns in the session time zone) and read back through
 * {@code arrived::timestamptz}, the inverse conversion, so the round trip is exact whatever the server time zone.
 */
final class PgsqlFunctions {

    /**
     * The functions. Which hook point each may sit on is checked once for every database when the configuration
     * loads ({@link io.mqttbackends.runtime.config.FunctionCatalog#hookPoint}).
     */
    enum Name {
        ON_CLIENT_CONNECTED,
        ON_CLIENT_DISCONNECTED,
        ON_SUBSCRIBE_LOOKUP,
        ON_MESSAGE_FETCH,
        ON_RETAIN_LOOKUP,
        ON_MESSAGE_PUBLISH,
        ON_MESSAGE_STORE,
        ON_MESSAGE_RETAIN,
        ON_RETAIN_DELETE,
        ON_MESSAGE_ACKED,
        ON_MESSAGE_DELIVERED
    }

    static final FunctionNames<Name> FUNCTIONS = FunctionNames.of("pgsql", Name.class);

    private static final String CLIENT_CONNECTED = """
            INSERT INTO mqtt_client (clientid, state, node, online_at, offline_at) VALUES ($1, 1, $2, now(), NULL)
            ON CONFLICT (clientid) DO UPDATE
            SET state = 1, node = excluded.node, online_at = excluded.online_at, offline_at = NULL""";
    private static final String CLIENT_DISCONNECTED =
            "UPDATE mqtt_client SET state = 0, offline_at = now() WHERE clientid = $1";
    private static final String SUBSCRIPTIONS = "SELECT topic, qos FROM mqtt_sub WHERE clientid = $1";
    private static final String CURSOR = "SELECT mid FROM mqtt_acked WHERE clientid = $1 AND topic = $2";
    /** The casts give {@code $2} one type in the select list and the comparison alike (else SQLSTATE 42P08). */
    private static final String FIRST_CURSOR = """
            INSERT INTO mqtt_acked (clientid, topic, mid)
            SELECT $1::text, $2::text, coalesce(max(id), 0) FROM mqtt_msg WHERE topic = $2
            ON CONFLICT (clientid, topic) DO NOTHING""";
    /** Millisecond epoch of {@code arrived}; see the class comment for why through {@code timestamptz}. */
    private static final String ARRIVED_MS = "(extract(epoch FROM arrived::timestamptz) * 1000)::bigint AS arrived";
    private static final String RETAINED = "SELECT msgid, sender, topic, qos, payload, " + ARRIVED_MS
            + " FROM mqtt_retain WHERE topic = $1 LIMIT 1";
    private static final String STORE = """
            INSERT INTO mqtt_msg (msgid, sender, topic, qos, retain, payload, arrived)
            VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::bigint / 1000.0))""";
    private static final String RETAIN = """
            INSERT INTO mqtt_retain (topic, msgid, sender, qos, payload, arrived)
            VALUES ($1, $2, $3, $4, $5, to_timestamp($6::bigint / 1000.0))
            ON CONFLICT (topic) DO UPDATE SET msgid = excluded.msgid, sender = excluded.sender, qos = excluded.qos,
            payload = excluded.payload, arrived = excluded.arrived""";
    private static final String RETAIN_DELETE = "DELETE FROM mqtt_retain WHERE topic = $1";
    /**
     * One statement, so concurrent acks cannot interleave a read and a write and move the cursor back; the casts as
     * in {@link #FIRST_CURSOR}.
     */
    private static final String ACKED = """
            INSERT INTO mqtt_acked (clientid, topic, mid)
            SELECT $1::text, $2::text, m.id FROM mqtt_msg m
            WHERE m.msgid = $3 AND m.topic = $2 ORDER BY m.id DESC LIMIT 1
            ON CONFLICT (clientid, topic) DO UPDATE SET mid = greatest(mqtt_acked.mid, excluded.mid)""";

    private final Pool pool;
    private final TypedBinder binder;

    PgsqlFunctions(Pool pool, TypedBinder binder) {
        this.pool = pool;
        this.binder = binder;
    }

    /**
     * The action of a function hook.
     *
     * @throws ConfigException when the function does not exist
     */
    PoolAction action(String function, HookConfig hook) {
        Name name = FUNCTIONS.resolve(function, hook);
        return switch (name) {
            case ON_CLIENT_CONNECTED -> event -> update(CLIENT_CONNECTED, event.clientid(), event.node());
            case ON_CLIENT_DISCONNECTED -> event -> update(CLIENT_DISCONNECTED, event.clientid());
            case ON_SUBSCRIBE_LOOKUP -> this::subscribeLookup;
            case ON_MESSAGE_FETCH -> fetch(hook.offlineOpts());
            case ON_RETAIN_LOOKUP -> this::retainLookup;
            case ON_MESSAGE_PUBLISH, ON_MESSAGE_STORE -> this::store;
            case ON_MESSAGE_RETAIN -> this::retain;
            case ON_RETAIN_DELETE -> event -> update(RETAIN_DELETE, event.topic().orElseThrow());
            case ON_MESSAGE_ACKED -> this::acked;
            case ON_MESSAGE_DELIVERED -> event -> Uni.createFrom().item(ActionOutcome.NONE);
        };
    }

    private Uni<ActionOutcome> update(String sql, Object... values) {
        return query(sql, values).onItem().transform(rows -> ActionOutcome.NONE);
    }

    private Uni<RowSet<Row>> query(String sql, Object... values) {
        return binder.bind(sql, Arrays.asList(values))
                .onItem().transformToUni(bound -> pool.preparedQuery(bound.sql()).execute(bound.values()));
    }

    private Uni<ActionOutcome> subscribeLookup(Event event) {
        return query(SUBSCRIPTIONS, event.clientid()).onItem().transform(rows -> {
            List<Subscription> subscriptions = new ArrayList<>();
            for (Row row : rows) {
                subscriptions.add(new Subscription(row.getString("topic"), row.getInteger("qos")));
            }
            return subscriptions.isEmpty() ? ActionOutcome.NONE
                    : new ActionOutcome.SubscribeClient(event.clientid(), subscriptions);
        });
    }

    /**
     * EMQX's offline fetch: the first subscription only places the cursor at the newest stored message; later ones
     * get what was stored after the cursor, newest {@code max_returned_count} within {@code time_range}, oldest
     * first. Fetching does not move the cursor: acks of the replayed messages do.
     */
    private PoolAction fetch(OfflineOpts opts) {
        StringBuilder sql = new StringBuilder("SELECT msgid, sender, topic, qos, payload, ").append(ARRIVED_MS)
                .append(" FROM mqtt_msg WHERE topic = $1 AND id > $2");
        List<Object> optionValues = new ArrayList<>();
        opts.timeRange().ifPresent(range -> {
            optionValues.add(range.toMillis() / 1000.0);
            sql.append(" AND arrived >= now() - make_interval(secs => $").append(2 + optionValues.size()).append(')');
        });
        sql.append(" ORDER BY id DESC");
        opts.maxReturnedCount().ifPresent(max -> {
            optionValues.add(max);
            sql.append(" LIMIT $").append(2 + optionValues.size());
        });
        String select = sql.toString();
        return event -> {
            String clientid = event.clientid();
            String topic = event.topic().orElseThrow();
            return query(CURSOR, clientid, topic).onItem().transformToUni(cursor -> {
                if (cursor.size() == 0) {
                    return update(FIRST_CURSOR, clientid, topic);
                }
                List<Object> values = new ArrayList<>(List.of(topic, cursor.iterator().next().getLong("mid")));
                values.addAll(optionValues);
                return query(select, values.toArray()).onItem().transform(rows -> {
                    List<StoredMessage> messages = new ArrayList<>();
                    for (Row row : rows) {
                        messages.add(stored(row, false));
                    }
                    Collections.reverse(messages);
                    return new ActionOutcome.Deliver(clientid, messages);
                });
            });
        };
    }

    private Uni<ActionOutcome> retainLookup(Event event) {
        return query(RETAINED, event.topic().orElseThrow()).onItem().transform(rows -> rows.size() == 0
                ? ActionOutcome.NONE
                : new ActionOutcome.Deliver(event.clientid(), List.of(stored(rows.iterator().next(), true))));
    }

    private Uni<ActionOutcome> store(Event event) {
        Message m = ((MessageEvent) event).message();
        return update(STORE, m.msgid(), m.from(), m.topic(), m.qos(), m.retain() ? 1 : 0, m.payload(),
                m.timestamp());
    }

    private Uni<ActionOutcome> retain(Event event) {
        Message m = ((MessageEvent) event).message();
        return update(RETAIN, m.topic(), m.msgid(), m.from(), m.qos(), m.payload(), m.timestamp());
    }

    private Uni<ActionOutcome> acked(Event event) {
        Message m = ((MessageEvent) event).message();
        return update(ACKED, event.clientid(), m.topic(), m.storedMsgid());
    }

    /** A stored row as a message; a text payload column (EMQX's own DDL) holds the payload as UTF-8. */
    private static StoredMessage stored(Row row, boolean retain) {
        Object payload = row.getValue("payload");
        byte[] bytes;
        if (payload == null) {
            bytes = new byte[0];
        } else if (payload instanceof String text) {
            bytes = text.getBytes(StandardCharsets.UTF_8);
        } else {
            bytes = row.getBuffer("payload").getBytes();
        }
        return new StoredMessage(row.getString("msgid"), row.getString("topic"), row.getString("sender"),
                row.getInteger("qos"), retain, bytes, row.getLong("arrived"));
    }
}
