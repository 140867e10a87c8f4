package io.mqttbackends.runtime.e2e;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.TestMysql;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.mqttbackends.runtime.testing.TestSql;
import java.util.function.Function;

/**
 * The SQL databases the end-to-end tests run against, each with its own database, its own MQTT topics (so two
 * suites running at once on one broker never see each other's events) and its few SQL differences.
 */
public enum E2eDatabase {
    PGSQL(DatabaseKind.PGSQL, "mqttbackends_pgsql_e2e", "pgsql-e2e", TestPostgres.HOST, TestPostgres.PORT,
            "username", "postgres", "to_timestamp",
            "create table hook_log (id serial primary key, hookpoint text, clientid text, username text,"
                    + " peerhost text, node text, topic text, qos int, msgid text, payload text, retain int,"
                    + " ts timestamptz)",
            "now() - interval '3 hours'", TestPostgres::fresh, TestPostgres::connect),
    MYSQL(DatabaseKind.MYSQL, "mqttbackends_mysql_e2e", "mysql-e2e", TestMysql.HOST, TestMysql.PORT, "user", "root",
            "FROM_UNIXTIME",
            "create table hook_log (id int auto_increment primary key, hookpoint text, clientid text,"
                    + " username text, peerhost text, node text, topic text, qos int, msgid text, payload text,"
                    + " retain int, ts datetime) default charset=utf8mb4",
            "NOW() - INTERVAL 3 HOUR", TestMysql::fresh, TestMysql::connect);

    private final DatabaseKind kind;
    private final String database;
    private final String topicPrefix;
    private final String host;
    private final int port;
    private final String userKey;
    private final String user;
    private final String fromEpochSeconds;
    private final String hookLogDdl;
    private final String threeHoursAgo;
    private final Function<String, TestSql> fresh;
    private final Function<String, TestSql> connect;

    E2eDatabase(DatabaseKind kind, String database, String topicPrefix, String host, int port, String userKey,
            String user, String fromEpochSeconds, String hookLogDdl, String threeHoursAgo,
            Function<String, TestSql> fresh, Function<String, TestSql> connect) {
        this.kind = kind;
        this.database = database;
        this.topicPrefix = topicPrefix;
        this.host = host;
        this.port = port;
        this.userKey = userKey;
        this.user = user;
        this.fromEpochSeconds = fromEpochSeconds;
        this.hookLogDdl = hookLogDdl;
        this.threeHoursAgo = threeHoursAgo;
        this.fresh = fresh;
        this.connect = connect;
    }

    public DatabaseKind kind() {
        return kind;
    }

    /** The test database's name. */
    public String databaseName() {
        return database;
    }

    /** Plain publishes ({@code raw} ingest) go below this topic level. */
    public String rawPrefix() {
        return topicPrefix;
    }

    /** EMQX rule-engine events ({@code emqx-rule} ingest) go below this topic level. */
    public String rulePrefix() {
        return topicPrefix + "-events";
    }

    /** EMQX {@code $SYS}-shaped events ({@code emqx-sys} ingest) go below this topic level. */
    public String sysPrefix() {
        return topicPrefix.replace("-", "") + "sys";
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The pool's conf lines, connecting through {@code port}. */
    String poolConf(String pool, int proxyPort) {
        String p = "backend." + kind.poolPrefix() + "." + pool + ".";
        return p + "server = 127.0.0.1:" + proxyPort + "\n" + p + "pool_size = 4\n" + p + userKey + " = " + user
                + "\n" + p + "password = \n" + p + "database = " + database + "\n";
    }

    /** The SQL function turning {@code ${timestamp}} (epoch seconds) into a timestamp. */
    String fromEpochSeconds() {
        return fromEpochSeconds;
    }

    /** An SQL expression for the time three hours ago. */
    public String threeHoursAgo() {
        return threeHoursAgo;
    }

    /** Drops and creates the test database with the {@code hook_log} table the {@code sql} hooks write. */
    void recreate() {
        try (TestSql db = fresh.apply(database)) {
            db.execute(hookLogDdl);
        }
    }

    public TestSql connect() {
        return connect.apply(database);
    }
}
