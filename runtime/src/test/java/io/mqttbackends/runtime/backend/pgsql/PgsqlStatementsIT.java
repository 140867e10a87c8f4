package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.sql.SqlStatementsContract;

class PgsqlStatementsIT extends SqlStatementsContract {

    PgsqlStatementsIT() {
        super(new PgsqlTestDatabase());
    }
}
