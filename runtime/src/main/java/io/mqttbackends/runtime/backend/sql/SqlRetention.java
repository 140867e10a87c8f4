package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.model.LogText;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.RetentionRun;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The message retention of one SQL pool ({@code backend.<db>.<pool>.retention.*}; EMQX's SQL backends kept rows
 * forever): every {@code retention.interval} it deletes from {@code mqtt_msg} the rows older than
 * {@code retention.max_age} and, per topic, the rows beyond its {@code retention.max_per_topic} newest.
 *
 * <p>Off the hot path: a Vert.x timer starts each run once the previous one ended (runs never overlap), every
 * statement is asynchronous and has the pool's {@code call_timeout}, and each delete removes at most
 * {@code retention.batch_size} rows found through an index ({@link RetentionStatements}), so a statement holds one of
 * the pool's connections briefly and events keep flowing between statements. A run repeats a delete while it removes
 * a full batch, up to {@link #MAX_STATEMENTS_PER_RUN} statements; what is left waits for the next run. A failure is
 * logged at WARN when the retention starts failing (and at INFO when it works again), counted, and retried at the
 * next interval; it never touches event processing.
 *
 * <p>Cursors stay right: {@code mqtt_acked.mid} is a row id, and the offline fetch returns the rows after it, so
 * deleting older rows leaves every cursor pointing where it did, and a replay returns what retention kept.
 */
public final class SqlRetention {
    private static final Logger LOG = Logger.getLogger(SqlRetention.class);

    /**
     * The most delete statements of one run: at the default batch size a million rows, after which the run yields to
     * the next interval rather than keep deleting without end behind a very fast writer.
     */
    static final int MAX_STATEMENTS_PER_RUN = 1000;

    /** The most over-full topics one run trims; the others are over-full still at the next run, which takes them. */
    static final int MAX_TOPICS_PER_RUN = 1000;

    /**
     * What a pool's conf asks for.
     *
     * @param maxAge      rows older than this go
     * @param maxPerTopic rows of a topic beyond its newest this many go
     * @param interval    the pause between the end of a run and the start of the next
     * @param batchSize   the most rows one delete statement removes
     */
    public record Settings(Optional<Duration> maxAge, OptionalInt maxPerTopic, Duration interval, int batchSize) {

        /** The pool's retention, or empty when neither {@code max_age} nor {@code max_per_topic} is written. */
        public static Optional<Settings> of(PoolConfig config) {
            Optional<Duration> maxAge = config.duration("retention.max_age");
            OptionalInt maxPerTopic = config.optional("retention.max_per_topic")
                    .map(v -> OptionalInt.of(config.intValue("retention.max_per_topic"))).orElse(OptionalInt.empty());
            if (maxAge.isEmpty() && maxPerTopic.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Settings(maxAge, maxPerTopic, config.duration("retention.interval").orElseThrow(),
                    config.intValue("retention.batch_size")));
        }
    }

    private final SqlPool pool;
    private final Settings settings;
    private final RetentionStatements statements;
    private final Vertx vertx;
    private final PoolContext context;
    private final Clock clock;
    private final int maxStatementsPerRun;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether the last run failed, so that a WARN is logged when failing starts and an INFO when it ends. */
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile long timer = -1;

    /**
     * A retention whose timer is not started ({@link #start} does that).
     *
     * @param maxStatementsPerRun the delete statements after which a run ends ({@link #MAX_STATEMENTS_PER_RUN})
     */
    SqlRetention(SqlPool pool, Settings settings, Vertx vertx, PoolContext context, Clock clock,
            int maxStatementsPerRun) {
        this.pool = pool;
        this.maxStatementsPerRun = maxStatementsPerRun;
        this.settings = settings;
        this.statements = pool.dialect().retention();
        this.vertx = vertx;
        this.context = context;
        this.clock = clock;
        this.name = pool.config().qualifiedName();
    }

    /** Starts the retention of a pool whose conf asks for one: the first run one interval from now. */
    static Optional<SqlRetention> start(SqlPool pool, Vertx vertx, PoolContext context) {
        return Settings.of(pool.config()).map(settings -> {
            SqlRetention retention = new SqlRetention(pool, settings, vertx, context, Clock.systemUTC(),
                    MAX_STATEMENTS_PER_RUN);
            LOG.infof("retention of %s: %s every %s, at most %d rows per statement", pool.config().qualifiedName(),
                    describe(pool.config()), pool.config().get("retention.interval"), settings.batchSize());
            retention.scheduleNext();
            return retention;
        });
    }

    public Settings settings() {
        return settings;
    }

    /** Stops the timer; a run under way finishes its current statement and schedules nothing more. */
    void close() {
        closed.set(true);
        vertx.cancelTimer(timer);
    }

    private void scheduleNext() {
        if (!closed.get()) {
            timer = vertx.setTimer(settings.interval().toMillis(), id -> runOnce().subscribe().with(
                    run -> scheduleNext(), failure -> scheduleNext()));
        }
    }

    /**
     * One run now: the age limit first, then the per-topic limit. Never fails: a failure ends the run, is logged and
     * counted, and the next run tries again.
     */
    public Uni<RetentionRun> runOnce() {
        long start = System.nanoTime();
        Budget budget = new Budget();
        return Uni.createFrom().deferred(() -> deleteOlder(budget).chain(() -> trimTopics(budget)))
                .onItem().transform(done -> new RetentionRun(budget.deleted.get(), budget.statements.get(), true,
                        since(start)))
                .onFailure().recoverWithItem(failure -> {
                    if (!closed.get() && failing.compareAndSet(false, true)) {
                        LOG.warnf("retention of %s failed (%s rows deleted in that run); retrying every %s until it "
                                + "works: %s", name, budget.deleted.get(), pool.config().get("retention.interval"),
                                LogText.of(String.valueOf(failure.getMessage())));
                    }
                    return new RetentionRun(budget.deleted.get(), budget.statements.get(), false, since(start));
                })
                .onItem().invoke(run -> {
                    if (run.succeeded() && failing.compareAndSet(true, false)) {
                        LOG.infof("retention of %s works again", name);
                    }
                    if (!closed.get()) {
                        context.retentionRan(name, run);
                    }
                });
    }

    /** The rows older than {@code max_age}, by the clock that stamps {@code arrived} (the event's timestamp). */
    private Uni<Void> deleteOlder(Budget budget) {
        return settings.maxAge().map(age -> deleteInBatches(statements.deleteOlder(), budget,
                clock.millis() - age.toMillis())).orElseGet(() -> Uni.createFrom().voidItem());
    }

    /**
     * For each topic with more rows than {@code max_per_topic}: the id of its row just older than the ones it keeps,
     * then that row and the older ones in batches. Rows arriving meanwhile have higher ids, so the cut stays right.
     */
    private Uni<Void> trimTopics(Budget budget) {
        if (settings.maxPerTopic().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int keep = settings.maxPerTopic().getAsInt();
        return select(RetentionStatements.OVERFULL_TOPICS, keep, MAX_TOPICS_PER_RUN)
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(topic -> budget.exhausted() ? Uni.createFrom().voidItem()
                        : select(RetentionStatements.TOPIC_CUTOFF, topic.getString(0), keep)
                                .onItem().transformToUni(cut -> cut.isEmpty() ? Uni.createFrom().voidItem()
                                        : deleteInBatches(statements.deleteTopicUpTo(), budget, topic.getString(0),
                                                cut.get(0).getLong(0))))
                .collect().last().replaceWithVoid();
    }

    /**
     * Runs a delete (its last parameter the batch size) while it removes a full batch and the run has statements
     * left; one statement after another, never two at once.
     */
    private Uni<Void> deleteInBatches(String sql, Budget budget, Object... leadingArgs) {
        if (budget.exhausted()) {
            return Uni.createFrom().voidItem();
        }
        Object[] args = Arrays.copyOf(leadingArgs, leadingArgs.length + 1);
        args[leadingArgs.length] = settings.batchSize();
        budget.statements.incrementAndGet();
        return pool.query(SqlText.render(sql, pool.dialect().numberedMarkers()).with(args))
                .ifNoItem().after(pool.traits().callTimeout()).failWith(this::timeout)
                .onItem().transformToUni(rows -> {
                    budget.deleted.addAndGet(rows.rowCount());
                    return rows.rowCount() < settings.batchSize() ? Uni.createFrom().voidItem()
                            : deleteInBatches(sql, budget, leadingArgs);
                });
    }

    private Uni<List<Row>> select(String sql, Object... args) {
        return pool.query(SqlText.render(sql, pool.dialect().numberedMarkers()).with(args))
                .ifNoItem().after(pool.traits().callTimeout()).failWith(this::timeout)
                .onItem().transform(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    return list;
                });
    }

    private TimeoutException timeout() {
        return new TimeoutException("no answer within call_timeout " + pool.traits().callTimeout().toMillis() + " ms");
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The limits as the conf wrote them ({@code 7d}, not {@code PT168H}). */
    private static String describe(PoolConfig config) {
        List<String> limits = new ArrayList<>();
        config.optional("retention.max_age").ifPresent(age -> limits.add("rows older than " + age));
        config.optional("retention.max_per_topic")
                .ifPresent(n -> limits.add("rows beyond the " + n + " newest of each topic"));
        return "deleting " + String.join(" and ", limits);
    }

    /** What one run has done so far, against its statement cap. */
    private final class Budget {
        final AtomicLong deleted = new AtomicLong();
        final AtomicLong statements = new AtomicLong();

        boolean exhausted() {
            return statements.get() >= maxStatementsPerRun;
        }
    }
}
