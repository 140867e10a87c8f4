package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.action.ActionOutcome;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An action that only writes: the statements it runs for an event. Because they are known before anything runs, the
 * statements of many events can share one transaction and one round trip ({@link #runAll}).
 */
final class PgsqlWrite implements PoolAction {

    /** A statement in PostgreSQL text ({@code $n} markers) and the values of its parameters, in order. */
    record Statement(String sql, List<Object> values) {
    }

    private final Function<Event, List<Statement>> statements;
    private final Pool pool;
    private final TypedBinder binder;

    PgsqlWrite(Function<Event, List<Statement>> statements, Pool pool, TypedBinder binder) {
        this.statements = statements;
        this.pool = pool;
        this.binder = binder;
    }

    @Override
    public Uni<ActionOutcome> run(Event event) {
        return runAll(statements.apply(event), pool, binder).onItem().transform(done -> ActionOutcome.NONE);
    }

    @Override
    public boolean batchable() {
        return true;
    }

    List<Statement> statements(Event event) {
        return statements.apply(event);
    }

    /**
     * Runs statements in order as one unit. Binding (which may ask the server for parameter types) happens before the
     * transaction takes its connection: done inside, it would wait for a second connection and deadlock a pool of
     * one. Consecutive statements with the same text go as one pipelined batch (one round trip), so a batch of N
     * publishes costs BEGIN, one pipelined INSERT batch and COMMIT; one statement alone needs no transaction.
     */
    static Uni<Void> runAll(List<Statement> statements, Pool pool, TypedBinder binder) {
        if (statements.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return binder.bindAll(statements.stream().map(s -> new TypedBinder.Unbound(s.sql(), s.values())).toList())
                .onItem().transformToUni(bound -> bound.size() == 1
                        ? pool.preparedQuery(bound.get(0).sql()).execute(bound.get(0).values()).replaceWithVoid()
                        : pool.withTransaction(conn -> executeGrouped(conn, bound)));
    }

    private static Uni<Void> executeGrouped(SqlConnection conn, List<TypedBinder.Bound> bound) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        int start = 0;
        while (start < bound.size()) {
            String sql = bound.get(start).sql();
            int end = start;
            List<Tuple> group = new ArrayList<>();
            while (end < bound.size() && bound.get(end).sql().equals(sql)) {
                group.add(bound.get(end).values());
                end++;
            }
            chain = chain.onItem().transformToUni(previous -> (group.size() == 1
                    ? conn.preparedQuery(sql).execute(group.get(0))
                    : conn.preparedQuery(sql).executeBatch(group)).replaceWithVoid());
            start = end;
        }
        return chain;
    }
}
