package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.config.ConfigException;
import io.mqttbackends.runtime.config.HostPort;
import io.mqttbackends.runtime.config.PoolConfig;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The pool keys the SQL databases share, applied to the driver's options: {@code server} ({@code host[:port]}),
 * {@code pool_size}, {@code password}, {@code database}, and with {@code ssl} the PEM files {@code cacertfile}
 * (CA to trust) and {@code certfile}/{@code keyfile} (client certificate). The user key ({@code username} for pgsql,
 * {@code user} for mysql), the TLS mode and {@code verify} are the database's own.
 */
public final class SqlConnectSettings {

    private SqlConnectSettings() {
    }

    /** Server, credentials and database; the user under the database's own key. */
    public static <T extends SqlConnectOptions> T apply(T options, PoolConfig config, String userKey,
            int defaultPort) {
        HostPort server = config.servers("server", defaultPort).get(0);
        options.setHost(server.host()).setPort(server.port()).setUser(config.get(userKey))
                .setPassword(config.get("password")).setDatabase(config.get("database"));
        return options;
    }

    public static PoolOptions poolOptions(PoolConfig config) {
        return new PoolOptions().setMaxSize(config.intValue("pool_size")).setName(config.qualifiedName());
    }

    /** The CA and client certificate files of a TLS pool; {@code verify} decides whether the CA is checked. */
    public static void applyTlsFiles(SqlConnectOptions options, PoolConfig config) {
        options.setTrustAll(!config.boolValue("verify"));
        readableFile(config, "cacertfile")
                .ifPresent(ca -> options.setPemTrustOptions(new PemTrustOptions().addCertPath(ca)));
        Optional<String> cert = readableFile(config, "certfile");
        Optional<String> key = readableFile(config, "keyfile");
        if (cert.isPresent() != key.isPresent()) {
            String missing = cert.isPresent() ? "keyfile" : "certfile";
            throw new ConfigException(config.locationOf(missing),
                    "a client certificate needs both certfile and keyfile; " + missing + " is missing");
        }
        cert.ifPresent(c -> options.setPemKeyCertOptions(new PemKeyCertOptions().setCertPath(c)
                .setKeyPath(key.orElseThrow())));
    }

    /** A TLS file is checked at load, so a typo is a configuration error rather than endless failed connects. */
    private static Optional<String> readableFile(PoolConfig config, String key) {
        Optional<String> path = config.optional(key);
        path.filter(p -> !Files.isReadable(Path.of(p))).ifPresent(p -> {
            throw new ConfigException(config.locationOf(key), "cannot read " + key + " '" + p + "'");
        });
        return path;
    }
}
