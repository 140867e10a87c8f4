package io.mqttbackends.runtime.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import org.awaitility.Awaitility;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test access to the real PostgreSQL on 127.0.0.1:5432: run SQL, read rows. A test's own database comes from
 * {@link PgsqlTestDatabase}.
 */
public final class TestPostgres implements TestSql {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5432;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx = TestRun.newVertx();
    private final Pool pool;

    private TestPostgres(String database) {
        this.pool = PgBuilder.pool().connectingTo(options(database)).using(vertx).build();
    }

    /**
     * Drops and creates {@code database}, then connects to it. A fixed name is shared with every other test run on
     * the server, which may drop it under this one: {@link PgsqlTestDatabase#create()} gives a run its own.
     */
    public static TestPostgres fresh(String database) {
        try (TestPostgres admin = new TestPostgres("postgres")) {
            admin.execute("drop database if exists " + database + " with (force)");
            admin.execute("create database " + database);
        }
        return new TestPostgres(database);
    }

    /** Connects to an existing database. */
    public static TestPostgres connect(String database) {
        return new TestPostgres(database);
    }

    static PgConnectOptions options(String database) {
        return new PgConnectOptions().setHost(HOST).setPort(PORT).setUser("postgres").setDatabase(database);
    }

    @Override
    public void execute(String sql) {
        pool.query(sql).execute().await().atMost(TIMEOUT);
    }

    @Override
    public List<Row> rows(String sql, Object... params) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(Arrays.stream(params)
                        .map(p -> p instanceof byte[] b ? Buffer.buffer(b) : p).toList())).await().atMost(TIMEOUT).forEach(rows::add);
        return rows;
    }

    /** Waits until the runtime's {@code schema.init} (asynchronous, after start) has created the EMQX tables. */
    @Override
    public TestPostgres awaitEmqxTables(Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> count("select count(*) from information_schema"
                + ".tables where table_name in ('mqtt_client', 'mqtt_sub', 'mqtt_msg', 'mqtt_retain', 'mqtt_acked')")
                == 5);
        return this;
    }

    /** An EXCLUSIVE table lock in a transaction of its own. */
    @Override
    public AutoCloseable blockWrites(String table) {
        SqlConnection conn = pool.getConnection().await().atMost(TIMEOUT);
        conn.query("begin").execute().await().atMost(TIMEOUT);
        conn.query("lock table " + table + " in exclusive mode").execute().await().atMost(TIMEOUT);
        return () -> {
            try {
                conn.query("commit").execute().await().atMost(TIMEOUT);
            } finally {
                conn.close().await().atMost(TIMEOUT);
            }
        };
    }

    @Override
    public void close() {
        pool.close().await().atMost(TIMEOUT);
        vertx.close().await().atMost(TIMEOUT);
    }
}
