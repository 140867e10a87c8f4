package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FunctionsContract;
import io.mqttbackends.runtime.backend.sql.SqlProbes;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.vertx.mutiny.core.Vertx;
import java.util.Map;

/** The database-neutral functions contract on the real PostgreSQL, in a database of each test's own. */
class PgsqlNeutralFunctionsIT extends FunctionsContract {

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.PGSQL;
    }

    @Override
    protected FreshStore openFreshStore(Vertx vertx, String uniqueName) {
        TestPostgres sql = TestPostgres.fresh(uniqueName);
        Runnable drop = () -> {
            sql.close();
            try (TestPostgres admin = TestPostgres.connect("postgres")) {
                admin.execute("drop database if exists " + uniqueName + " with (force)");
            }
        };
        try {
            var pool = new PgsqlBackend(vertx).open(poolConfig(Map.of("server",
                    TestPostgres.HOST + ":" + TestPostgres.PORT, "pool_size", "4", "username", "postgres",
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
