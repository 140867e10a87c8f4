package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.FailureClass;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.mysqlclient.MySQLBatchException;
import io.vertx.mysqlclient.MySQLException;
import org.junit.jupiter.api.Test;

/** Which server errors are the server's (retried until it recovers) and which are the event's (given up). */
class MysqlDialectTest {

    @Test
    void serverGoneTooManyConnectionsAndAccessDeniedMakeTheDatabaseUnavailable() {
        for (int code : new int[] {2006, 2013, 1040, 1053, 1927, 1045, 1044, 1049, 1142}) {
            assertThat(MysqlDialect.classify(new MySQLException("server", code, "HY000")))
                    .as("error %d", code).contains(FailureClass.UNAVAILABLE);
        }
    }

    @Test
    void lockWaitAndDeadlockAreTransient() {
        for (int code : new int[] {1205, 1213}) {
            assertThat(MysqlDialect.classify(new MySQLException("server", code, "40001")))
                    .as("error %d", code).contains(FailureClass.TRANSIENT);
        }
    }

    @Test
    void badStringValuesArePermanentThoughTheirSqlstateIsGeneral() {
        for (int code : new int[] {1366, 1300}) {
            assertThat(MysqlDialect.classify(new MySQLException("statement", code, "HY000")))
                    .as("error %d", code).contains(FailureClass.PERMANENT);
        }
    }

    @Test
    void duplicateKeyDataTooLongAndSyntaxErrorsAreLeftToTheirSqlstateClass() {
        for (int code : new int[] {1062, 1406, 1064, 1146}) {
            assertThat(MysqlDialect.classify(new MySQLException("statement", code, "23000")))
                    .as("error %d", code).isEmpty();
        }
    }

    @Test
    void aFailedBatchExecutionIsClassifiedByTheErrorItCarries() {
        MySQLBatchException batch = new MySQLBatchException();
        MySQLException duplicate = new MySQLException("Duplicate entry", 1062, "23000");
        batch.reportError(1, duplicate);
        assertThat(MysqlDialect.innerFailure(batch)).contains(duplicate);
        assertThat(MysqlDialect.innerFailure(duplicate)).isEmpty();
    }

    @Test
    void theShippedSchemaSplitsIntoOneCreateTablePerTableWithoutComments() {
        assertThat(MysqlDialect.DIALECT.schema()).hasSize(5)
                .allSatisfy(ddl -> assertThat(ddl).startsWith("CREATE TABLE IF NOT EXISTS").doesNotContain("--"));
    }
}
