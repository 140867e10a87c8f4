package io.mqttbackends.bench.fault;

import io.mqttbackends.bench.BenchPayload;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * What the command reads from, and does to, the private PostgreSQL: the runtime's {@code mqtt_msg} rows of one
 * case, and the table lock of the hang case. Every call has a timeout; the pool drops connections the database
 * closed (a restart), so a later call connects again.
 */
final class FaultDb implements AutoCloseable {
    private static final int TIMEOUT_SECONDS = 30;
    /** The sequence in the payload, as SQL reads it. */
    private static final String SEQUENCE = "convert_from(substring(payload FROM " + BenchPayload.SEQUENCE_FROM
            + " FOR " + BenchPayload.SEQUENCE_DIGITS + "), 'UTF8')::bigint";

    /**
     * One message as stored: its publisher's topic and sequence, how many rows it has, and when the first was
     * inserted (epoch µs, the database clock).
     */
    record Stored(String topic, int sequence, int copies, long firstStoredMicros) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final Pool pool;

    FaultDb(int port) {
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(3))
                .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
                        .setDatabase(PrivatePostgres.DATABASE).setUser(PrivatePostgres.USER))
                .using(vertx).build();
    }

    /**
     * Waits for the runtime's schema.init to create {@code mqtt_msg}, then gives it {@code stored_at}, a column the
     * runtime's insert does not name, defaulting to the database clock at insert time (as the benchmark does).
     */
    void prepare() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (single("SELECT count(*) FROM information_schema.tables WHERE table_name = 'mqtt_msg'") == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the runtime did not create mqtt_msg within 60 s (schema.init)");
            }
            LockSupport.parkNanos(200_000_000L);
        }
        await(pool.query("ALTER TABLE mqtt_msg ADD COLUMN IF NOT EXISTS stored_at timestamptz"
                + " DEFAULT clock_timestamp()").execute());
    }

    void truncate() {
        await(pool.query("TRUNCATE mqtt_msg").execute());
    }

    /** Distinct messages stored on topics {@code <prefix>/<publisher>}. */
    long distinctStored(String prefix) {
        Row row = await(pool.preparedQuery("SELECT count(DISTINCT (topic, " + SEQUENCE + ")) FROM mqtt_msg"
                + " WHERE topic LIKE $1").execute(Tuple.of(publisherTopics(prefix)))).iterator().next();
        return row.getLong(0);
    }

    /** Every message stored on topics {@code <prefix>/<publisher>}. */
    List<Stored> stored(String prefix) {
        List<Stored> out = new ArrayList<>();
        for (Row r : await(pool.preparedQuery("SELECT topic, " + SEQUENCE + ", count(*),"
                + " (extract(epoch FROM min(stored_at)) * 1000000)::bigint FROM mqtt_msg WHERE topic LIKE $1"
                + " GROUP BY 1, 2").execute(Tuple.of(publisherTopics(prefix))))) {
            out.add(new Stored(r.getString(0), Math.toIntExact(r.getLong(1)), Math.toIntExact(r.getLong(2)),
                    r.getLong(3)));
        }
        return out;
    }

    /** Rows on one topic, counting without reading the payloads. */
    long rows(String topic) {
        return await(pool.preparedQuery("SELECT count(*) FROM mqtt_msg WHERE topic = $1").execute(Tuple.of(topic)))
                .iterator().next().getLong(0);
    }

    /** The publishers' topics are {@code <prefix>/<digits>}; other topics under the prefix are not the load's. */
    private static String publisherTopics(String prefix) {
        return prefix.replace("_", "\\_").replace("%", "\\%") + "/_%";
    }

    /**
     * Takes {@code LOCK TABLE mqtt_msg IN ACCESS EXCLUSIVE MODE} in a transaction of its own; every insert (and
     * read) of the table waits until {@link Lock#release()}.
     */
    Lock lock() {
        SqlConnection connection = await(pool.getConnection());
        Transaction tx = await(connection.begin());
        await(connection.query("LOCK TABLE mqtt_msg IN ACCESS EXCLUSIVE MODE").execute());
        return () -> {
            try {
                await(tx.commit());
            } finally {
                await(connection.close());
            }
        };
    }

    /** A held table lock. */
    interface Lock {
        void release();
    }

    private long single(String sql) {
        return await(pool.query(sql).execute()).iterator().next().getLong(0);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("PostgreSQL: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("PostgreSQL did not answer within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            await(pool.close());
        } finally {
            await(vertx.close());
        }
    }
}
