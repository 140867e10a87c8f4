package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.sql.RetentionStatements;
import io.mqttbackends.runtime.backend.sql.SqlDialect;
import io.mqttbackends.runtime.backend.sql.SqlStatements;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FailureClass;
import io.vertx.sqlclient.DatabaseException;
import java.util.List;
import java.util.Optional;

/**
 * PostgreSQL as a {@link SqlDialect}: its statements for the shared SQL functions, its {@link TypedBinder} and its
 * transient SQLSTATEs.
 *
 * <p>Timestamps: {@code arrived} is written with {@code to_timestamp} (a {@code timestamptz}, stored into EMQX's
 * {@code timestamp without time zone} columns in the session time zone) and read back through
 * {@code arrived::timestamptz}, the inverse conversion, so the round trip is exact whatever the server time zone.
 */
final class PgsqlDialect {

    /**
     * insufficient_privilege belongs to class 42 with syntax errors, yet it is the role's rights, not the
     * statement, that fail: an administrator fixes it, and the events must wait for that, not be dead-lettered.
     */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /** Millisecond epoch of {@code arrived}; see the class comment for why through {@code timestamptz}. */
    private static final String ARRIVED_MS = "(extract(epoch FROM arrived::timestamptz) * 1000)::bigint AS arrived";

    /**
     * The message insert ignores a duplicate: on our schema {@code msgid} is unique, so a message the broker delivers
     * again (same EMQX id) is stored once and counts as applied; on EMQX's own schema nothing conflicts.
     * The casts in the cursor inserts give {@code $2} one type in the select list and the comparison alike (else
     * SQLSTATE 42P08). The ack is one statement, so concurrent acks cannot interleave a read and a write and move
     * the cursor back.
     */
    private static final SqlStatements STATEMENTS = new SqlStatements(
            """
            INSERT INTO mqtt_client (clientid, state, node, online_at, offline_at) VALUES ($1, 1, $2, now(), NULL)
            ON CONFLICT (clientid) DO UPDATE
            SET state = 1, node = excluded.node, online_at = excluded.online_at, offline_at = NULL""",
            "UPDATE mqtt_client SET state = 0, offline_at = now() WHERE clientid = $1",
            "SELECT topic, qos FROM mqtt_sub WHERE clientid = $1",
            "SELECT mid FROM mqtt_acked WHERE clientid = $1 AND topic = $2",
            """
            INSERT INTO mqtt_acked (clientid, topic, mid)
            SELECT $1::text, $2::text, coalesce(max(id), 0) FROM mqtt_msg WHERE topic = $2
            ON CONFLICT (clientid, topic) DO NOTHING""",
            "SELECT msgid, sender, topic, qos, payload, " + ARRIVED_MS + " FROM mqtt_retain WHERE topic = $1 LIMIT 1",
            """
            INSERT INTO mqtt_msg (msgid, sender, topic, qos, retain, payload, arrived)
            VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::bigint / 1000.0))
            ON CONFLICT DO NOTHING""",
            """
            INSERT INTO mqtt_retain (topic, msgid, sender, qos, payload, arrived)
            VALUES ($1, $2, $3, $4, $5, to_timestamp($6::bigint / 1000.0))
            ON CONFLICT (topic) DO UPDATE SET msgid = excluded.msgid, sender = excluded.sender, qos = excluded.qos,
            payload = excluded.payload, arrived = excluded.arrived""",
            "DELETE FROM mqtt_retain WHERE topic = $1",
            """
            INSERT INTO mqtt_acked (clientid, topic, mid)
            SELECT $1::text, $2::text, m.id FROM mqtt_msg m
            WHERE m.msgid = $3 AND m.topic = $2 ORDER BY m.id DESC LIMIT 1
            ON CONFLICT (clientid, topic) DO UPDATE SET mid = greatest(mqtt_acked.mid, excluded.mid)""",
            "SELECT msgid, sender, topic, qos, payload, " + ARRIVED_MS + " FROM mqtt_msg WHERE topic = $1 AND id > $2",
            " AND arrived >= now() - make_interval(secs => %s)");

    /**
     * PostgreSQL's DELETE has no LIMIT: the ids come from a bounded sub-select. {@code = ANY(ARRAY(...))} runs that
     * select once and deletes through the primary key; {@code IN (SELECT ...)} lets the planner hash-join the ids
     * against a sequential scan of the whole table. No ORDER BY: every row the condition finds is to go, and
     * ordering would read them all to sort. The cutoff is converted to {@code timestamp} as the store statement's
     * value is, so it compares with {@code arrived} in the column's own type, on its index.
     */
    private static final RetentionStatements RETENTION = new RetentionStatements(
            """
            DELETE FROM mqtt_msg WHERE id = ANY(ARRAY(SELECT id FROM mqtt_msg
            WHERE arrived < to_timestamp($1::bigint / 1000.0)::timestamp LIMIT $2))""",
            """
            DELETE FROM mqtt_msg WHERE id = ANY(ARRAY(SELECT id FROM mqtt_msg
            WHERE topic = $1 AND id <= $2 LIMIT $3))""");

    /** The simple-query protocol runs the whole multi-statement file in one round trip. */
    static final SqlDialect DIALECT = new SqlDialect(DatabaseKind.PGSQL, true, STATEMENTS, TypedBinder::new,
            List.of(SqlDialect.readSchema("pgsql.sql")), PgsqlDialect::classify,
            failure -> Optional.empty(), RETENTION);

    private PgsqlDialect() {
    }

    private static Optional<FailureClass> classify(DatabaseException failure) {
        return INSUFFICIENT_PRIVILEGE.equals(failure.getSqlState()) ? Optional.of(FailureClass.UNAVAILABLE)
                : Optional.empty();
    }
}
