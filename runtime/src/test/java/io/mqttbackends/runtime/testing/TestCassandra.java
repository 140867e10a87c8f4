package io.mqttbackends.runtime.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.util.List;

/**
 * A plain driver session on the run's Cassandra ({@link CassandraTestServer}), for tests to set up and inspect rows
 * the way an application would, outside the pool under test. One per JVM, opened by the first test that needs it.
 * It is not bound to a keyspace: statements name their tables {@code keyspace.table}
 * ({@link CassandraTestKeyspace#table}).
 *
 * <p>It is never closed: the keyspaces {@link TestRun} drops at JVM exit are dropped through it, and shutdown hooks
 * run in no set order; failsafe's forked JVM ends by {@code System.exit}, whatever threads the session still runs.
 */
public final class TestCassandra {
    private static CqlSession session;

    private TestCassandra() {
    }

    /**
     * The session, connected on first use; when no Cassandra answered, every call tries again and fails with the
     * same explanation (a failed static initializer would leave later tests only a {@link NoClassDefFoundError}).
     */
    public static synchronized CqlSession session() {
        if (session == null) {
            session = CassandraTestServer.connect(CassandraTestServer.spec());
        }
        return session;
    }

    /** Runs one statement with positional {@code ?} values. */
    public static ResultSet execute(String cql, Object... values) {
        return session().execute(SimpleStatement.newInstance(cql, values));
    }

    /** Every row a query returns. */
    public static List<Row> rows(String cql, Object... values) {
        return execute(cql, values).all();
    }
}
