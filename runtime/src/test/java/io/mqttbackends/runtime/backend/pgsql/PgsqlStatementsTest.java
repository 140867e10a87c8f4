package io.mqttbackends.runtime.backend.pgsql;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.backend.sql.SqlStatementsContract;
import io.mqttbackends.runtime.event.HookPoint;
import io.mqttbackends.runtime.event.MessagePublish;
import io.vertx.mutiny.sqlclient.Row;
import org.junit.jupiter.api.Test;

class PgsqlStatementsTest extends SqlStatementsContract {

    PgsqlStatementsTest() {
        super(new PgsqlTestDatabase());
    }

    @Test
    void placeholdersBindIntoTextVarcharIntegerBigintByteaAndToTimestampAlike() {
        sql("""
                CREATE TABLE probe (c_text text, c_varchar varchar(20), c_int integer, c_small smallint,
                  c_big bigint, c_qos_text varchar(5), c_bytea bytea, c_payload_text text, c_ts timestamptz,
                  c_epoch_text text, c_username text)""");
        MessagePublish event = publish(message("M1", "pub", "t/1", 2, true, bytes("héllo"), TS));

        run(sqlHook(HookPoint.MESSAGE_PUBLISH, """
                INSERT INTO probe VALUES (${clientid}, ${topic}, ${qos}, ${retain}, ${timestamp}, ${qos},
                  ${payload}, ${payload}, to_timestamp(${timestamp}), ${timestamp}, ${username})"""), event);

        Row row = sql("SELECT *, extract(epoch FROM c_ts)::bigint AS ts_s FROM probe").get(0);
        assertThat(row.getString("c_text")).isEqualTo("pub");
        assertThat(row.getString("c_varchar")).isEqualTo("t/1");
        assertThat(row.getInteger("c_int")).isEqualTo(2);
        assertThat(row.getInteger("c_small")).isEqualTo(1);
        assertThat(row.getLong("c_big")).isEqualTo(TS / 1000);
        assertThat(row.getString("c_qos_text")).isEqualTo("2");
        assertThat(row.getBuffer("c_bytea").getBytes()).isEqualTo(bytes("héllo"));
        assertThat(row.getString("c_payload_text")).isEqualTo("héllo");
        assertThat(row.getLong("ts_s")).isEqualTo(TS / 1000);
        assertThat(row.getString("c_epoch_text")).isEqualTo(Long.toString(TS / 1000));
        assertThat(row.getValue("c_username")).isNull();
    }
}
