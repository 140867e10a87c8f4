package io.mqttbackends.runtime.testing;

import io.mqttbackends.runtime.backend.sql.SqlCommand;
import io.mqttbackends.runtime.backend.sql.SqlText;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.mysqlclient.MySQLBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.mysqlclient.MySQLConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * Test access to the real MariaDB (MySQL protocol) on 127.0.0.1:3306, root without a password: run SQL, read rows.
 * A test's own database comes from {@link MysqlTestDatabase}.
 */
public final class TestMysql implements TestSql {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 3306;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx = TestRun.newVertx();
    private final Pool pool;

    private TestMysql(String database) {
        this.pool = MySQLBuilder.pool().connectingTo(options(database)).using(vertx).build();
    }

    static MySQLConnectOptions options(String database) {
        return new MySQLConnectOptions().setHost(HOST).setPort(PORT).setUser("root").setPassword("")
                .setDatabase(database);
    }

    /**
     * Drops and creates {@code database}, then connects to it. A fixed name is shared with every other test run on
     * the server, which may drop it under this one: {@link MysqlTestDatabase#create()} gives a run its own.
     */
    public static TestMysql fresh(String database) {
        try (TestMysql admin = new TestMysql("")) {
            admin.execute("DROP DATABASE IF EXISTS " + database);
            admin.execute("CREATE DATABASE " + database);
        }
        return new TestMysql(database);
    }

    /** Connects to an existing database; {@code ""} connects to none, for statements on databases. */
    public static TestMysql connect(String database) {
        return new TestMysql(database);
    }

    @Override
    public void execute(String sql) {
        pool.query(sql).execute().await().atMost(TIMEOUT);
    }

    @Override
    public List<Row> rows(String sql, Object... params) {
        SqlCommand command = SqlText.render(sql, false).with(params);
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(command.sql()).execute(Tuple.from(command.values().stream()
                        .map(p -> p instanceof byte[] b ? Buffer.buffer(b) : p).toList()))
                .await().atMost(TIMEOUT).forEach(rows::add);
        return rows;
    }

    /** {@code LOCK TABLES ... READ} on a connection of its own, released by {@code UNLOCK TABLES}. */
    @Override
    public AutoCloseable blockWrites(String table) {
        SqlConnection conn = pool.getConnection().await().atMost(TIMEOUT);
        conn.query("LOCK TABLES " + table + " READ").execute().await().atMost(TIMEOUT);
        return () -> {
            try {
                conn.query("UNLOCK TABLES").execute().await().atMost(TIMEOUT);
            } finally {
                conn.close().await().atMost(TIMEOUT);
            }
        };
    }

    /** Waits until the runtime's {@code schema.init} (asynchronous, after start) has created the EMQX tables. */
    @Override
    public TestMysql awaitEmqxTables(Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> count("SELECT count(*) FROM information_schema.tables"
                + " WHERE table_schema = DATABASE() AND table_name IN"
                + " ('mqtt_client', 'mqtt_sub', 'mqtt_msg', 'mqtt_retain', 'mqtt_acked')") == 5);
        return this;
    }

    @Override
    public void close() {
        pool.close().await().atMost(TIMEOUT);
        vertx.close().await().atMost(TIMEOUT);
    }
}
