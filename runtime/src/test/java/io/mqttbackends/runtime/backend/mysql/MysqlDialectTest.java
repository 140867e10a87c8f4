package io.mqttbackends.runtime.backend.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.mysqlclient.MySQLException;
import org.junit.jupiter.api.Test;

/** Which server errors are the server's (retried until it recovers) and which are the event's (retried briefly). */
class MysqlDialectTest {

    @Test
    void serverGoneTooManyConnectionsLockWaitAndDeadlockAreTransient() {
        for (int code : new int[] {2006, 2013, 1040, 1053, 1205, 1213, 1927}) {
            assertThat(MysqlDialect.isTransient(new MySQLException("server", code, "HY000")))
                    .as("error %d", code).isTrue();
        }
    }

    @Test
    void duplicateKeyDataTooLongBadStringAndSyntaxErrorsAreNot() {
        for (int code : new int[] {1062, 1406, 1366, 1064, 1146, 1045}) {
            assertThat(MysqlDialect.isTransient(new MySQLException("statement", code, "23000")))
                    .as("error %d", code).isFalse();
        }
    }

    @Test
    void theShippedSchemaSplitsIntoOneCreateTablePerTableWithoutComments() {
        assertThat(MysqlDialect.DIALECT.schema()).hasSize(5)
                .allSatisfy(ddl -> assertThat(ddl).startsWith("CREATE TABLE IF NOT EXISTS").doesNotContain("--"));
    }
}
