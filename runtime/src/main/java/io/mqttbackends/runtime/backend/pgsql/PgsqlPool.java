package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.action.ActionOutcome;
import io.mqttbackends.runtime.action.StatementTemplate;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.config.ActionSpec;
import io.mqttbackends.runtime.config.ConfigException;
import io.mqttbackends.runtime.config.HookConfig;
import io.mqttbackends.runtime.config.PoolConfig;
import io.mqttbackends.runtime.event.Event;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.VertxException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * One {@code backend.pgsql.<pool>}: a lazily connecting Vert.x PostgreSQL pool, which reconnects by itself, and the
 * actions compiled against it.
 */
final class PgsqlPool implements BackendPool {

    /** SQLSTATEs besides class 08 that say the server, not the statement, failed: retrying can succeed. */
    private static final Set<String> TRANSIENT_SQLSTATES = Set.of(
            "57P01", // admin_shutdown
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now (starting up, recovering)
            "53300", // too_many_connections
            "40001", // serialization_failure
            "40P01"); // deadlock_detected

    private static final String SCHEMA = readSchema();

    private final PoolConfig config;
    private final Pool pool;
    private final TypedBinder binder;
    private final PgsqlFunctions functions;

    PgsqlPool(PoolConfig config, Pool pool) {
        this.config = config;
        this.pool = pool;
        this.binder = new TypedBinder(pool);
        this.functions = new PgsqlFunctions(pool, binder);
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public PoolAction prepare(HookConfig hook) {
        if (hook.action() instanceof ActionSpec.Function function) {
            return functions.action(function.name(), hook);
        }
        ActionSpec.Statements statements = BackendPool.statements(hook, ActionSpec.Language.SQL);
        try {
            List<Statement> compiled = statements.statements().stream().map(StatementTemplate::compile)
                    .map(t -> new Statement(t.render(i -> "$" + i), t)).toList();
            return event -> runInOneTransaction(compiled, event);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(hook.location(), e.getMessage());
        }
    }

    /**
     * Every statement in order, in one transaction, so a retried event never finds half of them applied. Binding
     * (which may ask the server for parameter types) happens before the transaction takes its connection: done
     * inside, it would wait for a second connection and deadlock a pool of one.
     */
    private Uni<ActionOutcome> runInOneTransaction(List<Statement> statements, Event event) {
        return Multi.createFrom().iterable(statements)
                .onItem().transformToUniAndConcatenate(s -> binder.bind(s.sql(), s.template().bind(event)))
                .collect().asList()
                .onItem().transformToUni(bound -> pool.withTransaction(conn -> Multi.createFrom().iterable(bound)
                        .onItem().transformToUniAndConcatenate(b -> conn.preparedQuery(b.sql()).execute(b.values()))
                        .collect().last()))
                .onItem().transform(last -> ActionOutcome.NONE);
    }

    /** A template with its PostgreSQL text ({@code $n} markers), rendered once at load. */
    private record Statement(String sql, StatementTemplate template) {
    }

    @Override
    public Uni<Void> ping() {
        return pool.query("SELECT 1").execute().onItem().ignore().andContinueWithNull();
    }

    @Override
    public Uni<Void> initSchema() {
        // The simple-query protocol runs the whole multi-statement file in one round trip.
        return pool.query(SCHEMA).execute().onItem().ignore().andContinueWithNull();
    }

    @Override
    public boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                String state = pg.getSqlState();
                return state != null && (state.startsWith("08") || TRANSIENT_SQLSTATES.contains(state));
            }
            if (t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof TimeoutException || t instanceof IOException || isConnectionGone(t)) {
                return true;
            }
        }
        return false;
    }

    /** The client reports a connection closed under it, or a pool closed while in use, as a bare VertxException. */
    private static boolean isConnectionGone(Throwable t) {
        if (!(t instanceof VertxException) || t.getMessage() == null) {
            return false;
        }
        String message = t.getMessage().toLowerCase();
        return message.contains("connection is not active") || message.contains("closed")
                || message.contains("timeout");
    }

    @Override
    public Uni<Void> close() {
        return pool.close();
    }

    private static String readSchema() {
        try (InputStream in = PgsqlPool.class.getResourceAsStream("/schema/pgsql.sql")) {
            if (in == null) {
                throw new IllegalStateException("schema/pgsql.sql is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
