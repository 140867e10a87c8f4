package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.sql.SqlStatementsContract;

class PgsqlStatementsTest extends SqlStatementsContract {

    PgsqlStatementsTest() {
        super(new PgsqlTestDatabase());
    }
}
