package io.mqttbackends.runtime.testing;

import com.mongodb.client.MongoDatabase;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A database of this test run's own on the run's MongoDB ({@link MongoTestServer}), named
 * {@link TestRun#uniqueName()}; MongoDB creates it on first write, {@link #close()} drops it.
 */
public final class MongoTestDatabase implements TestDatabase {
    private final String name;
    private final AtomicBoolean dropped = new AtomicBoolean();

    private MongoTestDatabase(String name) {
        this.name = name;
    }

    public static MongoTestDatabase create() {
        MongoTestDatabase database = new MongoTestDatabase(TestRun.uniqueName());
        TestRun.closeAtExit(database);
        return database;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MONGO;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HostPort server() {
        return MongoTestServer.server();
    }

    @Override
    public Map<String, String> poolSettings(String server) {
        return MongoTestServer.poolSettings(server, name);
    }

    /** {@link #poolSettings(String)} with every host of the run's MongoDB. */
    @Override
    public Map<String, String> poolSettings() {
        return poolSettings(MongoTestServer.servers());
    }

    /** The database, through the plain test client. */
    public MongoDatabase connect() {
        return TestMongo.database(name);
    }

    @Override
    public void close() {
        if (dropped.compareAndSet(false, true)) {
            TestMongo.database(name).drop();
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "MongoDB database " + name;
    }
}
