package io.mqttbackends.runtime.testing;

import io.vertx.mutiny.sqlclient.Row;
import java.time.Duration;
import java.util.List;

/**
 * Test access to a real SQL database: statements are written with {@code $n} markers whatever the database, so one
 * end-to-end test reads the same on PostgreSQL and MySQL.
 */
public interface TestSql extends AutoCloseable {

    void execute(String sql);

    /** A prepared query with {@code $n} markers; {@code byte[]} values bind as bytes. */
    List<Row> rows(String sql, Object... params);

    default long count(String sql, Object... params) {
        return rows(sql, params).get(0).getLong(0);
    }

    /**
     * Locks {@code table} against writers of other sessions (readers still read) until the returned handle is closed:
     * every write to it waits meanwhile, as if the database had stalled.
     */
    AutoCloseable blockWrites(String table);

    /** Waits until the runtime's {@code schema.init} (asynchronous, after start) has created the EMQX tables. */
    TestSql awaitEmqxTables(Duration timeout);

    @Override
    void close();
}
