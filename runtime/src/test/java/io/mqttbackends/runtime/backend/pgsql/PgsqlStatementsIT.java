package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlStatementsContract;

class PgsqlStatementsIT extends SqlStatementsContract {

    PgsqlStatementsIT() {
        super(DatabaseKind.PGSQL);
    }
}
