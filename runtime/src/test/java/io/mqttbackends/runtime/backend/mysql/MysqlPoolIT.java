package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.FailureClass;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlPoolContract;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.mysqlclient.MySQLException;
import org.junit.jupiter.api.Test;

class MysqlPoolIT extends SqlPoolContract {

    MysqlPoolIT() {
        super(DatabaseKind.MYSQL);
    }

    @Test
    void initSchemaIsIdempotentAndCreatesTheDocumentedAdditions() {
        pool.initSchema().await().atMost(WAIT);
        assertThat(sql("""
                SELECT table_name AS t, column_name AS c, column_type AS type, collation_name AS coll
                FROM information_schema.columns WHERE table_schema = DATABASE()
                AND (column_name IN ('payload', 'arrived') OR (table_name = 'mqtt_msg' AND column_name = 'topic'))
                ORDER BY t, c"""))
                .extracting(r -> r.getString("t") + "." + r.getString("c") + " " + r.getString("type")
                        + (r.getString("coll") == null ? "" : " " + r.getString("coll")))
                .containsExactly("mqtt_msg.arrived datetime(3)", "mqtt_msg.payload longblob",
                        "mqtt_msg.topic varchar(180) utf8mb4_bin",
                        "mqtt_retain.arrived datetime(3)", "mqtt_retain.payload longblob");
        assertThat(sql("""
                SELECT index_name, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols
                FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'mqtt_msg'
                GROUP BY index_name"""))
                .extracting(r -> r.getString("index_name") + "(" + r.getString("cols") + ")")
                .contains("topic_index(topic,id)", "msgid_index(msgid)");
    }

    @Test
    void failuresAreClassifiedThroughThePoolEvenWhenWrapped() {
        assertThat(pool.classify(new RuntimeException(new MySQLException("link failure", 9999, "08S01"))))
                .isEqualTo(FailureClass.UNAVAILABLE);
        assertThat(pool.classify(new MySQLException("Access denied", 1045, "28000")))
                .isEqualTo(FailureClass.UNAVAILABLE);
        assertThat(pool.classify(new MySQLException("Deadlock found", 1213, "40001")))
                .isEqualTo(FailureClass.TRANSIENT);
        assertThat(pool.classify(new MySQLException("Duplicate entry", 1062, "23000")))
                .isEqualTo(FailureClass.PERMANENT);
        assertThat(pool.classify(new MySQLException("Data too long", 1406, "22001")))
                .isEqualTo(FailureClass.PERMANENT);
        // What the client fails a query with when the server goes away under it: retried, never given up at once
        // (the fault command lost a message to a PERMANENT here during a database restart).
        assertThat(pool.classify(new NoStackTraceThrowable("Connection is not active now, current status: CLOSED")))
                .isEqualTo(FailureClass.TRANSIENT);
    }
}
