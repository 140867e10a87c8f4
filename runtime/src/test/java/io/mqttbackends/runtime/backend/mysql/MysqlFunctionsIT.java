package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.sql.SqlFunctionsContract;

class MysqlFunctionsIT extends SqlFunctionsContract {
    MysqlFunctionsIT() {
        super(DatabaseKind.MYSQL);
    }
}
