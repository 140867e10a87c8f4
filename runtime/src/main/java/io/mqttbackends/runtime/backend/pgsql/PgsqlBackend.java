package io.mqttbackends.runtime.backend.pgsql;

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
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * PostgreSQL, as EMQX 4.x Enterprise's {@code emqx_backend_pgsql}, on the Vert.x reactive PostgreSQL client.
 *
 * <p>Pool keys ({@code backend.pgsql.<pool>.*}, validated at load): {@code server} ({@code host[:port]}, port 5432
 * by default), {@code pool_size}, {@code username}, {@code password}, {@code database}, {@code ssl}, and with TLS
 * {@code cacertfile} (PEM CA to trust), {@code certfile}/{@code keyfile} (PEM client certificate), {@code verify}
 * (true by default: the server certificate is checked against the CA, else the JVM's trust store, and its host name
 * against {@code server}, as {@code sslmode=verify-full}; {@code false} trusts any). {@code schema.init} is acted on
 * by the runtime through {@link BackendPool#initSchema()}; {@code retention.*} deletes old stored
 * messages ({@link io.mqttbackends.runtime.backend.sql.SqlRetention}).
 */
@ApplicationScoped
public class PgsqlBackend implements Backend {

    private static final int DEFAULT_PORT = 5432;

    private final Vertx vertx;

    public PgsqlBackend(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.PGSQL;
    }

    @Override
    public Set<String> functions() {
        return SqlFunctions.NAMES;
    }

    /** Builds the pool without connecting: connections open on first use and are replaced when they break. */
    @Override
    public BackendPool<?> open(PoolConfig config, PoolContext context) {
        PgConnectOptions options = SqlConnectSettings.apply(new PgConnectOptions(), config, "username", DEFAULT_PORT);
        PoolTls.FailureLog tls = new PoolTls.FailureLog(config, "server", DEFAULT_PORT);
        if (config.boolValue("ssl")) {
            options.setSslMode(PoolTls.verifies(config) ? SslMode.VERIFY_FULL : SslMode.REQUIRE);
            SqlConnectSettings.applyTls(options, config, vertx.getDelegate(), tls);
            PoolTls.warnIfUnverified(config);
        }
        return new SqlPool(config, PgBuilder.pool().with(SqlConnectSettings.poolOptions(config))
                .connectingTo(options).using(vertx).build(), PgsqlDialect.DIALECT, tls, vertx, context);
    }
}
