package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.backend.sql.ParameterBinder;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Binds event values to a statement's parameters whatever the types of the columns they land in.
 *
 * <p>Why this exists: the Vert.x PostgreSQL client sends a statement to the server first, takes the parameter types
 * the server inferred, and then <em>only accepts</em> a Java value of the matching class: {@code text}/{@code varchar}
 * take a {@link String} only, {@code bytea} a {@code byte[]} or Vert.x {@code Buffer} only, {@code int2/int4/int8} and
 * {@code float4/float8}/{@code numeric} any {@link Number}, {@code timestamptz} an {@code OffsetDateTime} only.
 * Anything else fails before reaching the server with "can not be coerced to the expected class" (a
 * {@code NoStackTraceThrowable}, not a {@code PgException}). So a {@code ${payload}} template must bind differently
 * for a {@code bytea} column and for EMQX's {@code text} column, and {@code ${qos}} differently for an
 * {@code integer} and a {@code varchar} column.
 *
 * <p>The rule: each statement's parameter types are asked of the server once per pool (SQL {@code PREPARE}, then
 * {@code pg_prepared_statements}), memoized on success only, and every value is converted to what its parameter
 * takes:
 * <ul>
 *   <li>{@code bytea}: {@code byte[]} as is; strings as UTF-8; numbers as their decimal text in UTF-8;</li>
 *   <li>string types ({@code text}, {@code varchar}, {@code char}, {@code name}): {@code byte[]} decoded as UTF-8
 *       (a non-UTF-8 payload is not representable in text: bytes that are not UTF-8 become U+FFFD); numbers as
 *       their decimal text;</li>
 *   <li>numeric types: numbers as is (an {@link Integer} qos binds into {@code smallint} and {@code bigint} alike);
 *       a {@code Long} {@code ${timestamp}} in epoch seconds therefore works as {@code to_timestamp(${timestamp})};
 *       </li>
 *   <li>any other type (dates, json, ...): the value as is, which the client rejects unless it already fits; a
 *       timestamp column takes {@code to_timestamp(${timestamp})}, not {@code ${timestamp}}.</li>
 * </ul>
 * {@code null} binds SQL NULL whatever the type.
 */
final class TypedBinder implements ParameterBinder {

    /** What a parameter accepts, as far as binding is concerned. */
    enum ParamKind { BYTES, TEXT, NUMBER, OTHER }

    private static final String PARAMETER_TYPES = """
            SELECT t.typname, t.typcategory
            FROM pg_prepared_statements s
            CROSS JOIN LATERAL unnest(s.parameter_types) WITH ORDINALITY AS p(type, ord)
            JOIN pg_type t ON t.oid = p.type::oid
            WHERE s.name = $1
            ORDER BY p.ord""";

    private final Pool pool;
    private final Map<String, List<ParamKind>> described = new ConcurrentHashMap<>();
    private final AtomicLong names = new AtomicLong();

    TypedBinder(Pool pool) {
        this.pool = pool;
    }

    /** Converts the values for the statement's parameter types, describing the statement first if needed. */
    @Override
    public Uni<Tuple> bind(String sql, List<Object> values) {
        return describe(sql, values.size())
                .onItem().transform(kinds -> Tuple.from(convertAll(values, kinds)));
    }

    private Uni<List<ParamKind>> describe(String sql, int parameterCount) {
        List<ParamKind> known = parameterCount == 0 ? List.of() : described.get(sql);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return pool.withConnection(conn -> describeOn(conn, sql))
                .onItem().invoke(kinds -> described.put(sql, kinds));
    }

    /**
     * A SQL-level {@code PREPARE} under a name unique in this pool, so a describe that died half-way on a connection
     * never collides with the next one there; it is deallocated whatever happens.
     */
    private Uni<List<ParamKind>> describeOn(SqlConnection conn, String sql) {
        String name = "mqttbackends_describe_" + names.incrementAndGet();
        return conn.query("PREPARE " + name + " AS " + sql).execute()
                .onItem().transformToUni(prepared -> conn.preparedQuery(PARAMETER_TYPES).execute(Tuple.of(name)))
                .onItem().transform(rows -> {
                    List<ParamKind> kinds = new ArrayList<>();
                    for (Row row : rows) {
                        kinds.add(kindOf(row.getString("typname"), row.getString("typcategory")));
                    }
                    return List.copyOf(kinds);
                })
                .onTermination().call(() -> conn.query("DEALLOCATE " + name).execute()
                        .onFailure().recoverWithNull());
    }

    private static ParamKind kindOf(String typname, String category) {
        if ("bytea".equals(typname)) {
            return ParamKind.BYTES;
        }
        return switch (category) {
            case "S" -> ParamKind.TEXT;
            case "N" -> ParamKind.NUMBER;
            default -> ParamKind.OTHER;
        };
    }

    private static List<Object> convertAll(List<Object> values, List<ParamKind> kinds) {
        List<Object> converted = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            // A count mismatch is the statement's own error: let the client report it with the values as given.
            converted.add(i < kinds.size() ? convert(values.get(i), kinds.get(i)) : values.get(i));
        }
        return converted;
    }

    static Object convert(Object value, ParamKind kind) {
        if (value == null) {
            return null;
        }
        switch (kind) {
            case BYTES:
                return value instanceof byte[] ? value : value.toString().getBytes(StandardCharsets.UTF_8);
            case TEXT:
                return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
            default:
                return value;
        }
    }
}
