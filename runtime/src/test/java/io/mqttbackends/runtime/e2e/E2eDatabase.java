package io.mqttbackends.runtime.e2e;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import io.mqttbackends.runtime.testing.SqlTestDatabase;
import io.mqttbackends.runtime.testing.TestSql;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an end-to-end test runs against: a {@link SqlTestDatabase} of its own, holding the {@code hook_log} table its
 * {@code sql} hooks write, and the MQTT topics its runtime consumes, one set per database kind so that two suites
 * running at once on one broker never see each other's events.
 */
public final class E2eDatabase implements AutoCloseable {
    /** The pool keys the conf files set; the rest keep their defaults, as in a user's conf. */
    private static final Set<String> CONF_KEYS = Set.of("server", "pool_size", "username", "user", "password",
            "database");

    private final SqlTestDatabase database;
    private final String topicPrefix;

    private E2eDatabase(SqlTestDatabase database) {
        this.database = database;
        this.topicPrefix = database.kind().poolPrefix() + "-e2e";
    }

    /** A new database of {@code kind} with an empty {@code hook_log}. */
    static E2eDatabase create(DatabaseKind kind) {
        SqlTestDatabase database = SqlTestDatabase.create(kind);
        try (TestSql db = database.connect()) {
            db.execute("create table hook_log (id " + database.serialPrimaryKey() + ", hookpoint text,"
                    + " clientid text, username text, peerhost text, node text, topic text, qos int, msgid text,"
                    + " payload text, retain int, ts " + database.timestampType() + ")");
        }
        return new E2eDatabase(database);
    }

    public DatabaseKind kind() {
        return database.kind();
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

    public HostPort server() {
        return database.server();
    }

    /** The pool's conf lines, connecting through {@code port}. */
    String poolConf(String pool, int port) {
        String p = "backend." + kind().poolPrefix() + "." + pool + ".";
        return database.poolSettings("127.0.0.1:" + port).entrySet().stream()
                .filter(e -> CONF_KEYS.contains(e.getKey())).sorted(Map.Entry.comparingByKey())
                .map(e -> p + e.getKey() + " = " + e.getValue() + "\n").collect(Collectors.joining());
    }

    /** The SQL function turning {@code ${timestamp}} (epoch seconds) into a timestamp. */
    String fromEpochSeconds() {
        return database.fromEpochSeconds();
    }

    /** An SQL expression for the time three hours ago. */
    public String threeHoursAgo() {
        return database.threeHoursAgo();
    }

    public TestSql connect() {
        return database.connect();
    }

    /** Drops the database. */
    @Override
    public void close() {
        database.close();
    }
}
