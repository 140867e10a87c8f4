package io.mqttbackends.runtime.testing;

import com.mongodb.ConnectionString;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqttbackends.model.conf.HostPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * This test run's MongoDB. No mongod package exists in the registries these machines reach, so by default it is the
 * protocol-compatible stand-in {@code mongo-java-server}, started in this JVM once per run on a free loopback port
 * and shut down at exit. When {@value #URI_VARIABLE} names a real MongoDB ({@code mongodb://user:pw@host:27017/?authSource=admin}),
 * every Mongo test runs unchanged against it instead, each in a database of its own.
 *
 * <p>What the stand-in cannot show (transactions, TTL expiry, retryable writes, replica-set failover, collation) is
 * listed in docs/mongodb.md; no test relies on the stand-in accepting what a real server would refuse.
 */
public final class MongoTestServer {
    /** The environment variable naming a real MongoDB to test against. */
    public static final String URI_VARIABLE = "MQTTBACKENDS_TEST_MONGO_URI";

    private static final ConnectionString URI = start();

    private MongoTestServer() {
    }

    /** The connection string of the run's MongoDB, without a database. */
    public static ConnectionString uri() {
        return URI;
    }

    /** Whether the run's MongoDB is the stand-in rather than a real server. */
    public static boolean isStandIn() {
        return System.getenv(URI_VARIABLE) == null || System.getenv(URI_VARIABLE).isBlank();
    }

    /** The first host of the run's MongoDB. */
    public static HostPort server() {
        return HostPort.parse(URI.getHosts().get(0), 27017).orElseThrow();
    }

    /** The {@code server} value of a pool: the hosts, comma-separated. */
    public static String servers() {
        return String.join(",", URI.getHosts());
    }

    /**
     * Every key of the mongo pool schema for a pool of 4 on {@code database} reached at {@code server}, with the
     * credentials of {@link #URI_VARIABLE} when it has some.
     */
    public static Map<String, String> poolSettings(String server, String database) {
        Map<String, String> settings = new HashMap<>(Map.of("type", "unknown", "srv_record", "false",
                "rs_set_name", Optional.ofNullable(URI.getRequiredReplicaSetName()).orElse(""),
                "server", server, "c_pool_size", "4", "database", database,
                "login", Optional.ofNullable(URI.getUsername()).orElse(""),
                "password", URI.getPassword() == null ? "" : new String(URI.getPassword()),
                "auth_source", Optional.ofNullable(URI.getCredential()).map(c -> c.getSource()).orElse("admin"),
                "ssl", Boolean.toString(Boolean.TRUE.equals(URI.getSslEnabled()))));
        settings.putAll(Map.of("keyfile", "", "certfile", "", "cacertfile", "", "w_mode", "safe", "r_mode", "master"));
        if (!URI.getHosts().isEmpty() && URI.getHosts().size() == 1 && URI.getRequiredReplicaSetName() == null) {
            settings.put("type", "single");
        }
        return settings;
    }

    private static ConnectionString start() {
        String real = System.getenv(URI_VARIABLE);
        if (real != null && !real.isBlank()) {
            return new ConnectionString(real);
        }
        MongoServer server = new MongoServer(new MemoryBackend());
        String uri = server.bindAndGetConnectionString();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-stand-in-stop"));
        return new ConnectionString(uri);
    }

    /** The hosts as {@link HostPort}s. */
    public static List<HostPort> hosts() {
        return URI.getHosts().stream().map(h -> HostPort.parse(h, 27017).orElseThrow()).toList();
    }
}
