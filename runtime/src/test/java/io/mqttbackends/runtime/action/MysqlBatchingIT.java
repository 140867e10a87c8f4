package io.mqttbackends.runtime.action;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import io.mqttbackends.runtime.testing.TestMysql;
import io.mqttbackends.runtime.testing.TestSql;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The batching contract on MariaDB (MySQL protocol): writes of a batch are one transaction. */
class MysqlBatchingIT extends BatchingContract {
    private static final String DATABASE = "mqttbackends_mysql_batching";
    private static TestMysql db;

    @BeforeAll
    static void database() {
        db = TestMysql.fresh(DATABASE);
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    @Override
    DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    TestSql db() {
        return db;
    }

    @Override
    HostPort server() {
        return new HostPort(TestMysql.HOST, TestMysql.PORT);
    }

    @Override
    Map<String, String> poolSettings(String server) {
        return Map.of("server", server, "user", "root", "password", "", "database", DATABASE,
                "ssl", "false", "verify", "false", "cacertfile", "", "certfile", "", "keyfile", "");
    }

    @Override
    String batchLogDdl() {
        return "create table batch_log (id bigint auto_increment primary key, topic varchar(200) not null,"
                + " msgid varchar(200) not null, check (char_length(msgid) < 20))";
    }

    /** The server's count of INSERT statements, prepared ones included; nothing else writes while the test runs. */
    @Override
    long insertStatementsExecuted() {
        return Long.parseLong(db.rows("show global status like 'Com_insert'").get(0).getValue(1).toString());
    }
}
