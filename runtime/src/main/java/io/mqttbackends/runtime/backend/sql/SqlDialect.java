package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.config.DatabaseKind;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What one SQL database adds to the shared SQL stage ({@link SqlPool}, {@link SqlFunctions}): its statement texts,
 * its parameter markers, how event values bind to its parameters, its schema and which of its errors are transient.
 * Everything else (the functions' algorithms, row mapping, templates, transactions, connection-level failures) is
 * the same for every database spoken through the generic Vert.x SQL client.
 */
public interface SqlDialect {

    /** The database kind, named in error messages. */
    DatabaseKind kind();

    /**
     * Whether the database numbers its parameters ({@code $1}, which a statement may use twice) or takes them by
     * position ({@code ?}, one value per occurrence). Statement texts are written with {@code $n} either way and
     * rendered by {@link SqlText}.
     */
    boolean numberedMarkers();

    /** The built-in functions' statements, written with {@code $n} markers. */
    SqlStatements statements();

    /** The binder of one pool; it may ask the server about a statement first, and remembers per pool. */
    ParameterBinder binder(Pool pool);

    /** The shipped DDL ({@code schema.init}), in the order to run; every statement idempotent. */
    List<String> schema();

    /**
     * Whether an error the server reported says the server, not the statement, failed (shutting down, too many
     * connections, deadlock, ...). Lost or refused connections are recognised by {@link SqlPool} for every database.
     */
    boolean isTransient(DatabaseException failure);

    /** A shipped DDL file, {@code schema/<name>} on the classpath. */
    static String readSchema(String name) {
        try (InputStream in = SqlDialect.class.getResourceAsStream("/schema/" + name)) {
            if (in == null) {
                throw new IllegalStateException("schema/" + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
