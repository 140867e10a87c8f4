package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.model.conf.StatementTemplate;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.HookActions;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.runtime.backend.PoolTraits;
import io.mqttbackends.runtime.backend.WriteResult;
import io.vertx.core.impl.NoStackTraceThrowable;
import java.util.Collections;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.VertxException;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * One pool of a SQL database ({@code backend.pgsql.<pool>}, {@code backend.mysql.<pool>}): a lazily connecting
 * Vert.x pool, which reconnects by itself, and the actions compiled against it in the database's {@link SqlDialect}.
 */
public final class SqlPool implements BackendPool<SqlWrite> {

    private final PoolConfig config;
    private final PoolTraits traits;
    private final Pool pool;
    private final SqlDialect dialect;
    private final ParameterBinder binder;
    private final SqlFunctions functions;
    private final PoolTls.FailureLog tls;
    /** Per statement text: its multi-row form, or empty when it runs as written. Texts come from the conf. */
    private final Map<String, Optional<MultiRowInsert>> multiRow = new ConcurrentHashMap<>();
    private final Optional<SqlRetention> retention;

    /**
     * @param tls     where failures in TLS are logged (every call of the pool reports to it)
     * @param vertx   the timers of the pool's message retention, if its conf asks for one ({@link SqlRetention})
     * @param context where the retention's runs are counted
     */
    public SqlPool(PoolConfig config, Pool pool, SqlDialect dialect, PoolTls.FailureLog tls, Vertx vertx,
            PoolContext context) {
        this.config = config;
        this.tls = tls;
        this.traits = PoolTraits.of(config, BatchGuarantee.ATOMIC);
        this.pool = pool;
        this.dialect = dialect;
        this.binder = dialect.binders().apply(pool);
        this.functions = new SqlFunctions(this, dialect.statements());
        this.retention = SqlRetention.start(this, vertx, context);
    }

