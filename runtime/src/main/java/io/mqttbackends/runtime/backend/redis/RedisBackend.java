package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import io.mqttbackends.model.conf.PoolConfig;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Redis, as EMQX 4.x Enterprise's {@code emqx_backend_redis}, on the Vert.x reactive Redis client that the Quarkus
 * Redis extension ships. Clients are created here, one per conf pool; the extension's own default client is never
 * configured.
 *
 * <p>Pool keys ({@code backend.redis.<pool>.*}, docs/redis.md "Pool keys"): {@code type} ({@code single}, {@code
 * sentinel} with
 * {@code sentinel} = the master name and {@code server} = the sentinels, or {@code cluster} with {@code server} =
 * seed nodes), {@code pool_size} (connections per node), {@code database} (selected on every connection; a cluster
 * has only database 0), {@code password}, {@code ssl} with optional {@code cafile} (PEM CA; without it the JVM's
 * trust store), {@code certfile}/{@code keyfile} and {@code verify} (true by default: certificate and host name
 * checked; {@code false} accepts any server, as EMQX's {@code verify_none} did), and {@code channel}, the pub/sub
 * control channel ({@link RedisControlChannel}).
 */
@ApplicationScoped
public class RedisBackend implements Backend {

    private static final int DEFAULT_PORT = 6379;
    /** Waiting requests per pool beyond its connections; the dispatcher's lanes never come close. */
    private static final int MAX_POOL_WAITING = 1024;

    private final Vertx vertx;

    public RedisBackend(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.REDIS;
    }

    @Override
    public Set<String> functions() {
        return RedisFunctions.FUNCTIONS.names();
    }

    /** Builds the client without connecting: connections open on first use and are replaced when they break. */
    @Override
    public BackendPool<?> open(PoolConfig config, PoolContext context) {
        PoolTls.FailureLog tls = new PoolTls.FailureLog(config, "server", DEFAULT_PORT);
        RedisOptions options = options(config, vertx.getDelegate(), tls);
        Redis client = Redis.createClient(vertx, options);
        Optional<RedisControlChannel> channel = Optional.empty();
        if (options.getType() != RedisClientType.CLUSTER) {
            // A dedicated client of one connection: a subscribed connection can do nothing but pub/sub.
            RedisOptions subscriber = new RedisOptions(options).setMaxPoolSize(1)
                    .setPoolName(config.qualifiedName() + ".channel")
                    // A subscribed connection is silent until a message comes: it must not be closed for that.
                    .setNetClientOptions(new NetClientOptions(options.getNetClientOptions()).setIdleTimeout(0));
            channel = Optional.of(new RedisControlChannel(config, Redis.createClient(vertx, subscriber), context));
        }
        PoolTls.warnIfUnverified(config);
        RedisPool pool = new RedisPool(config, client, options.getType() == RedisClientType.CLUSTER, channel, tls);
        channel.ifPresent(RedisControlChannel::start);
        return pool;
    }

    /** @param tlsLog where the pool's failures in TLS go */
    static RedisOptions options(PoolConfig config, io.vertx.core.Vertx vertx, PoolTls.FailureLog tlsLog) {
        String type = config.get("type");
        int database = config.intValue("database");
        boolean ssl = config.boolValue("ssl");
        List<HostPort> servers = config.servers("server", DEFAULT_PORT);
        RedisOptions options = new RedisOptions()
                .setMaxPoolSize(config.intValue("pool_size"))
                .setMaxPoolWaiting(MAX_POOL_WAITING)
                .setPoolName(config.qualifiedName());
        config.optional("password").ifPresent(options::setPassword);
        switch (type) {
            case "sentinel" -> options.setType(RedisClientType.SENTINEL)
                    .setMasterName(config.get("sentinel"))
                    .setRole(RedisRole.MASTER)
                    .setAutoFailover(true);
            case "cluster" -> {
                requireClusterDatabase(config);
                options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
            }
            // The loader made sure type single has one server.
            default -> options.setType(RedisClientType.STANDALONE);
        }
        // The database travels in each endpoint: the sentinel client selects it on the master it finds.
        servers.forEach(s -> options.addConnectionString(endpoint(s, ssl, database)));
        NetClientOptions net = ssl ? tls(config, vertx, tlsLog) : new NetClientOptions();
        // A command that timed out stays pending on a connection a hung server never answers: a connection silent
        // for call_timeout is closed, so the client replaces it.
        options.setNetClientOptions(net.setIdleTimeout(config.intValue("call_timeout"))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
        return options;
    }

    /** @throws ConfigException naming the database key when a cluster pool selects a database other than 0 */
    static void requireClusterDatabase(PoolConfig config) {
        int database = config.intValue("database");
        if (config.get("type").equals("cluster") && database != 0) {
            throw new ConfigException(config.locationOf("database"),
                    "a Redis cluster has only database 0, not " + database);
        }
    }

    private static String endpoint(HostPort server, boolean ssl, int database) {
        String host = server.host().contains(":") ? "[" + server.host() + "]" : server.host();
        return (ssl ? "rediss://" : "redis://") + host + ":" + server.port()
                + (database == 0 ? "" : "/" + database);
    }

    /**
     * Verified, the certificate against {@code cafile} (else the JVM's trust store) and the host name against the
     * server's address, the way HTTPS does (for sentinels and cluster nodes: the address each is reached at); with
     * {@code verify = false} any certificate.
     */
    private static NetClientOptions tls(PoolConfig config, io.vertx.core.Vertx vertx, PoolTls.FailureLog log) {
        NetClientOptions net = new NetClientOptions().setSsl(true);
        if (PoolTls.verifies(config)) {
            net.setTrustOptions(PoolTls.trustOptions(config, vertx, log)).setHostnameVerificationAlgorithm("HTTPS");
        } else {
            net.setTrustAll(true).setHostnameVerificationAlgorithm("");
        }
        PoolTls.keyCertOptions(config).ifPresent(net::setKeyCertOptions);
        return net;
    }
}
