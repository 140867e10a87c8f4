package io.mqttbackends.runtime.backend.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.sql.SqlStatementsContract;
import io.mqttbackends.runtime.event.HookPoint;
import io.mqttbackends.runtime.event.MessagePublish;
import io.vertx.mutiny.sqlclient.Row;
import org.junit.jupiter.api.Test;

class MysqlStatementsTest extends SqlStatementsContract {

    MysqlStatementsTest() {
        super(new MysqlTestDatabase());
    }

    @Test
    void placeholdersBindIntoTextVarcharIntBigintBlobAndFromUnixtimeAlike() {
        sql("""
                CREATE TABLE probe (c_text text, c_varchar varchar(20), c_int int, c_small smallint, c_big bigint,
                  c_qos_text varchar(5), c_blob blob, c_payload_text text, c_ts datetime, c_epoch_text text,
                  c_username text) DEFAULT CHARSET=utf8mb4""");
        MessagePublish event = publish(message("M1", "pub", "t/1", 2, true, bytes("héllo"), TS));

        run(sqlHook(HookPoint.MESSAGE_PUBLISH, """
                INSERT INTO probe VALUES (${clientid}, ${topic}, ${qos}, ${retain}, ${timestamp}, ${qos},
                  ${payload}, ${payload}, FROM_UNIXTIME(${timestamp}), ${timestamp}, ${username})"""), event);

        Row row = sql("SELECT *, UNIX_TIMESTAMP(c_ts) AS ts_s FROM probe").get(0);
        assertThat(row.getString("c_text")).isEqualTo("pub");
        assertThat(row.getString("c_varchar")).isEqualTo("t/1");
        assertThat(row.getInteger("c_int")).isEqualTo(2);
        assertThat(row.getInteger("c_small")).isEqualTo(1);
        assertThat(row.getLong("c_big")).isEqualTo(TS / 1000);
        assertThat(row.getString("c_qos_text")).isEqualTo("2");
        assertThat(row.getBuffer("c_blob").getBytes()).isEqualTo(bytes("héllo"));
        assertThat(row.getString("c_payload_text")).isEqualTo("héllo");
        assertThat(row.getLong("ts_s")).isEqualTo(TS / 1000);
        assertThat(row.getString("c_epoch_text")).isEqualTo(Long.toString(TS / 1000));
        assertThat(row.getValue("c_username")).isNull();
    }

    /**
     * A text column cannot hold bytes that are not in its character set: MySQL refuses them (strict mode) rather
     * than storing a mangled payload, and the failure is the event's, not the server's.
     */
    @Test
    void aNonUtf8PayloadIntoATextColumnIsRefusedAsTheEventsOwnError() {
        sql("CREATE TABLE probe (c_payload_text text) DEFAULT CHARSET=utf8mb4");
        MessagePublish event = publish(message("M1", "pub", "t/1", 1, false, new byte[] {(byte) 0xff, (byte) 0xfe},
                TS));

        assertThatThrownBy(() -> run(sqlHook(HookPoint.MESSAGE_PUBLISH, "INSERT INTO probe VALUES (${payload})"),
                event)).satisfies(e -> assertThat(pool.isTransient(e)).as("%s", e).isFalse());
        assertThat(sql("SELECT * FROM probe")).isEmpty();
    }
}
