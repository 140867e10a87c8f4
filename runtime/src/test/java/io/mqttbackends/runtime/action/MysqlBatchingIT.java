package io.mqttbackends.runtime.action;

import io.mqttbackends.model.DatabaseKind;

/** The batching contract on MariaDB (MySQL protocol): writes of a batch are one transaction. */
class MysqlBatchingIT extends BatchingContract {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    String batchLogDdl() {
        return "create table batch_log (id bigint auto_increment primary key, topic varchar(200) not null,"
                + " msgid varchar(200) not null, check (char_length(msgid) < 20))";
    }

    /**
     * The INSERT statements into {@code batch_log}, counted in this class's own database (the server-wide
     * {@code Com_insert} counts every session on the server). MariaDB has no statement-level trigger, so a row
     * trigger records one row per (connection, statement start time): {@code NOW(6)} is the start of the statement,
     * the same for every row it inserts.
     */
    @Override
    long insertStatementsExecuted() {
        db().execute("create table if not exists insert_statements (conn bigint not null,"
                + " started datetime(6) not null, primary key (conn, started))");
        db().execute("create trigger if not exists batch_log_statements after insert on batch_log for each row"
                + " insert ignore into insert_statements values (connection_id(), now(6))");
        return db().count("select count(*) from insert_statements");
    }
}
