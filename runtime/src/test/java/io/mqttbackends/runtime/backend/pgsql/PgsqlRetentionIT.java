package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlRetentionContract;
import java.util.stream.Collectors;

class PgsqlRetentionIT extends SqlRetentionContract {
    PgsqlRetentionIT() {
        super(DatabaseKind.PGSQL);
    }

    @Override
    protected void insertGeneratedRows(int count) {
        sql("INSERT INTO mqtt_msg (msgid, topic, qos, arrived) SELECT 'g' || g, 't' || (g % 100), 1, "
                + "localtimestamp - g * interval '1 second' FROM generate_series(1, " + count + ") g");
        sql("ANALYZE mqtt_msg");
    }

    @Override
    protected String explain(String sql) {
        return sql("EXPLAIN " + sql).stream().map(r -> r.getString(0)).collect(Collectors.joining("\n"));
    }

    @Override
    protected String arrivedIndex() {
        return "Index Scan using mqtt_msg_arrived_idx";
    }

    @Override
    protected String topicIndex() {
        return "mqtt_msg_topic_id_idx";
    }

    @Override
    protected String tableScan() {
        return "Seq Scan";
    }

    @Override
    protected String sort() {
        return "Sort";
    }
}
