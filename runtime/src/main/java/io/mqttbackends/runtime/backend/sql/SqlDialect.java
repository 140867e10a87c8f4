package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FailureClass;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one SQL database adds to the shared SQL stage ({@link SqlPool}, {@link SqlFunctions}): its statement texts,
 * its parameter markers, how event values bind to its parameters, its schema and which of its errors are transient.
 * Everything else (the functions' algorithms, row mapping, templates, transactions, connection-level failures) is
 * the same for every database spoken through the generic Vert.x SQL client.
 *
 * @param kind            the database kind, named in error messages
 * @param numberedMarkers whether the database numbers its parameters ({@code $1}, which a statement may use twice)
 *                        or takes them by position ({@code ?}, one value per occurrence); statement texts are written
 *                        with {@code $n} either way and rendered by {@link SqlText}
 * @param statements      the built-in functions' statements, written with {@code $n} markers
 * @param binders         the binder of one pool; it may ask the server about a statement first, and remembers per
 *                        pool
 * @param schema          the shipped DDL ({@code schema.init}), in the order to run; every statement idempotent
 * @param classify        the class of an error the server reported, where the database's own codes decide it; empty
 *                        leaves it to the standard SQLSTATE classes ({@link SqlPool#bySqlState}), and lost or
 *                        refused connections are recognised by {@link SqlPool} for every database
 * @param innerFailure    the failure a driver's wrapper carries (MySQL reports a failed batch execution as a
 *                        {@code MySQLBatchException} holding each execution's error), empty for any other failure
 * @param retention       the message retention's bounded deletes ({@link SqlRetention})
 */
public record SqlDialect(DatabaseKind kind, boolean numberedMarkers, SqlStatements statements,
        Function<Pool, ParameterBinder> binders, List<String> schema,
        Function<DatabaseException, Optional<FailureClass>> classify,
        Function<Throwable, Optional<Throwable>> innerFailure, RetentionStatements retention) {

    public SqlDialect {
        schema = List.copyOf(schema);
    }

    /** A shipped DDL file, {@code schema/<name>} on the classpath. */
    public static String readSchema(String name) {
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
