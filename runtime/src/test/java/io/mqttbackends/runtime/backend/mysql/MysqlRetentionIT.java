package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlRetentionContract;
import java.util.stream.Collectors;

/** On MariaDB, whose sequence tables ({@code seq_1_to_N}) generate the rows of the plan test. */
class MysqlRetentionIT extends SqlRetentionContract {
    MysqlRetentionIT() {
        super(DatabaseKind.MYSQL);
    }

    @Override
    protected void insertGeneratedRows(int count) {
        sql("INSERT INTO mqtt_msg (msgid, topic, qos, arrived) SELECT CONCAT('g', seq), CONCAT('t', seq % 100), 1, "
                + "NOW(3) - INTERVAL seq SECOND FROM seq_1_to_" + count);
        sql("ANALYZE TABLE mqtt_msg");
    }

    @Override
    protected String explain(String sql) {
        return sql("EXPLAIN " + sql).stream().map(r -> "type=" + r.getValue("type") + " key=" + r.getValue("key")
                + " extra=" + r.getValue("Extra")).collect(Collectors.joining("\n"));
    }

    @Override
    protected String arrivedIndex() {
        return "type=range key=arrived_index";
    }

    @Override
    protected String topicIndex() {
        return "key=topic_index";
    }

    @Override
    protected String tableScan() {
        return "type=ALL";
    }

    @Override
    protected String sort() {
        return "filesort";
    }
}
