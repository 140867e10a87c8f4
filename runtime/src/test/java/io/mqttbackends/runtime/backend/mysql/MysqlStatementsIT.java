package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.FailureClass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlStatementsContract;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.MessagePublish;
import org.junit.jupiter.api.Test;

class MysqlStatementsIT extends SqlStatementsContract {

    MysqlStatementsIT() {
        super(DatabaseKind.MYSQL);
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
                event)).satisfies(e -> assertThat(pool.classify(e)).as("%s", e).isEqualTo(FailureClass.PERMANENT));
        assertThat(sql("SELECT * FROM probe")).isEmpty();
    }
}
