package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.sql.SqlFunctionsContract;

class PgsqlFunctionsTest extends SqlFunctionsContract {
    PgsqlFunctionsTest() {
        super(new PgsqlTestDatabase());
    }
}
