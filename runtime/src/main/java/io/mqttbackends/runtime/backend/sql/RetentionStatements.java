package io.mqttbackends.runtime.backend.sql;

/**
 * A database's statements for the message retention of {@code mqtt_msg} ({@link SqlRetention}), written with
 * numbered markers. Each delete removes at most {@code limit} rows, found through an index, so that one statement
 * holds its connection and its locks briefly whatever the table's size.
 *
 * @param deleteOlder     delete at most {@code $2} rows whose {@code arrived} is before {@code $1} (epoch ms,
 *                        converted as the store statement converts it), read from the {@code arrived} index
 * @param deleteTopicUpTo delete at most {@code $3} rows of topic {@code $1} with an id up to {@code $2}, read from
 *                        the {@code (topic, id)} index
 */
public record RetentionStatements(String deleteOlder, String deleteTopicUpTo) {

    /**
     * The topics with more than {@code $1} rows, at most {@code $2} of them: one pass over the table (an index-only
     * scan of {@code (topic, id)} where the planner can), the only statement whose cost grows with the table.
     */
    static final String OVERFULL_TOPICS =
            "SELECT topic FROM mqtt_msg WHERE topic IS NOT NULL GROUP BY topic HAVING count(*) > $1 LIMIT $2";

    /**
     * The id of topic {@code $1}'s row just older than its {@code $2} newest: that row and every older one go. Read
     * backwards from the {@code (topic, id)} index, {@code $2 + 1} entries (the plan test checks that MySQL, whose
     * parameter comes in the connection's collation rather than the column's, does not sort here).
     */
    static final String TOPIC_CUTOFF = "SELECT id FROM mqtt_msg WHERE topic = $1 ORDER BY id DESC LIMIT 1 OFFSET $2";
}
