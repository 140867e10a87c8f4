package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import java.util.Map;

/**
 * A database of this test run's own on a real server: created empty under a name no other run uses
 * ({@link TestRun#uniqueName()}), or for Redis, whose sixteen numbered databases cannot be shared out that way, a
 * private server on a free port. {@link #close()} drops it; {@link TestRun} drops what is still open at JVM exit.
 * Tests get a pool for it from {@link #poolSettings}, and inspect it through the kind's own client.
 */
public interface TestDatabase extends AutoCloseable {

    DatabaseKind kind();

    /** The value of the pool's {@code database} key. */
    String name();

    /** Where the server listens. */
    HostPort server();

    /**
     * Every key of this kind's pool schema, as the configuration loader hands them to a backend, for a pool of 4 on
     * this database reached at {@code server} ({@code host:port}: the server, or a proxy in front of it).
     */
    Map<String, String> poolSettings(String server);

    /** {@link #poolSettings(String)} reaching the server directly. */
    default Map<String, String> poolSettings() {
        return poolSettings(server().host() + ":" + server().port());
    }

    /** Drops the database (stops a private server and removes its files); a second call does nothing. */
    @Override
    void close();
}
