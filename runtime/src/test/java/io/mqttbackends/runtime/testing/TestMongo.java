package io.mqttbackends.runtime.testing;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import java.util.concurrent.TimeUnit;

/**
 * A plain (synchronous driver) client on the run's MongoDB ({@link MongoTestServer}), for tests to set up and
 * inspect documents the way an application would, outside the pool under test. One per JVM.
 */
public final class TestMongo {
    private static final MongoClient CLIENT = MongoClients.create(MongoClientSettings.builder()
            .applyConnectionString(MongoTestServer.uri())
            .applyToClusterSettings(c -> c.serverSelectionTimeout(10, TimeUnit.SECONDS))
            .build());

    private TestMongo() {
    }

    /** The database {@code name} of the run's MongoDB. */
    public static MongoDatabase database(String name) {
        return CLIENT.getDatabase(name);
    }

    /** The client itself, for what a database handle cannot do (listing databases). */
    public static MongoClient client() {
        return CLIENT;
    }
}
