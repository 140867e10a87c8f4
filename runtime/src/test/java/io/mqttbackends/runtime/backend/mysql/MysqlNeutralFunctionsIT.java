package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FunctionsContract;
import io.mqttbackends.runtime.backend.sql.SqlProbes;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestMysql;
import io.vertx.mutiny.core.Vertx;
import java.util.Map;

/** The database-neutral functions contract on the real MariaDB, in a database of each test's own. */
class MysqlNeutralFunctionsIT extends FunctionsContract {

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    protected FreshStore openFreshStore(Vertx vertx, String uniqueName) {
        TestMysql sql = TestMysql.fresh(uniqueName);
        Runnable drop = () -> {
            sql.close();
            try (TestMysql admin = TestMysql.connect("")) {
                admin.execute("DROP DATABASE IF EXISTS " + uniqueName);
            }
        };
        try {
            var pool = new MysqlBackend(vertx).open(poolConfig(Map.of("server",
                    TestMysql.HOST + ":" + TestMysql.PORT, "pool_size", "4", "user", "root",
                    "database", uniqueName)), PoolRuns.context());
            return new FreshStore(pool, new SqlProbes(sql), drop);
        } catch (RuntimeException e) {
            drop.run();
            throw e;
        }
    }

    @Override
    protected String function(Role role) {
        return SqlProbes.function(role);
    }
}
