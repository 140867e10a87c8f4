package io.mqttbackends.runtime.action;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.config.HostPort;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.mqttbackends.runtime.testing.TestSql;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The batching contract on PostgreSQL: writes of a batch are one transaction with pipelined statements. */
class PgsqlBatchingTest extends BatchingContract {
    private static final String DATABASE = "mqttbackends_batching";
    private static TestPostgres db;

    @BeforeAll
    static void database() {
        db = TestPostgres.fresh(DATABASE);
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    @Override
    DatabaseKind kind() {
        return DatabaseKind.PGSQL;
    }

    @Override
    TestSql db() {
        return db;
    }

    @Override
    HostPort server() {
        return new HostPort(TestPostgres.HOST, TestPostgres.PORT);
    }

    @Override
    Map<String, String> poolSettings(String server) {
        return Map.of("server", server, "username", "postgres", "password", "", "database", DATABASE,
                "ssl", "false", "verify", "false", "cacertfile", "", "certfile", "", "keyfile", "");
    }

    @Override
    String batchLogDdl() {
        return "create table batch_log (id bigserial primary key, topic text not null,"
                + " msgid text not null check (length(msgid) < 20))";
    }
}
