package io.mqttbackends.runtime.backend.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import com.datastax.oss.driver.internal.core.connection.ConstantReconnectionPolicy;
import com.datastax.oss.driver.internal.core.connection.ExponentialReconnectionPolicy;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.PoolTls;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;

/**
 * Cassandra, as EMQX 4.x Enterprise's {@code emqx_backend_cassa} (docs/cassandra.md), on the Apache Cassandra Java
 * driver 4
 * that the Cassandra Quarkus client ships. The extension builds one session from {@code quarkus.cassandra.*} at
 * start; our pools come from conf files at run time, so each builds its own session with the driver's builder.
 *
 * <p>Pool keys ({@code backend.ecql.<pool>.*}, docs/cassandra.md "Pool keys"): {@code nodes} (a comma-separated {@code
 * host[:port]}
 * list of contact points), {@code size} (connections per node, and the pool's partitions), {@code auto_reconnect}
 * (seconds between reconnection attempts; 0: the driver's backoff from 1 s to 60 s; the driver always reconnects),
 * {@code username}/{@code password}, {@code keyspace}, {@code logger} (the level of the driver's log category, shared
 * by every Cassandra pool: the last one loaded sets it), {@code ssl} with {@code cafile}/{@code certfile}/
 * {@code keyfile} and {@code verify} (true by default: the certificate and the host name; {@code false} accepts any
 * server), and two keys EMQX did not have: {@code local_datacenter} (default {@code datacenter1}) and {@code
 * consistency} (default
 * {@code LOCAL_QUORUM}; EMQX wrote at ONE).
 */
@ApplicationScoped
public class CassandraBackend implements Backend {
    private static final int DEFAULT_PORT = 9042;

    private final Vertx vertx;

    public CassandraBackend(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.CASSANDRA;
    }

    @Override
    public Set<String> functions() {
        return CassandraFunctions.NAMES;
    }

    /** Builds nothing yet: the pool opens its session on first use, and again after a failed attempt. */
    @Override
    public BackendPool<?> open(PoolConfig config, PoolContext context) {
        // The loader made sure the keyspace is a name CQL takes unquoted.
        String keyspace = config.get("keyspace");
        SSLContext tls = config.boolValue("ssl") ? PoolTls.context(config, vertx.getDelegate(),
                PoolTls.verifies(config)) : null;
        PoolTls.warnIfUnverified(config);
        java.util.logging.Logger.getLogger("com.datastax.oss.driver").setLevel(level(config.get("logger")));
        return new CassandraPool(config,
                () -> builder(config, tls).withKeyspace(keyspace).buildAsync(),
                () -> builder(config, tls).buildAsync(), new PoolTls.FailureLog(config, "nodes", DEFAULT_PORT));
    }

    /**
     * A builder with a configuration loader of its own: the driver closes a session's loader with the session (and
     * with a session that failed to open), so sessions never share one.
     */
    private static CqlSessionBuilder builder(PoolConfig config, SSLContext tls) {
        DriverConfigLoader driverConfig = driverConfig(config).build();
        List<InetSocketAddress> nodes = config.servers("nodes", DEFAULT_PORT).stream()
                .map(n -> InetSocketAddress.createUnresolved(n.host(), n.port())).toList();
        CqlSessionBuilder builder = CqlSession.builder().withConfigLoader(driverConfig)
                .withClassLoader(CassandraBackend.class.getClassLoader()).addContactPoints(nodes)
                .withLocalDatacenter(config.get("local_datacenter"));
        config.optional("username").ifPresent(user -> builder.withAuthCredentials(user,
                config.optional("password").orElse("")));
        if (tls != null) {
            builder.withSslEngineFactory(new ProgrammaticSslEngineFactory(tls, null, PoolTls.verifies(config)));
        }
        return builder;
    }

    /**
     * The driver's settings from the pool's keys. Requests time out after {@code call_timeout}, so the driver gives up
     * no later than the action stage; connecting is bounded by it too.
     */
    static ProgrammaticDriverConfigLoaderBuilder driverConfig(PoolConfig config) {
        Duration callTimeout = Duration.ofMillis(config.intValue("call_timeout"));
        Duration connectTimeout = callTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? callTimeout
                : Duration.ofSeconds(10);
        int reconnect = config.intValue("auto_reconnect");
        // The class loader is explicit: a session may be opened again from a driver thread, which has no context
        // class loader for the driver's configuration library to find its reference.conf with.
        ProgrammaticDriverConfigLoaderBuilder builder = DriverConfigLoader.programmaticBuilder(
                        CassandraBackend.class.getClassLoader())
                .withString(DefaultDriverOption.SESSION_NAME, config.qualifiedName())
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, callTimeout)
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, config.get("consistency"))
                .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, config.poolSize())
                .withInt(DefaultDriverOption.CONNECTION_POOL_REMOTE_SIZE, config.poolSize())
                .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, connectTimeout)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, connectTimeout)
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, connectTimeout)
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, callTimeout)
                .withDuration(DefaultDriverOption.REPREPARE_TIMEOUT, callTimeout)
                // A node that hangs leaves its connections open and silent: a heartbeat after call_timeout of silence
                // closes them (the driver's default waits 30 s), so the pool reconnects soon after the node answers.
                .withDuration(DefaultDriverOption.HEARTBEAT_INTERVAL, callTimeout)
                .withDuration(DefaultDriverOption.HEARTBEAT_TIMEOUT, connectTimeout);
        if (reconnect > 0) {
            builder.withClass(DefaultDriverOption.RECONNECTION_POLICY_CLASS, ConstantReconnectionPolicy.class)
                    .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofSeconds(reconnect));
        } else {
            builder.withClass(DefaultDriverOption.RECONNECTION_POLICY_CLASS, ExponentialReconnectionPolicy.class)
                    .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofSeconds(1))
                    .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(60));
        }
        return builder;
    }

    /** EMQX's (lager's) level names. */
    private static Level level(String logger) {
        return switch (logger) {
            case "debug" -> Level.FINE;
            case "info", "notice" -> Level.INFO;
            case "warning" -> Level.WARNING;
            default -> Level.SEVERE;
        };
    }
}
