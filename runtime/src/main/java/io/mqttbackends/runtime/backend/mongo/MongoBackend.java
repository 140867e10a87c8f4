package io.mqttbackends.runtime.backend.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.ReadPreference;
import com.mongodb.ServerAddress;
import com.mongodb.WriteConcern;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ServerConnectionState;
import com.mongodb.connection.ServerDescription;
import com.mongodb.event.ServerDescriptionChangedEvent;
import com.mongodb.event.ServerListener;
import com.mongodb.reactivestreams.client.MongoClients;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.PoolTls;
import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jboss.logging.Logger;

/**
 * MongoDB, as EMQX 4.x Enterprise's {@code emqx_backend_mongo} (docs/mongodb.md), on the MongoDB reactive-streams
 * driver
 * that the Quarkus MongoDB extension ships, through the extension's Mutiny API. The extension configures its
 * clients from {@code quarkus.mongodb.*} at build time; ours come from conf files at run time, so each pool builds
 * its own driver client and wraps it in the extension's {@link ReactiveMongoClientImpl}.
 *
 * <p>Pool keys ({@code backend.mongo.<pool>.*}, docs/mongodb.md): {@code type} ({@code single}: one server, directly;
 * {@code rs}: a replica set named {@code rs_set_name}; {@code sharded}: mongos routers; {@code unknown}: discovered),
 * {@code server} (a comma-separated {@code host[:port]} list) or, with {@code srv_record = true}, one DNS name looked
 * up as {@code mongodb+srv}; {@code c_pool_size} (connections per server, and the pool's ordered partitions);
 * {@code database}; {@code login}/{@code password}/{@code auth_source}; {@code ssl} with {@code cacertfile} (PEM;
 * without it the JVM's trust store) and {@code certfile}/{@code keyfile}: the server's certificate and its host name
 * are always verified; {@code w_mode} and {@code r_mode}. The global {@code backend.mongo.topology.*} keys map to the
 * driver's pool, selection and heartbeat settings ({@link #settings}).
 */
@ApplicationScoped
public class MongoBackend implements Backend {
    private static final Logger LOG = Logger.getLogger(MongoBackend.class);
    private static final int DEFAULT_PORT = 27017;

    private final Vertx vertx;

    public MongoBackend(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MONGO;
    }

    @Override
    public Set<String> functions() {
        return MongoFunctions.NAMES;
    }

    /** Builds the client; it connects in the background and reconnects by itself. */
    @Override
    public BackendPool<?> open(PoolConfig config, PoolContext context) {
        MongoClientSettings settings = settings(config, vertx);
        if (config.get("w_mode").equals("unsafe")) {
            LOG.warnf("%s: w_mode = unsafe sends writes unacknowledged: a write MongoDB drops is never retried, so"
                    + " this pool cannot keep the at-least-once promise; use w_mode = safe (%s)",
                    config.qualifiedName(), config.locationOf("w_mode"));
        }
        com.mongodb.reactivestreams.client.MongoClient driver = MongoClients.create(settings);
        return new MongoPool(config, new ReactiveMongoClientImpl(driver),
                driver.getDatabase(config.get("database")).withWriteConcern(WriteConcern.W1), readPreference(config));
    }

    /**
     * The driver settings of a pool. Unset topology timeouts default to the pool's {@code call_timeout}: a server
     * that accepts connections and never answers must free the connection, and a missing server must fail a call
     * before the action stage gives up on it, not 30 s later.
     */
    static MongoClientSettings settings(PoolConfig config, Vertx vertx) {
        MongoClientSettings.Builder builder = MongoClientSettings.builder();
        String type = config.get("type");
        boolean srv = config.boolValue("srv_record");
        List<HostPort> servers = config.servers("server", DEFAULT_PORT);
        // The loader made sure of one server for type single, and of one name without a port for srv_record.
        if (srv) {
            builder.applyConnectionString(new ConnectionString("mongodb+srv://" + servers.get(0).host()));
        } else {
            List<ServerAddress> addresses = servers.stream().map(s -> new ServerAddress(s.host(), s.port()))
                    .toList();
            builder.applyToClusterSettings(c -> c.hosts(addresses));
        }
        builder.applyToClusterSettings(c -> {
            switch (type) {
                case "single" -> {
                    if (!srv) {
                        c.mode(ClusterConnectionMode.SINGLE);
                    }
                }
                case "rs" -> c.mode(ClusterConnectionMode.MULTIPLE).requiredClusterType(ClusterType.REPLICA_SET)
                        .requiredReplicaSetName(config.optional("rs_set_name").orElse(null));
                case "sharded" -> c.requiredClusterType(ClusterType.SHARDED);
                default -> c.requiredClusterType(ClusterType.UNKNOWN);
            }
        });
        config.optional("login").ifPresent(login -> builder.credential(MongoCredential.createCredential(login,
                config.optional("auth_source").orElse("admin"),
                config.optional("password").orElse("").toCharArray())));
        if (config.boolValue("ssl")) {
            SSLContext context = PoolTls.context(config, vertx.getDelegate(), true);
            builder.applyToSslSettings(s -> s.enabled(true).invalidHostNameAllowed(false).context(context));
            // The driver connects and fails in its own monitor threads; calls then time out without the cause.
            PoolTls.FailureLog tls = new PoolTls.FailureLog(config, "server", DEFAULT_PORT);
            builder.applyToServerSettings(s -> s.addServerListener(new ServerListener() {
                @Override
                public void serverDescriptionChanged(ServerDescriptionChangedEvent event) {
                    ServerDescription server = event.getNewDescription();
                    if (server.getException() != null) {
                        tls.failed(server.getException());
                    } else if (server.getState() == ServerConnectionState.CONNECTED) {
                        tls.succeeded();
                    }
                }
            }));
        }
        builder.writeConcern(writeConcern(config));
        builder.readPreference(ReadPreference.primary());
        // Writes are retried by the action stage, which knows what is idempotent; the driver retrying too would only
        // double the time a call may take.
        builder.retryWrites(false);
        topology(config, builder);
        return builder.build();
    }