    /** The pool's message retention, running on its timer; empty when its conf asks for none. */
    public Optional<SqlRetention> retention() {
        return retention;
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public PoolTraits traits() {
        return traits;
    }

    SqlDialect dialect() {
        return dialect;
    }

    /**
     * A function hook compiles to its function; a {@code sql} hook to a {@link SqlWrite} of its templates, each
     * rendered once with the database's markers.
     */
    @Override
    public PoolAction<SqlWrite> prepare(HookConfig hook) {
        if (hook.action() instanceof ActionSpec.Function function) {
            return functions.action(function.name(), hook);
        }
        ActionSpec.Statements statements = HookActions.statements(hook);
        try {
            List<Template> compiled = statements.statements().stream().map(StatementTemplate::compile)
                    .map(t -> new Template(t.render(i -> dialect.numberedMarkers() ? "$" + i : "?"), t)).toList();
            return new PoolAction.Write<>(event -> new SqlWrite(compiled.stream()
                    .map(t -> new SqlCommand(t.sql(), t.template().bind(event::placeholderValue))).toList()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(hook.location(), e.getMessage());
        }
    }

    /** A template with its text in the database's markers, rendered once at load. */
    private record Template(String sql, StatementTemplate template) {
    }

    /** Runs one statement on any connection of the pool. */
    Uni<RowSet<Row>> query(SqlCommand command) {
        return tls.watch(binder.bind(command.sql(), command.values())
                .onItem().transformToUni(values -> pool.preparedQuery(command.sql()).execute(values)));
    }

    /**
     * Every statement in order, in one transaction, so a retried event never finds half of them applied; what goes
     * to the server as a single statement is atomic by itself and runs without one. Consecutive statements with the
     * same text go to the server together ({@link #plan}), so a batch of N publishes costs one multi-row INSERT when
     * N is small, and BEGIN, a few INSERTs and COMMIT otherwise. Binding (which may ask the server about a
     * statement) happens before the transaction takes its connection: done inside, it would wait for a second
     * connection and deadlock a pool of one.
     */
    public Uni<Void> inOneTransaction(List<SqlCommand> commands) {
        if (commands.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (commands.size() == 1) {
            return query(commands.get(0)).replaceWithVoid();
        }
        return Multi.createFrom().iterable(commands)
                .onItem().transformToUniAndConcatenate(c -> binder.bind(c.sql(), c.values())
                        .onItem().transform(values -> new Bound(c.sql(), values)))
                .collect().asList()
                .onItem().transform(this::plan)
                .onItem().transformToUni(steps -> steps.size() == 1 && steps.get(0).executions().size() == 1
                        ? steps.get(0).run(pool)
                        : pool.withTransaction(conn -> runInOrder(conn, steps)));
    }

    /**
     * The statements as they go to the server: a run of equal plain single-row inserts as multi-row inserts
     * ({@link MultiRowInsert}), a run of any other equal statement as one pipelined batch, the rest one by one.
     */
    private List<Step> plan(List<Bound> bound) {
        List<Step> steps = new ArrayList<>();
        int start = 0;
        while (start < bound.size()) {
            String sql = bound.get(start).sql();
            List<Tuple> group = new ArrayList<>();
            for (int i = start; i < bound.size() && bound.get(i).sql().equals(sql); i++) {
                group.add(bound.get(i).values());
            }
            Optional<MultiRowInsert> insert = group.size() == 1 ? Optional.empty()
                    : multiRow.computeIfAbsent(sql, text -> MultiRowInsert.of(text, dialect.numberedMarkers()))
                            .filter(shape -> group.stream().allMatch(t -> t.size() == shape.paramsPerRow()));
            if (insert.isPresent()) {
                steps.addAll(multiRowSteps(insert.get(), group));
            } else {
                steps.add(new Step(sql, group));
            }
            start += group.size();
        }
        return steps;
    }

    /** The rows in order, as statements of the sizes {@link MultiRowInsert#statementRows} gives. */
    private static List<Step> multiRowSteps(MultiRowInsert shape, List<Tuple> rows) {
        List<Step> steps = new ArrayList<>();
        int from = 0;
        while (from < rows.size()) {
            int size = shape.statementRows(rows.size() - from);
            Tuple values = Tuple.tuple();
            for (Tuple row : rows.subList(from, from + size)) {
                for (int i = 0; i < row.size(); i++) {
                    values.addValue(row.getValue(i));
                }
            }
            steps.add(new Step(shape.sql(size), List.of(values)));
            from += size;
        }
        return steps;
    }

    /**
     * The steps are all handed to the connection at once, in order: the client keeps that order on the wire and
     * pipelines them, so they cost one round trip however many there are. A failing statement fails the
     * transaction, which then rolls back.
     */
    private static Uni<Void> runInOrder(SqlConnection conn, List<Step> steps) {
        List<Uni<Void>> runs = steps.stream().map(step -> step.run(conn)).toList();
        return runs.size() == 1 ? runs.get(0) : Uni.join().all(runs).andFailFast().replaceWithVoid();
    }

    /**
     * The statements of every write, in order, as one transaction ({@link #inOneTransaction}): all apply or none
     * does, and a failure fails the call, which the action stage reads as every write not applied (it splits the
     * batch to find the culprit).
     */
    @Override
    public Uni<List<WriteResult>> apply(List<SqlWrite> writes) {
        List<SqlCommand> commands = new ArrayList<>();
        writes.forEach(w -> commands.addAll(w.commands()));
        return tls.watch(inOneTransaction(commands))
                .onItem().transform(done -> Collections.nCopies(writes.size(), WriteResult.APPLIED));
    }

    private record Bound(String sql, Tuple values) {
    }

    /** One statement text executed once per tuple, the executions pipelined as one batch. */
    private record Step(String sql, List<Tuple> executions) {
        /** Lazy: the statement goes out when the result is subscribed. */
        Uni<Void> run(SqlClient client) {
            return (executions.size() == 1
                    ? client.preparedQuery(sql).execute(executions.get(0))
                    : client.preparedQuery(sql).executeBatch(executions)).replaceWithVoid();
        }
    }

    @Override
    public Uni<Void> ping() {
        return tls.watch(pool.query("SELECT 1").execute()).replaceWithVoid();
    }

    @Override
    public Uni<Void> initSchema() {
        return tls.watch(Multi.createFrom().iterable(dialect.schema())
                .onItem().transformToUniAndConcatenate(ddl -> pool.query(ddl).execute())
                .collect().last())
                .replaceWithVoid();
    }

    /**
     * A server's error reply is classified by its SQLSTATE class (and the dialect's own codes first); anything
     * else by type: no answer at all (connection refused, lost or closed, a timeout, a client-side I/O error) means
     * the database is unavailable, and a value the client cannot encode for the statement is this write's fault.
     */
    @Override
    public FailureClass classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Optional<Throwable> inner = dialect.innerFailure().apply(t);
            if (inner.isPresent()) {
                return classify(inner.get());
            }
            if (t instanceof DatabaseException db) {
                return dialect.classify().apply(db).orElseGet(() -> bySqlState(db.getSqlState()));
            }
            if (t instanceof ConnectException || t instanceof ClosedConnectionException || t instanceof IOException
                    || t instanceof TimeoutException || t instanceof VertxException) {
                // VertxException: the clients' "connection is not active", "pool closed" and acquire time-outs.
                return FailureClass.UNAVAILABLE;
            }
            if (t instanceof IllegalArgumentException || t instanceof ClassCastException) {
                // The client refused to encode a value for its parameter: the same value fails every time.
                return FailureClass.PERMANENT;
            }
            if (t instanceof NoStackTraceThrowable) {
                // The clients use this one type both for a parameter they cannot coerce and for "Connection is not
                // active now" when the server goes away under a query (a PostgreSQL restart, found by the fault
                // command): only bounded retries are right for both. The retry of the second meets the refused
                // connection, which is UNAVAILABLE and waits; the first is dead-lettered after its retries.
                return FailureClass.TRANSIENT;
            }
        }
        return FailureClass.TRANSIENT;
    }

    /**
     * Standard SQLSTATE classes: 08 connection exception, 28 invalid authorisation, 53 insufficient resources and 57
     * operator intervention say the server cannot serve now; 40 (transaction rollback: serialisation failure,
     * deadlock) may succeed again; 22 data exception, 23 integrity constraint violation and 42 syntax error or
     * access rule violation concern this write (the dialects map their authorisation codes of class 42 first).
     */
    static FailureClass bySqlState(String state) {
        if (state == null || state.length() < 2) {
            return FailureClass.TRANSIENT;
        }
        return switch (state.substring(0, 2)) {
            case "08", "28", "53", "57", "3D" -> FailureClass.UNAVAILABLE;
            case "22", "23", "42", "21", "2B", "44", "0A" -> FailureClass.PERMANENT;
            default -> FailureClass.TRANSIENT;
        };
    }

    /** Stops the retention's timer first: a pool replaced by a reload deletes nothing more. */
    @Override
    public Uni<Void> close() {
        retention.ifPresent(SqlRetention::close);
        return pool.close();
    }
}
