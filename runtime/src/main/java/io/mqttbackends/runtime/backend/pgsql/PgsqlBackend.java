package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.config.DatabaseKind;
import io.mqttbackends.runtime.config.HostPort;
import io.mqttbackends.runtime.config.PoolConfig;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * PostgreSQL, as EMQX 4.x Enterprise's {@code emqx_backend_pgsql}, on the Vert.x reactive PostgreSQL client.
 *
 * <p>Pool keys ({@code backend.pgsql.<pool>.*}, validated at load): {@code server} ({@code host[:port]}, port 5432
 * by default), {@code pool_size}, {@code username}, {@code password}, {@code database}, {@code ssl}, and with TLS
 * {@code cacertfile} (PEM CA to trust), {@code certfile}/{@code keyfile} (PEM client certificate), {@code verify}
 * (check the server certificate against the CA, or trust any). {@code schema.init} is acted on by the runtime through
 * {@link BackendPool#initSchema()}.
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
        return PgsqlFunctions.FUNCTIONS.names();
    }

    /** Builds the pool without connecting: connections open on first use and are replaced when they break. */
    @Override
    public BackendPool open(PoolConfig config) {
        return new PgsqlPool(config, PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(config.intValue("pool_size")).setName(config.qualifiedName()))
                .connectingTo(connectOptions(config))
                .using(vertx)
                .build());
    }

    private static PgConnectOptions connectOptions(PoolConfig config) {
        PgConnectOptions options = new PgConnectOptions()
                .setUser(config.get("username"))
                .setPassword(config.get("password"))
                .setDatabase(config.get("database"));
        HostPort server = config.servers("server", DEFAULT_PORT).get(0);
        options.setHost(server.host()).setPort(server.port());
        if (config.boolValue("ssl")) {
            setTls(options, config);
        }
        return options;
    }

    private static void setTls(PgConnectOptions options, PoolConfig config) {
        boolean verify = config.boolValue("verify");
        options.setSslMode(verify ? SslMode.VERIFY_CA : SslMode.REQUIRE).setTrustAll(!verify);
        config.readableFile("cacertfile")
                .ifPresent(ca -> options.setPemTrustOptions(new PemTrustOptions().addCertPath(ca)));
        config.clientCertificate().ifPresent(c -> options.setPemKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(c.certfile()).setKeyPath(c.keyfile())));
    }
}
