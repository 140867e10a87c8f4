package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlFunctionsContract;

class PgsqlFunctionsIT extends SqlFunctionsContract {
    PgsqlFunctionsIT() {
        super(DatabaseKind.PGSQL);
    }
}
