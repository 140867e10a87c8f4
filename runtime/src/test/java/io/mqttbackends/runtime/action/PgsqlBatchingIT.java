package io.mqttbackends.runtime.action;

import io.mqttbackends.model.DatabaseKind;

/** The batching contract on PostgreSQL: writes of a batch are one transaction with pipelined statements. */
class PgsqlBatchingIT extends BatchingContract {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.PGSQL;
    }

    @Override
    String batchLogDdl() {
        return "create table batch_log (id bigserial primary key, topic text not null,"
                + " msgid text not null check (length(msgid) < 20))";
    }

    /** A statement-level trigger counts the INSERT statements into {@code batch_log}, whatever their row count. */
    @Override
    long insertStatementsExecuted() {
        db().execute("create table if not exists insert_statements (n bigint not null)");
        db().execute("insert into insert_statements select 0 where not exists (select 1 from insert_statements)");
        db().execute("create or replace function count_insert_statement() returns trigger language plpgsql as"
                + " $f$ begin update insert_statements set n = n + 1; return null; end $f$");
        db().execute("create or replace trigger batch_log_statements after insert on batch_log"
                + " for each statement execute function count_insert_statement()");
        return db().count("select n from insert_statements");
    }
}