    /**
     * {@code safe}: acknowledged writes, by a majority where there are replicas (so a failover does not lose what
     * was acknowledged), by the server itself for {@code type = single}; {@code unsafe}: unacknowledged.
     */
    static WriteConcern writeConcern(PoolConfig config) {
        if (config.get("w_mode").equals("unsafe")) {
            return WriteConcern.UNACKNOWLEDGED;
        }
        return config.get("type").equals("single") ? WriteConcern.W1 : WriteConcern.MAJORITY;
    }

    /** {@code master}: the primary; {@code slave_ok}: a secondary where there is one (reads may lag behind). */
    static ReadPreference readPreference(PoolConfig config) {
        return config.get("r_mode").equals("slave_ok") ? ReadPreference.secondaryPreferred()
                : ReadPreference.primary();
    }

    private static void topology(PoolConfig config, MongoClientSettings.Builder builder) {
        int callTimeout = config.intValue("call_timeout");
        int poolSize = config.poolSize();
        Optional<Integer> topologyPool = topologyKey(config, "pool_size");
        int overflow = topologyKey(config, "max_overflow").orElse(0);
        // EMQX's topology pool_size (+ max_overflow under load) is the driver's connection pool per server; our
        // c_pool_size partitions each need one, and a fetch runs beside them.
        int maxConnections = Math.max(poolSize + 1, topologyPool.orElse(0) + overflow);
        builder.applyToConnectionPoolSettings(p -> {
            p.maxSize(maxConnections).minSize(Math.min(topologyPool.orElse(0), maxConnections))
                    .maxWaitTime(topologyKey(config, "wait_queue_timeout_ms").orElse(callTimeout),
                            TimeUnit.MILLISECONDS);
            topologyKey(config, "overflow_ttl").ifPresent(ms -> p.maxConnectionIdleTime(ms, TimeUnit.MILLISECONDS));
            topologyKey(config, "overflow_check_period")
                    .ifPresent(ms -> p.maintenanceFrequency(ms, TimeUnit.MILLISECONDS));
        });
        builder.applyToSocketSettings(s -> s
                .connectTimeout(topologyKey(config, "connect_timeout_ms").orElse(Math.min(callTimeout, 10_000)),
                        TimeUnit.MILLISECONDS)
                .readTimeout(topologyKey(config, "socket_timeout_ms").orElse(callTimeout), TimeUnit.MILLISECONDS));
        builder.applyToClusterSettings(c -> {
            c.serverSelectionTimeout(topologyKey(config, "server_selection_timeout_ms").orElse(callTimeout),
                    TimeUnit.MILLISECONDS);
            topologyKey(config, "local_threshold_ms").ifPresent(ms -> c.localThreshold(ms, TimeUnit.MILLISECONDS));
        });
        builder.applyToServerSettings(s -> {
            topologyKey(config, "heartbeat_frequency_ms")
                    .ifPresent(ms -> s.heartbeatFrequency(ms, TimeUnit.MILLISECONDS));
            topologyKey(config, "min_heartbeat_frequency_ms")
                    .ifPresent(ms -> s.minHeartbeatFrequency(ms, TimeUnit.MILLISECONDS));
        });
    }

    private static Optional<Integer> topologyKey(PoolConfig config, String key) {
        String name = "topology." + key;
        return config.optional(name).map(v -> config.intValue(name));
    }
}
