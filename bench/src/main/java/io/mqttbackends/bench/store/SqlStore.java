package io.mqttbackends.bench.store;

import static io.mqttbackends.bench.store.Batches.await;

import io.mqttbackends.bench.BenchOptions;
import io.mqttbackends.bench.BenchPayload;
import io.mqttbackends.bench.BenchRows;
import io.mqttbackends.bench.LatencyStats;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnectOptions;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * PostgreSQL and MySQL/MariaDB through the Vert.x SQL clients the runtime uses. The scratch {@code mqtt_msg} gets
 * a column {@code stored_at} whose default is the database's clock at insert time; the runtime's insert does not
 * name it, so the default applies, and the latency is {@code stored_at} minus the publish time read back from the
 * payload (same machine, same clock). The two databases differ only in the statement text ({@link Dialect}).
 */
final class SqlStore implements Store {
    private static final String TABLE = "mqtt_msg";
    private static final String CEILING_TABLE = "mqtt_msg_ceiling";

    /**
     * The statements that differ between the databases.
     *
     * @param param placeholder of the n-th (1-based) parameter
     * @param arrived expression turning an epoch-millisecond parameter into the {@code arrived} value, as the
     *     runtime writes it
     * @param storedAtMicros expression of {@code stored_at} (or an aggregate of it) as epoch µs
     * @param publishMicros expression of the publish time in the payload's first 16 bytes
     * @param distinctMessages count of distinct (topic, sequence) pairs
     */
    record Dialect(String name, IntFunction<String> param, String arrived, String addStoredAt, String schema,
            String copyTable, String storedAtMicros, String publishMicros, String distinctMessages) {
    }

    static final Dialect PGSQL = new Dialect("PostgreSQL", n -> "$" + n, "to_timestamp(%s::bigint / 1000.0)",
            "ALTER TABLE mqtt_msg ADD COLUMN stored_at timestamptz DEFAULT clock_timestamp()", "current_schema()",
            "CREATE TABLE " + CEILING_TABLE + " (LIKE mqtt_msg INCLUDING ALL)",
            "(extract(epoch FROM %s) * 1000000)::bigint",
            "convert_from(substring(payload FROM 1 FOR 16), 'UTF8')::bigint",
            "count(DISTINCT (topic, substring(payload FROM " + BenchPayload.SEQUENCE_FROM + " FOR "
                    + BenchPayload.SEQUENCE_DIGITS + ")))");

    /**
     * {@code timestamp(6)}, not {@code datetime(6)}: a timestamp is stored as an instant, so the runtime's session
     * time zone and ours cannot shift the latency.
     */
    static final Dialect MYSQL = new Dialect("MySQL", n -> "?", "FROM_UNIXTIME(%s / 1000)",
            "ALTER TABLE mqtt_msg ADD COLUMN stored_at timestamp(6) NOT NULL DEFAULT current_timestamp(6)",
            "database()", "CREATE TABLE " + CEILING_TABLE + " LIKE mqtt_msg",
            "CAST(UNIX_TIMESTAMP(%s) * 1000000 AS SIGNED)", "CAST(SUBSTRING(payload, 1, 16) AS SIGNED)",
            "COUNT(DISTINCT topic, SUBSTRING(payload, " + BenchPayload.SEQUENCE_FROM + ", "
                    + BenchPayload.SEQUENCE_DIGITS + "))");

    private final Dialect dialect;
    private final Vertx vertx;
    private final Pool pool;

    private SqlStore(Dialect dialect, Vertx vertx, Pool pool) {
        this.dialect = dialect;
        this.vertx = vertx;
        this.pool = pool;
    }

    static SqlStore pgsql(BenchOptions o) {
        Vertx vertx = Vertx.vertx();
        PgConnectOptions connect = new PgConnectOptions().setCachePreparedStatements(true);
        return new SqlStore(PGSQL, vertx, PgBuilder.pool().with(poolOptions(o)).connectingTo(common(connect, o))
                .using(vertx).build());
    }

    static SqlStore mysql(BenchOptions o) {
        Vertx vertx = Vertx.vertx();
        MySQLConnectOptions connect = new MySQLConnectOptions().setCachePreparedStatements(true);
        return new SqlStore(MYSQL, vertx, MySQLBuilder.pool().with(poolOptions(o))
                .connectingTo(common(connect, o)).using(vertx).build());
    }

