package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.runtime.backend.sql.SqlConnectSettings;
import io.mqttbackends.runtime.backend.sql.SqlFunctions;
import io.mqttbackends.runtime.backend.sql.SqlPool;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.PoolConfig;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * MySQL and MariaDB, as EMQX 4.x Enterprise's {@code emqx_backend_mysql}, on the Vert.x reactive MySQL client.
 *
 * <p>Pool keys ({@code backend.mysql.<pool>.*}, validated at load): {@code server} ({@code host[:port]}, port 3306
 * by default), {@code pool_size}, {@code user}, {@code password}, {@code database}, {@code ssl}, and with TLS
 * {@code cacertfile} (PEM CA to trust), {@code certfile}/{@code keyfile} (PEM client certificate), {@code verify}
 * (true by default: the server certificate is checked against the CA, else the JVM's trust store, and its host name
 * against {@code server}, as {@code ssl-mode=VERIFY_IDENTITY}; {@code false} trusts any). The connection character
 * set is utf8mb4 (the client's default; EMQX's {@code utf8} cannot hold 4-byte characters). {@code schema.init} is acted on by the
 * runtime through {@link BackendPool#initSchema()}; {@code retention.*} deletes old stored
 * messages ({@link io.mqttbackends.runtime.backend.sql.SqlRetention}).
 */
@ApplicationScoped
public class MysqlBackend implements Backend {

    private static final int DEFAULT_PORT = 3306;
    /** Statements in flight on one connection: enough for a whole default batch (batch_size 500) in one round trip. */
    private static final int PIPELINING_LIMIT = 512;

    private final Vertx vertx;

    public MysqlBackend(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    public Set<String> functions() {
        return SqlFunctions.NAMES;
    }

    /**
     * Builds the pool without connecting: connections open on first use and are replaced when they break. Prepared
     * statements are cached per connection: MySQL prepares in a round trip of its own, and every statement here
     * repeats.
     */
    @Override
    public BackendPool<?> open(PoolConfig config, PoolContext context) {
        MySQLConnectOptions options = SqlConnectSettings.apply(new MySQLConnectOptions(), config, "user", DEFAULT_PORT)
                .setCharset("utf8mb4");
        // MySQL has no batch command: a batch of N writes is N statement executions, which only pipelining keeps to
        // one round trip (the client's default limit of 1 waits for each reply before sending the next).
        options.setPipeliningLimit(PIPELINING_LIMIT);
        PoolTls.FailureLog tls = new PoolTls.FailureLog(config, "server", DEFAULT_PORT);
        if (config.boolValue("ssl")) {
            options.setSslMode(PoolTls.verifies(config) ? SslMode.VERIFY_IDENTITY : SslMode.REQUIRED);
            SqlConnectSettings.applyTls(options, config, vertx.getDelegate(), tls);
            PoolTls.warnIfUnverified(config);
        }
        return new SqlPool(config, MySQLBuilder.pool().with(SqlConnectSettings.poolOptions(config))
                .connectingTo(options).using(vertx).build(), MysqlDialect.DIALECT, tls, vertx, context);
    }
}
