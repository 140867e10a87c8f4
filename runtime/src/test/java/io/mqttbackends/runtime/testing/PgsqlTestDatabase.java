package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** A database of this test run's own on the real PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth). */
public final class PgsqlTestDatabase implements SqlTestDatabase {
    private final String name;
    private final AtomicBoolean dropped = new AtomicBoolean();

    private PgsqlTestDatabase(String name) {
        this.name = name;
    }

    /** Creates a new, empty database named {@link TestRun#uniqueName()}. */
    public static PgsqlTestDatabase create() {
        PgsqlTestDatabase database = new PgsqlTestDatabase(TestRun.uniqueName());
        TestRun.closeAtExit(database);
        try (TestPostgres admin = TestPostgres.connect("postgres")) {
            admin.execute("create database " + database.name);
        }
        return database;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.PGSQL;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HostPort server() {
        return new HostPort(TestPostgres.HOST, TestPostgres.PORT);
    }

    @Override
    public Map<String, String> poolSettings(String server) {
        return Map.of("server", server, "pool_size", "4", "username", "postgres", "password", "", "database", name,
                "ssl", "false", "verify", "true", "cacertfile", "", "certfile", "", "keyfile", "");
    }

    @Override
    public TestPostgres connect() {
        return TestPostgres.connect(name);
    }

    @Override
    public Pool openPool(Vertx vertx) {
        return PgBuilder.pool().connectingTo(TestPostgres.options(name)).using(vertx).build();
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
    public String serialPrimaryKey() {
        return "serial primary key";
    }

    @Override
    public String fromEpochSeconds() {
        return "to_timestamp";
    }

    @Override
    public String arrivedMillis() {
        return "(extract(epoch FROM arrived::timestamptz) * 1000)::bigint";
    }

    @Override
    public String threeHoursAgo() {
        return "now() - interval '3 hours'";
    }

    /** Drops the database, ending the sessions still on it (a runtime under test may still hold some). */
    @Override
    public void close() {
        if (dropped.compareAndSet(false, true)) {
            try (TestPostgres admin = TestPostgres.connect("postgres")) {
                admin.execute("drop database if exists " + name + " with (force)");
            }
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL database " + name;
    }
}
