package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.sql.SqlFunctionsContract;

class MysqlFunctionsIT extends SqlFunctionsContract {
    MysqlFunctionsIT() {
        super(new MysqlTestDatabase());
    }
}
