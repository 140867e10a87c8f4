package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.mysqlclient.MySQLBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A database of this test run's own on the real MariaDB (MySQL protocol) on 127.0.0.1:3306 (root, no password),
 * utf8mb4 whatever the server's default, so that its text columns take any Unicode and refuse what is not UTF-8.
 */
public final class MysqlTestDatabase implements SqlTestDatabase {
    private final String name;
    private final AtomicBoolean dropped = new AtomicBoolean();

    private MysqlTestDatabase(String name) {
        this.name = name;
    }

    /** Creates a new, empty database named {@link TestRun#uniqueName()}. */
    public static MysqlTestDatabase create() {
        MysqlTestDatabase database = new MysqlTestDatabase(TestRun.uniqueName());
        TestRun.closeAtExit(database);
        try (TestMysql admin = TestMysql.connect("")) {
            admin.execute("CREATE DATABASE " + database.name + " CHARACTER SET utf8mb4");
        }
        return database;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HostPort server() {
        return new HostPort(TestMysql.HOST, TestMysql.PORT);
    }

    @Override
    public Map<String, String> poolSettings(String server) {
        return Map.of("server", server, "pool_size", "4", "user", "root", "password", "", "database", name,
                "ssl", "false", "verify", "true", "cacertfile", "", "certfile", "", "keyfile", "");
    }

    @Override
    public TestMysql connect() {
        return TestMysql.connect(name);
    }

    @Override
    public Pool openPool(Vertx vertx) {
        return MySQLBuilder.pool().connectingTo(TestMysql.options(name)).using(vertx).build();
    }

    @Override
    public boolean numberedMarkers() {
        return false;
    }

    @Override
    public String binaryType() {
        return "blob";
    }

    @Override
    public String timestampType() {
        return "datetime";
    }

    @Override
    public String serialPrimaryKey() {
        return "int auto_increment primary key";
    }

    @Override
    public String fromEpochSeconds() {
        return "FROM_UNIXTIME";
    }

    @Override
    public String arrivedMillis() {
        return "CAST(UNIX_TIMESTAMP(arrived) * 1000 AS SIGNED)";
    }

    @Override
    public String threeHoursAgo() {
        return "NOW() - INTERVAL 3 HOUR";
    }

    @Override
    public void close() {
        if (dropped.compareAndSet(false, true)) {
            try (TestMysql admin = TestMysql.connect("")) {
                admin.execute("DROP DATABASE IF EXISTS " + name);
            }
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "MariaDB database " + name;
    }
}
