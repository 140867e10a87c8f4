package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * A {@link TestDatabase} on a SQL server, with what its SQL dialect spells differently, so that one test reads the
 * same on every SQL database.
 */
public interface SqlTestDatabase extends TestDatabase {

    /** A new, empty database of {@code kind} (PostgreSQL or MySQL). */
    static SqlTestDatabase create(DatabaseKind kind) {
        return switch (kind) {
            case PGSQL -> PgsqlTestDatabase.create();
            case MYSQL -> MysqlTestDatabase.create();
            default -> throw new IllegalArgumentException(kind + " is not a SQL database");
        };
    }

    /** A test connection for setup and inspection; statements use {@code $n} markers on every database. */
    TestSql connect();

    /** A plain Vert.x pool on the database, on the caller's {@code vertx}. */
    Pool openPool(Vertx vertx);

    /** Whether the database's parameter markers are numbered ({@code $1}) rather than {@code ?}. */
    boolean numberedMarkers();

    /** The column type of a binary payload. */
    String binaryType();

    /** The column type of a point in time. */
    String timestampType();

    /** A column definition of an integer key the database numbers itself, in insertion order. */
    String serialPrimaryKey();

    /** The SQL function turning epoch seconds into a timestamp. */
    String fromEpochSeconds();

    /** A select-list expression giving the row's {@code arrived} as epoch milliseconds. */
    String arrivedMillis();

    /** An SQL expression for the time three hours ago. */
    String threeHoursAgo();
}
