package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.sql.SqlFunctionsContract;

class PgsqlFunctionsIT extends SqlFunctionsContract {
    PgsqlFunctionsIT() {
        super(new PgsqlTestDatabase());
    }
}
