package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.sql.SqlFunctionsContract;

class MysqlFunctionsTest extends SqlFunctionsContract {
    MysqlFunctionsTest() {
        super(new MysqlTestDatabase());
    }
}
