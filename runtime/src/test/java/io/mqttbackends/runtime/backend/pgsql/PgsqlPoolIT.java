package io.mqttbackends.runtime.backend.pgsql;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlPoolContract;
import org.junit.jupiter.api.Test;

class PgsqlPoolIT extends SqlPoolContract {

    PgsqlPoolIT() {
        super(DatabaseKind.PGSQL);
    }

    @Test
    void initSchemaIsIdempotentAndCreatesTheDocumentedAdditions() {
        pool.initSchema().await().atMost(WAIT);
        assertThat(sql("""
                SELECT data_type FROM information_schema.columns
                WHERE table_name IN ('mqtt_msg', 'mqtt_retain') AND column_name = 'payload'"""))
                .extracting(r -> r.getString("data_type")).containsOnly("bytea");
        assertThat(sql("SELECT indexname FROM pg_indexes WHERE tablename = 'mqtt_msg'"))
                .extracting(r -> r.getString("indexname")).contains("mqtt_msg_topic_id_idx");
    }
}
