package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.sql.SqlBackendTestSupport;
import io.mqttbackends.model.DatabaseKind;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.Map;

/** The real PostgreSQL on 127.0.0.1:5432 (trust auth) and a database of the backend tests' own. */
final class PgsqlTestDatabase implements SqlBackendTestSupport.Database {
    static final String DATABASE = "mqttbackends_pgsql_backend_it";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** EMQX 4.4's own DDL for emqx_backend_pgsql (spec §3.3): text payloads, serial int ids. */
    static final String EMQX_DDL = """
            CREATE TABLE mqtt_client (id SERIAL primary key, clientid varchar(100), state integer,
              node varchar(100), online_at timestamp, offline_at timestamp, created timestamp without time zone,
              UNIQUE (clientid));
            CREATE TABLE mqtt_sub (id SERIAL primary key, clientid varchar(100), topic varchar(200), qos integer,
              created timestamp without time zone, UNIQUE (clientid, topic));
            CREATE TABLE mqtt_msg (id SERIAL primary key, msgid varchar(60), sender varchar(100),
              topic varchar(200), qos integer, retain integer, payload text, arrived timestamp without time zone);
            CREATE TABLE mqtt_retain (id SERIAL primary key, topic varchar(200), msgid varchar(60),
              sender varchar(100), qos integer, payload text, arrived timestamp without time zone, UNIQUE (topic));
            CREATE TABLE mqtt_acked (id SERIAL primary key, clientid varchar(100), topic varchar(100),
              mid integer, created timestamp without time zone, UNIQUE (clientid, topic));
            """;

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.PGSQL;
    }

    @Override
    public Pool openInspectionPool(Vertx vertx) {
        Pool admin = PgBuilder.pool().connectingTo(connectOptions("test")).using(vertx).build();
        try {
            boolean exists = admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
                    .execute(Tuple.of(DATABASE)).await().atMost(WAIT).size() > 0;
            if (!exists) {
                admin.query("CREATE DATABASE " + DATABASE).execute().await().atMost(WAIT);
            }
        } finally {
            admin.close().await().atMost(WAIT);
        }
        return PgBuilder.pool().connectingTo(connectOptions(DATABASE)).using(vertx).build();
    }

    private static PgConnectOptions connectOptions(String database) {
        return new PgConnectOptions().setHost("127.0.0.1").setPort(5432).setUser("postgres").setDatabase(database);
    }

    @Override
    public Backend newBackend(Vertx vertx) {
        return new PgsqlBackend(vertx);
    }

    @Override
    public Map<String, String> poolSettings() {
        return Map.of("server", "127.0.0.1:5432", "pool_size", "4", "username", "postgres", "password", "",
                "database", DATABASE, "ssl", "false", "cacertfile", "", "certfile", "", "keyfile", "",
                "verify", "false");
    }

    @Override
    public String arrivedMillis() {
        return "(extract(epoch FROM arrived::timestamptz) * 1000)::bigint";
    }

    @Override
    public boolean numberedMarkers() {
        return true;
    }

    @Override
    public String binaryType() {
        return "bytea";
    }

    @Override
    public String timestampType() {
        return "timestamptz";
    }

    @Override
    public String fromEpochSeconds() {
        return "to_timestamp";
    }
}