    private static PoolOptions poolOptions(BenchOptions o) {
        return new PoolOptions().setMaxSize(o.ceilingConnections() + 1);
    }

    private static SqlConnectOptions common(SqlConnectOptions connect, BenchOptions o) {
        return connect.setHost(o.dbHost()).setPort(o.dbPort()).setDatabase(o.dbName()).setUser(o.dbUser())
                .setPassword(o.dbPassword());
    }

    @Override
    public void prepare() {
        String columns = "SELECT count(*) FROM information_schema.columns WHERE table_schema = " + dialect.schema()
                + " AND table_name = '" + TABLE + "'";
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (single(columns) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(dialect.name() + ": the runtime did not create " + TABLE
                        + " within 60 s (schema.init)");
            }
            LockSupport.parkNanos(200_000_000L);
        }
        if (single(columns + " AND column_name = 'stored_at'") == 0) {
            run(dialect.addStoredAt());
        }
    }

    @Override
    public Ceiling ceiling(BenchRows rows, int batchRows, int connections) {
        run("DROP TABLE IF EXISTS " + CEILING_TABLE);
        run(dialect.copyTable());
        double seconds = Batches.write(dialect.name(), rows.count(), batchRows, connections, (from, size) -> {
            Tuple tuple = Tuple.tuple();
            for (long i = from; i < from + size; i++) {
                BenchRows.Row r = rows.row(i);
                tuple.addString(r.msgid()).addString(r.sender()).addString(r.topic()).addInteger(r.qos())
                        .addInteger(r.retain()).addBuffer(Buffer.buffer(r.payload())).addLong(r.arrivedMillis());
            }
            await(pool.preparedQuery(insert(size)).execute(tuple));
        });
        long stored = single("SELECT count(*) FROM " + CEILING_TABLE);
        run("DROP TABLE " + CEILING_TABLE);
        return new Ceiling(stored, rows.count() / seconds);
    }

    private String insert(int rowsInBatch) {
        String values = IntStream.range(0, rowsInBatch).mapToObj(r -> {
            int p = r * 7;
            return "(" + IntStream.rangeClosed(p + 1, p + 6).mapToObj(dialect.param()).collect(
                    Collectors.joining(", ")) + ", " + dialect.arrived().formatted(dialect.param().apply(p + 7)) + ")";
        }).collect(Collectors.joining(", "));
        return "INSERT INTO " + CEILING_TABLE + " (msgid, sender, topic, qos, retain, payload, arrived) VALUES "
                + values;
    }

    @Override
    public long count() {
        return single("SELECT count(*) FROM " + TABLE);
    }

    @Override
    public long pollMillis() {
        return 500;
    }

    @Override
    public Verification verify() {
        Row summary = await(pool.query("SELECT count(*), count(DISTINCT msgid), " + dialect.distinctMessages() + ", "
                + dialect.storedAtMicros().formatted("max(stored_at)") + " FROM " + TABLE).execute()).iterator()
                .next();
        LatencyStats latency = new LatencyStats();
        for (Row row : await(pool.query("SELECT " + dialect.storedAtMicros().formatted("stored_at") + " - "
                + dialect.publishMicros() + " FROM " + TABLE).execute())) {
            latency.record(row.getLong(0));
        }
        Long last = summary.getLong(3);
        return new Verification(summary.getLong(0), summary.getLong(1), summary.getLong(2), last == null ? 0 : last,
                latency.summary());
    }

    @Override
    public void reset() {
        run("TRUNCATE TABLE " + TABLE);
    }

    @Override
    public String latencyDefinition() {
        return "publish (time stamp in the payload) to the row's insert (" + TABLE + ".stored_at, default "
                + (dialect == PGSQL ? "clock_timestamp()" : "current_timestamp(6)") + ", before commit)";
    }

    private long single(String sql) {
        Row row = await(pool.query(sql).execute()).iterator().next();
        return row.getLong(0);
    }

    private void run(String sql) {
        await(pool.query(sql).execute());
    }

    @Override
    public void close() {
        await(pool.close());
        await(vertx.close());
    }
}
