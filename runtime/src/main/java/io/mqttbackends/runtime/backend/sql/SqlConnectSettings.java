package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.model.conf.HostPort;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.PoolTls;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;

/**
 * The pool keys the SQL databases share, applied to the driver's options: {@code server} ({@code host[:port]}),
 * {@code pool_size}, {@code password}, {@code database}, and with {@code ssl} the PEM files {@code cacertfile}
 * (CA to trust), {@code certfile}/{@code keyfile} (client certificate) and {@code verify}. The user key
 * ({@code username} for pgsql, {@code user} for mysql) and the TLS mode are the database's own.
 */
public final class SqlConnectSettings {

    private SqlConnectSettings() {
    }

    /**
     * The multi-row insert texts ({@link MultiRowInsert}) run to about 20,000 characters; the client caches only
     * statements up to its limit (2,048 by default) and would parse the longer ones again on every batch.
     */
    private static final int CACHED_SQL_LIMIT = 65_536;

    /**
     * Server, credentials and database, the user under the database's own key; prepared statements cached per
     * connection, so the hooks' few statement texts are parsed once per connection instead of once per execution;
     * connections silent for {@code call_timeout} closed.
     */
    public static <T extends SqlConnectOptions> T apply(T options, PoolConfig config, String userKey,
            int defaultPort) {
        HostPort server = config.servers("server", defaultPort).get(0);
        options.setHost(server.host()).setPort(server.port()).setUser(config.get(userKey))
                .setPassword(config.get("password")).setDatabase(config.get("database"))
                .setCachePreparedStatements(true).setPreparedStatementCacheSqlLimit(CACHED_SQL_LIMIT);
        // A call that timed out leaves its query on the connection, which a server that never answers keeps busy
        // for ever: a connection silent for call_timeout is closed, so the pool replaces it.
        options.setIdleTimeout(config.intValue("call_timeout")).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        return options;
    }

    public static PoolOptions poolOptions(PoolConfig config) {
        return new PoolOptions().setMaxSize(config.intValue("pool_size")).setName(config.qualifiedName());
    }

    /**
     * TLS of a pool with {@code ssl} on ({@link PoolTls}): verified, the certificate against {@code cacertfile} (else
     * the JVM's trust store) and the host name against {@code server}, the way HTTPS does; with {@code verify = false}
     * any certificate. The caller sets the database's TLS mode to match ({@code verify-full} / {@code
     * VERIFY_IDENTITY}, or just required).
     *
     * @param log where the pool's failures in TLS go
     */
    public static void applyTls(SqlConnectOptions options, PoolConfig config, Vertx vertx, PoolTls.FailureLog log) {
        if (PoolTls.verifies(config)) {
            options.setTrustOptions(PoolTls.trustOptions(config, vertx, log)).setHostnameVerificationAlgorithm("HTTPS");
        } else {
            options.setTrustAll(true).setHostnameVerificationAlgorithm("");
        }
        PoolTls.keyCertOptions(config).ifPresent(options::setKeyCertOptions);
    }
}
