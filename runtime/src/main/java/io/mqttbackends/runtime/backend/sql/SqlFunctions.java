package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.backend.FunctionNames;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The built-in functions of EMQX's {@code emqx_backend_mysql} and {@code emqx_backend_pgsql} (docs/mysql.md,
 * docs/postgresql.md), on
 * the EMQX 4.4 tables, for any {@link SqlDialect}.
 *
 * <p>The hook stage applies the shared guards (QoS 0 not stored, replays not stored, retain only for retained
 * non-empty messages, ...) before calling, so each function does its database work unconditionally. Departures from
 * EMQX 4.x, per the design: the offline cursor only moves forward ({@code greatest}), acks find the stored row by
 * (msgid, topic) rather than by a broker-side header, and {@code arrived} keeps millisecond precision where the
 * column allows.
 */
public final class SqlFunctions {

    /**
     * The functions. Which hook point each may sit on is checked once for every database when the configuration
     * loads ({@link io.mqttbackends.model.FunctionCatalog#hookPoint}).
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

    /** Every function name, as written in hook lines. */
    public static final Set<String> NAMES = FunctionNames.of("sql", Name.class).names();

    private final SqlPool pool;
    private final SqlStatements statements;
    private final SqlText clientConnected;
    private final SqlText clientDisconnected;
    private final SqlText subscriptions;
    private final SqlText cursor;
    private final SqlText firstCursor;
    private final SqlText retained;
    private final SqlText store;
    private final SqlText retain;
    private final SqlText retainDelete;
    private final SqlText acked;

    SqlFunctions(SqlPool pool, SqlStatements statements) {
        this.pool = pool;
        this.statements = statements;
        this.clientConnected = render(statements.clientConnected());
        this.clientDisconnected = render(statements.clientDisconnected());
        this.subscriptions = render(statements.subscriptions());
        this.cursor = render(statements.cursor());
        this.firstCursor = render(statements.firstCursor());
        this.retained = render(statements.retained());
        this.store = render(statements.store());
        this.retain = render(statements.retain());
        this.retainDelete = render(statements.retainDelete());
        this.acked = render(statements.acked());
    }

    private SqlText render(String numbered) {
        return SqlText.render(numbered, pool.dialect().numberedMarkers());
    }

    /**
     * The action of a function hook: a {@link SqlWrite} for the functions that only write, a read-and-reply action
     * for the lookups and the fetch.
     *
     * @throws ConfigException when the function does not exist
     */
    PoolAction<SqlWrite> action(String function, HookConfig hook) {
        Name name = FunctionNames.of(pool.dialect().kind().toString(), Name.class).resolve(function, hook);
        return switch (name) {
            case ON_CLIENT_CONNECTED -> write(event -> clientConnected.with(event.clientid(), event.node()));
            case ON_CLIENT_DISCONNECTED -> write(event -> clientDisconnected.with(event.clientid()));
            case ON_SUBSCRIBE_LOOKUP -> new PoolAction.Read<>(this::subscribeLookup);
            case ON_MESSAGE_FETCH -> fetch(hook.offlineOpts());
            case ON_RETAIN_LOOKUP -> new PoolAction.Read<>(this::retainLookup);
            case ON_MESSAGE_PUBLISH, ON_MESSAGE_STORE -> write(event -> {
                Message m = message(event);
                return store.with(m.msgid(), m.from(), m.topic(), m.qos(), m.retain() ? 1 : 0, m.payload(),
                        m.timestamp());
            });
            case ON_MESSAGE_RETAIN -> write(event -> {
                Message m = message(event);
                return retain.with(m.topic(), m.msgid(), m.from(), m.qos(), m.payload(), m.timestamp());
            });
            case ON_RETAIN_DELETE -> write(event -> retainDelete.with(event.topic().orElseThrow()));
            case ON_MESSAGE_ACKED -> write(event -> acked.with(event.clientid(), message(event).topic(),
                    message(event).storedMsgid()));
            case ON_MESSAGE_DELIVERED -> new PoolAction.Write<>(event -> new SqlWrite(List.of()));
        };
    }

    private static PoolAction<SqlWrite> write(Function<Event, SqlCommand> command) {
        return new PoolAction.Write<>(event -> new SqlWrite(List.of(command.apply(event))));
    }

    private static Message message(Event event) {
        return ((MessageEvent) event).message();
    }

    private Uni<ActionOutcome> subscribeLookup(Event event) {
        return pool.query(subscriptions.with(event.clientid())).onItem().transform(rows -> {
            List<Subscription> found = new ArrayList<>();
            for (Row row : rows) {
                found.add(new Subscription(row.getString("topic"), row.getInteger("qos")));
            }
            return found.isEmpty() ? ActionOutcome.NONE : new ActionOutcome.SubscribeClient(event.clientid(), found);
        });
    }

    /**
     * EMQX's offline fetch: the first subscription only places the cursor at the newest stored message; later ones
     * get what was stored after the cursor, newest {@code max_returned_count} within {@code time_range}, oldest
     * first. Fetching does not move the cursor: acks of the replayed messages do.
     */
    private PoolAction<SqlWrite> fetch(OfflineOpts opts) {
        StringBuilder sql = new StringBuilder(statements.fetch());
        List<Object> optionValues = new ArrayList<>();
        opts.timeRange().ifPresent(range -> {
            optionValues.add(range.toMillis() / 1000.0);
            sql.append(String.format(statements.arrivedWithin(), "$" + (2 + optionValues.size())));
        });
        sql.append(" ORDER BY id DESC");
        opts.maxReturnedCount().ifPresent(max -> {
            optionValues.add(max);
            sql.append(" LIMIT $").append(2 + optionValues.size());
        });
        SqlText select = render(sql.toString());
        return new PoolAction.Read<>(event -> {
            String clientid = event.clientid();
            String topic = event.topic().orElseThrow();
            return pool.query(cursor.with(clientid, topic)).onItem().transformToUni(found -> {
                if (found.size() == 0) {
                    return pool.inOneTransaction(List.of(firstCursor.with(clientid, topic)))
                            .onItem().transform(done -> ActionOutcome.NONE);
                }
                List<Object> args = new ArrayList<>(List.of(topic, found.iterator().next().getLong("mid")));
                args.addAll(optionValues);
                return pool.query(select.with(args.toArray())).onItem().transform(rows -> {
                    List<StoredMessage> messages = new ArrayList<>();
                    for (Row row : rows) {
                        messages.add(stored(row, false));
                    }
                    Collections.reverse(messages);
                    return new ActionOutcome.Deliver(clientid, messages);
                });
            });
        });
    }

    private Uni<ActionOutcome> retainLookup(Event event) {
        return pool.query(retained.with(event.topic().orElseThrow())).onItem().transform(rows -> rows.size() == 0
                ? ActionOutcome.NONE
                : new ActionOutcome.Deliver(event.clientid(), List.of(stored(rows.iterator().next(), true))));
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
