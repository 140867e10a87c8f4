package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.sql.SqlDialect;
import io.mqttbackends.runtime.backend.sql.SqlStatements;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FailureClass;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.mysqlclient.MySQLBatchException;
import io.vertx.sqlclient.DatabaseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MySQL and MariaDB as a {@link SqlDialect}: statements for the shared SQL functions (docs/mysql.md), binding and
 * transient errors.
 *
 * <p>Upserts are {@code INSERT ... ON DUPLICATE KEY UPDATE} with {@code VALUES(col)}, the one form both servers
 * accept (MySQL 8.0.20+ deprecates it with a warning in favour of a row alias, which MariaDB does not have). The
 * ack advances the cursor with {@code GREATEST} in one statement, so concurrent acks cannot move it back. The
 * message insert leaves a duplicate msgid alone ({@code msgid = msgid}): on our schema {@code msgid} is unique, so a
 * message delivered again is stored once and counts as applied.
 *
 * <p>Timestamps: {@code arrived} is written as {@code FROM_UNIXTIME(ms / 1000)}, which keeps milliseconds in a
 * {@code datetime(3)} column (ours) and drops them in EMQX's {@code datetime} (MySQL rounds, MariaDB truncates), and
 * is read back with {@code UNIX_TIMESTAMP}; both convert in the session time zone, so the round trip is exact
 * whatever that zone is (except in the hour a daylight-saving change repeats).
 *
 * <p>Binding: the client sends each value with its Java type and the server converts to the column, so a payload
 * binds as bytes ({@code byte[]} becomes a Vert.x {@code Buffer}) into {@code blob} and into text columns alike
 * (where the server checks it is valid in the column's character set), and {@code Integer}/{@code Long} go into
 * numeric and text columns alike. Unlike PostgreSQL, nothing needs asking the server first.
 */
final class MysqlDialect {

    /**
     * Server error codes whose SQLSTATE does not tell their class: MySQL reports access denied and unknown
     * database under 42000 (with syntax errors) or 28000, and lock time-outs and some data errors under the
     * general HY000.
     */
    private static final Map<Integer, FailureClass> CODES = Map.ofEntries(
            Map.entry(1040, FailureClass.UNAVAILABLE), // ER_CON_COUNT_ERROR: too many connections
            Map.entry(1203, FailureClass.UNAVAILABLE), // ER_TOO_MANY_USER_CONNECTIONS
            Map.entry(1044, FailureClass.UNAVAILABLE), // ER_DBACCESS_DENIED_ERROR
            Map.entry(1045, FailureClass.UNAVAILABLE), // ER_ACCESS_DENIED_ERROR
            Map.entry(1049, FailureClass.UNAVAILABLE), // ER_BAD_DB_ERROR: unknown database
            Map.entry(1142, FailureClass.UNAVAILABLE), // ER_TABLEACCESS_DENIED_ERROR
            Map.entry(1143, FailureClass.UNAVAILABLE), // ER_COLUMNACCESS_DENIED_ERROR
            Map.entry(1227, FailureClass.UNAVAILABLE), // ER_SPECIFIC_ACCESS_DENIED_ERROR
            Map.entry(1053, FailureClass.UNAVAILABLE), // ER_SERVER_SHUTDOWN
            Map.entry(1317, FailureClass.UNAVAILABLE), // ER_QUERY_INTERRUPTED (KILL QUERY, shutdown)
            Map.entry(1152, FailureClass.UNAVAILABLE), // ER_ABORTING_CONNECTION
            Map.entry(1158, FailureClass.UNAVAILABLE), // ER_NET_READ_ERROR
            Map.entry(1159, FailureClass.UNAVAILABLE), // ER_NET_READ_INTERRUPTED
            Map.entry(1160, FailureClass.UNAVAILABLE), // ER_NET_ERROR_ON_WRITE
            Map.entry(1161, FailureClass.UNAVAILABLE), // ER_NET_WRITE_INTERRUPTED
            Map.entry(1927, FailureClass.UNAVAILABLE), // ER_CONNECTION_KILLED (MariaDB)
            Map.entry(2006, FailureClass.UNAVAILABLE), // CR_SERVER_GONE_ERROR
            Map.entry(2013, FailureClass.UNAVAILABLE), // CR_SERVER_LOST
            Map.entry(3169, FailureClass.UNAVAILABLE), // ER_SESSION_WAS_KILLED (MySQL 8)
            Map.entry(4031, FailureClass.UNAVAILABLE), // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
            Map.entry(1205, FailureClass.TRANSIENT), // ER_LOCK_WAIT_TIMEOUT
            Map.entry(1213, FailureClass.TRANSIENT), // ER_LOCK_DEADLOCK
            Map.entry(1637, FailureClass.TRANSIENT), // ER_TOO_MANY_CONCURRENT_TRXS
            Map.entry(1265, FailureClass.PERMANENT), // WARN_DATA_TRUNCATED (strict mode)
            Map.entry(1300, FailureClass.PERMANENT), // ER_INVALID_CHARACTER_STRING
            Map.entry(1366, FailureClass.PERMANENT)); // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD

    private static final String ARRIVED_MS = "CAST(UNIX_TIMESTAMP(arrived) * 1000 AS SIGNED) AS arrived";

    private static final SqlStatements STATEMENTS = new SqlStatements(
            """
            INSERT INTO mqtt_client (clientid, state, node, online_at, offline_at) VALUES ($1, 1, $2, NOW(), NULL)
            ON DUPLICATE KEY UPDATE state = 1, node = VALUES(node), online_at = VALUES(online_at), offline_at = NULL""",
            "UPDATE mqtt_client SET state = 0, offline_at = NOW() WHERE clientid = $1",
            "SELECT topic, qos FROM mqtt_sub WHERE clientid = $1",
            "SELECT mid FROM mqtt_acked WHERE clientid = $1 AND topic = $2",
            """
            INSERT INTO mqtt_acked (clientid, topic, mid)
            SELECT $1, $2, COALESCE(MAX(id), 0) FROM mqtt_msg WHERE topic = $2
            ON DUPLICATE KEY UPDATE mid = mqtt_acked.mid""",
            "SELECT msgid, sender, topic, qos, payload, " + ARRIVED_MS + " FROM mqtt_retain WHERE topic = $1 LIMIT 1",
            """
            INSERT INTO mqtt_msg (msgid, sender, topic, qos, retain, payload, arrived)
            VALUES ($1, $2, $3, $4, $5, $6, FROM_UNIXTIME($7 / 1000))
            ON DUPLICATE KEY UPDATE msgid = msgid""",
            """
            INSERT INTO mqtt_retain (topic, msgid, sender, qos, payload, arrived)
            VALUES ($1, $2, $3, $4, $5, FROM_UNIXTIME($6 / 1000))
            ON DUPLICATE KEY UPDATE msgid = VALUES(msgid), sender = VALUES(sender), qos = VALUES(qos),
            payload = VALUES(payload), arrived = VALUES(arrived)""",
            "DELETE FROM mqtt_retain WHERE topic = $1",
            """
            INSERT INTO mqtt_acked (clientid, topic, mid)
            SELECT $1, $2, m.id FROM mqtt_msg m WHERE m.msgid = $3 AND m.topic = $2 ORDER BY m.id DESC LIMIT 1
            ON DUPLICATE KEY UPDATE mid = GREATEST(COALESCE(mqtt_acked.mid, 0), VALUES(mid))""",
            "SELECT msgid, sender, topic, qos, payload, " + ARRIVED_MS + " FROM mqtt_msg WHERE topic = $1 AND id > $2",
            " AND arrived >= NOW(3) - INTERVAL %s SECOND");

    /** One statement per query: the client does not ask for multi-statement support. */
    private static final List<String> SCHEMA = Arrays.stream(SqlDialect.readSchema("mysql.sql").split(";\\s*\\n"))
            .map(s -> s.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + b + "\n").strip())
            .filter(s -> !s.isEmpty())
            .toList();

    static final SqlDialect DIALECT = new SqlDialect(DatabaseKind.MYSQL, false, STATEMENTS, pool -> MysqlDialect::bind,
            SCHEMA, MysqlDialect::classify, MysqlDialect::innerFailure);

    private MysqlDialect() {
    }

    private static Uni<Tuple> bind(String sql, List<Object> values) {
        return Uni.createFrom().item(() -> Tuple.from(values.stream()
                .map(v -> v instanceof byte[] bytes ? Buffer.buffer(bytes) : v).toList()));
    }

    /** The first failed execution of a batch: the client reports them all under one MySQLBatchException. */
    static Optional<Throwable> innerFailure(Throwable failure) {
        return failure instanceof MySQLBatchException batch ? batch.getIterationError().values().stream().findFirst()
                : Optional.empty();
    }

    static Optional<FailureClass> classify(DatabaseException failure) {
        return Optional.ofNullable(CODES.get(failure.getErrorCode()));
    }
}
