package io.mqttbackends.runtime.backend.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.InvalidKeyspaceException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.ConnectionInitException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.type.codec.CodecNotFoundException;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.model.conf.StatementTemplate;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.HookActions;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.runtime.backend.PoolTraits;
import io.mqttbackends.runtime.backend.WriteResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One {@code backend.ecql.<pool>}: a driver session on the pool's keyspace, opened on first use and opened again
 * after a failed attempt (once open, the driver reconnects by itself), its prepared statements, and the actions
 * compiled against it. Writes apply per item ({@link BatchGuarantee#PER_ITEM}): the statements of a batch go
 * concurrently, each with the write timestamp fixed when its event was taken ({@link CqlWrite}), so neither their
 * order of arrival nor a retry changes the outcome.
 */
final class CassandraPool implements BackendPool<CqlWrite> {

    /**
     * Statements that may not carry a client timestamp: a conditional (lightweight transaction) refuses one, and an
     * explicit {@code USING TIMESTAMP} is the author's.
     */
    private static final Pattern OWN_TIMESTAMP = Pattern.compile(
            "(?is).*(\\bUSING\\s+TIMESTAMP\\b|\\bIF\\s+NOT\\s+EXISTS\\b|\\bIF\\s+EXISTS\\b|\\bWHERE\\b.*\\bIF\\b).*");

    private final PoolConfig config;
    private final PoolTraits traits;
    private final Supplier<CompletionStage<CqlSession>> sessions;
    private final Supplier<CompletionStage<CqlSession>> keyspacelessSessions;
    private final AtomicReference<CompletableFuture<CqlSession>> session = new AtomicReference<>();
    private final Map<String, CompletableFuture<PreparedStatement>> prepared = new ConcurrentHashMap<>();
    private final WriteClock clock = new WriteClock();
    private final CassandraFunctions functions;
    private volatile boolean closed;
    private final PoolTls.FailureLog tls;

    /**
     * @param sessions             opens a session on the pool's keyspace
     * @param keyspacelessSessions opens a session on no keyspace, for {@code schema.init} to create it
     * @param tls                  where failures in TLS are logged (every statement reports to it)
     */
    CassandraPool(PoolConfig config, Supplier<CompletionStage<CqlSession>> sessions,
            Supplier<CompletionStage<CqlSession>> keyspacelessSessions, PoolTls.FailureLog tls) {
        this.config = config;
        this.tls = tls;
        this.traits = PoolTraits.of(config, BatchGuarantee.PER_ITEM);
        this.sessions = sessions;
        this.keyspacelessSessions = keyspacelessSessions;
        this.functions = new CassandraFunctions(this);
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public PoolTraits traits() {
        return traits;
    }

    WriteClock clock() {
        return clock;
    }

    /** Function hooks, or {@code cql} templates whose placeholders bind as markers, in the hook's order. */
    @Override
    public PoolAction<CqlWrite> prepare(HookConfig hook) {
        if (hook.action() instanceof ActionSpec.Function function) {
            return functions.action(function.name(), hook);
        }
        ActionSpec.Statements statements = HookActions.statements(hook);
        List<StatementTemplate> templates = statements.statements().stream().map(StatementTemplate::compile)
                .toList();
        List<String> texts = templates.stream().map(t -> t.render(i -> "?")).toList();
        return new PoolAction.Write<>(event -> {
            long first = clock.next(templates.size());
            List<CqlCommand> commands = new ArrayList<>(templates.size());
            for (int i = 0; i < templates.size(); i++) {
                String cql = texts.get(i);
                // Consecutive timestamps keep the statements' order: a delete then an insert of one row, at one
                // timestamp, would leave the delete winning.
                commands.add(new CqlCommand(cql, templates.get(i).bind(event::placeholderValue),
                        OWN_TIMESTAMP.matcher(cql).matches() ? OptionalLong.empty() : OptionalLong.of(first + i)));
            }
            return new CqlWrite(commands);
        });
    }

    /**
     * Every statement of every write at once; a write applied when all of its statements were. A write that failed
     * is safe to apply again whole, since its statements carry fixed timestamps.
     */
    @Override
    public Uni<List<WriteResult>> apply(List<CqlWrite> writes) {
        if (writes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(writes.stream().map(this::applyOne).toList()).andFailFast();
    }

    private Uni<WriteResult> applyOne(CqlWrite write) {
        if (write.commands().isEmpty()) {
            return Uni.createFrom().item(WriteResult.APPLIED);
        }
        List<Uni<AsyncResultSet>> statements = write.commands().stream().map(this::execute).toList();
        return Uni.join().all(statements).andCollectFailures()
                .onItem().transform(done -> WriteResult.APPLIED)
                .onFailure().recoverWithItem(failure -> new WriteResult.Failed(firstCause(failure)));
    }

    private static Throwable firstCause(Throwable failure) {
        return failure instanceof io.smallrye.mutiny.CompositeException composite ? composite.getCauses().get(0)
                : failure;
    }

    /** Executes one statement: prepared once per session, values converted to its markers' types. */
    Uni<AsyncResultSet> execute(CqlCommand command) {
        return tls.watch(session().onItem().transformToUni(s -> Uni.createFrom().completionStage(() -> prepared(s, command.cql())
                        .copy())
                .onItem().transformToUni(statement -> {
                    BoundStatement bound = statement.bind(CqlValues.convert(command.values(),
                            statement.getVariableDefinitions())).setIdempotent(true);
                    if (command.timestamp().isPresent()) {
                        bound = bound.setQueryTimestamp(command.timestamp().getAsLong());
                    }
                    BoundStatement toRun = bound;
                    return Uni.createFrom().completionStage(() -> s.executeAsync(toRun));
                })));
    }

    /** A read's rows, every page of them. */
    Uni<List<Row>> query(CqlCommand command) {
        return execute(command).onItem().transformToUni(first -> rows(first, new ArrayList<>()));
    }

    private Uni<List<Row>> rows(AsyncResultSet page, List<Row> rows) {
        page.currentPage().forEach(rows::add);
        if (!page.hasMorePages()) {
            return Uni.createFrom().item(rows);
        }
        return Uni.createFrom().completionStage(page::fetchNextPage).onItem().transformToUni(next -> rows(next, rows));
    }

    private CompletableFuture<PreparedStatement> prepared(CqlSession s, String cql) {
        CompletableFuture<PreparedStatement> statement = prepared.computeIfAbsent(cql,
                text -> s.prepareAsync(text).toCompletableFuture());
        // A statement that failed to prepare (a table not created yet) is prepared again next time.
        statement.whenComplete((ok, failure) -> {
            if (failure != null) {
                prepared.remove(cql, statement);
            }
        });
        return statement;
    }

    /**
     * The session, opened on first use; a failed attempt is forgotten so that the next call tries again. Each caller
     * gets a copy of the shared future: Mutiny cancels the future of a cancelled subscription (a call that timed
     * out), which must not cancel the opening for every other caller.
     */
    private Uni<CqlSession> session() {
        return Uni.createFrom().completionStage(() -> currentSession().copy());
    }

    private CompletableFuture<CqlSession> currentSession() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException(config.qualifiedName() + " is closed"));
        }
        CompletableFuture<CqlSession> current = session.get();
        if (current != null) {
            return current;
        }
        CompletableFuture<CqlSession> opening = new CompletableFuture<>();
        if (!session.compareAndSet(null, opening)) {
            // Another caller started an attempt meanwhile (or its attempt already failed and was forgotten).
            return currentSession();
        }
        sessions.get().whenComplete((s, failure) -> {
            if (failure != null) {
                session.compareAndSet(opening, null);
                opening.completeExceptionally(failure);
            } else {
                opening.complete(s);
            }
        });
        return opening;
    }

    @Override
    public Uni<Void> ping() {
        return execute(new CqlCommand("SELECT release_version FROM system.local", List.of(), OptionalLong.empty()))
                .replaceWithVoid();
    }

    /**
     * Creates what is missing of the keyspace and EMQX's tables, one statement after another, from the pool's own
     * session; when the keyspace itself is missing that session cannot open, so a session on no keyspace creates it
     * first. What exists already (the driver's schema metadata says) is left alone, without a round trip.
     */
    @Override
    public Uni<Void> initSchema() {
        return session()
                .onFailure(InvalidKeyspaceException.class).recoverWithUni(missing -> Uni.createFrom()
                        .completionStage(keyspacelessSessions)
                        .onItem().transformToUni(admin -> createMissing(admin)
                                .onTermination().call(() -> Uni.createFrom().completionStage(admin::closeAsync)))
                        .onItem().transformToUni(created -> session()))
                .onItem().transformToUni(this::createMissing)
                .replaceWithVoid();
    }

    private Uni<Void> createMissing(CqlSession session) {
        String keyspace = config.get("keyspace");
        String datacenter = config.get("local_datacenter");
        Optional<KeyspaceMetadata> existing = session.getMetadata().getKeyspace(keyspace);
        List<String> ddl = new ArrayList<>();
        if (existing.isEmpty()) {
            int nodes = (int) session.getMetadata().getNodes().values().stream()
                    .filter(n -> datacenter.equals(n.getDatacenter())).count();
            ddl.add(CassandraSchema.keyspace(keyspace, datacenter, Math.max(1, Math.min(3, nodes))));
        }
        CassandraSchema.TABLES.forEach((table, statement) -> {
            if (existing.flatMap(k -> k.getTable(table)).isEmpty()) {
                ddl.add(statement.apply(keyspace));
            }
        });
        return Multi.createFrom().iterable(ddl)
                .onItem().transformToUniAndConcatenate(cql -> Uni.createFrom()
                        .completionStage(() -> session.executeAsync(cql)))
                .collect().last()
                .replaceWithVoid();
    }

    /**
     * No node reached, a connection lost, a timeout, too few replicas alive, a node overloaded or starting, and
     * credentials or permissions refused (an administrator fixes those; the events wait), and a keyspace that does
     * not exist yet: unavailable. A statement or value Cassandra refuses (syntax, unknown table or column, a type or
     * size it cannot take): permanent. Timeouts and failures reported by replicas: transient.
     */
    @Override
    public FailureClass classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AllNodesFailedException || t instanceof DriverTimeoutException
                    || t instanceof NodeUnavailableException || t instanceof ClosedConnectionException
                    || t instanceof ConnectionInitException || t instanceof HeartbeatException
                    || t instanceof BusyConnectionException || t instanceof RequestThrottlingException
                    || t instanceof AuthenticationException || t instanceof UnauthorizedException
                    || t instanceof UnavailableException || t instanceof OverloadedException
                    || t instanceof BootstrappingException || t instanceof InvalidKeyspaceException
                    || t instanceof IOException) {
                return FailureClass.UNAVAILABLE;
            }
            if (t instanceof QueryValidationException || t instanceof CodecNotFoundException
                    || t instanceof IllegalArgumentException || t instanceof ArithmeticException
                    || t instanceof DateTimeException) {
                return FailureClass.PERMANENT;
            }
        }
        return FailureClass.TRANSIENT;
    }

    @Override
    public Uni<Void> close() {
        closed = true;
        CompletableFuture<CqlSession> current = session.getAndSet(null);
        if (current == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(current)
                .onItem().transformToUni(s -> Uni.createFrom().completionStage(s::closeAsync))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Write timestamps in microseconds: the clock's, but never the same twice and never back, so that the writes of
     * one pool keep the order they were taken in even within a microsecond or when the clock steps back.
     */
    static final class WriteClock {
        private final AtomicLong last = new AtomicLong();

        /** The first of {@code count} consecutive timestamps. */
        long next(int count) {
            long now = System.currentTimeMillis() * 1000;
            return last.accumulateAndGet(now, (previous, clockNow) -> Math.max(previous + 1, clockNow)
                    + Math.max(0, count - 1)) - Math.max(0, count - 1);
        }
    }
}
