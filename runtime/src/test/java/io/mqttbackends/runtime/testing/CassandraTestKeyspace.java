package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A keyspace of this test run's own on the run's Cassandra ({@link CassandraTestServer}), named
 * {@link TestRun#uniqueName()}, replicated once ({@code SimpleStrategy}, factor 1: a single-node test server has no
 * second replica to write); {@link #close()} drops it with its tables.
 */
public final class CassandraTestKeyspace implements TestDatabase {
    private final String name;
    private final AtomicBoolean dropped = new AtomicBoolean();

    private CassandraTestKeyspace(String name) {
        this.name = name;
    }

    /** Creates a new, empty keyspace. */
    public static CassandraTestKeyspace create() {
        CassandraTestKeyspace keyspace = new CassandraTestKeyspace(TestRun.uniqueName());
        TestCassandra.execute("CREATE KEYSPACE " + keyspace.name
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        // Registered once it exists: a failed create leaves nothing to drop at exit.
        TestRun.closeAtExit(keyspace);
        return keyspace;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.CASSANDRA;
    }

    /** The keyspace's name, the value of the pool's {@code keyspace} key. */
    @Override
    public String name() {
        return name;
    }

    @Override
    public HostPort server() {
        return CassandraTestServer.server();
    }

    /**
     * Every key of the cassandra pool schema but the four all databases share ({@code schema.init},
     * {@code batch_size}, {@code batch_time}, {@code call_timeout}: their defaults apply), for a pool of 4 on this
     * keyspace at {@code server}, with the datacenter and login of {@link CassandraTestServer#VARIABLE} when it names
     * them.
     */
    @Override
    public Map<String, String> poolSettings(String server) {
        CassandraTestServer.Spec spec = CassandraTestServer.spec();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("nodes", server);
        settings.put("size", "4");
        settings.put("auto_reconnect", "1");
        settings.put("username", spec.username());
        settings.put("password", spec.password());
        settings.put("keyspace", name);
        settings.put("logger", "info");
        settings.put("ssl", "false");
        settings.put("cafile", "");
        settings.put("certfile", "");
        settings.put("keyfile", "");
        settings.put("verify", "true");
        settings.put("local_datacenter", spec.datacenter());
        // The pool's default; on a keyspace replicated once, a quorum is that one replica.
        settings.put("consistency", "LOCAL_QUORUM");
        return settings;
    }

    /** {@code keyspace.table}, for statements through {@link TestCassandra}, which is bound to no keyspace. */
    public String table(String table) {
        return name + "." + table;
    }

    /** Drops the keyspace and its tables; a second call does nothing. */
    @Override
    public void close() {
        if (dropped.compareAndSet(false, true)) {
            TestCassandra.execute("DROP KEYSPACE IF EXISTS " + name);
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "Cassandra keyspace " + name;
    }
}
