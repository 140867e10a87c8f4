package io.mqttbackends.runtime.backend.cassandra;

import java.util.List;
import java.util.OptionalLong;

/**
 * A CQL statement with {@code ?} markers and its values in marker order, converted to the markers' column types
 * when bound ({@link CqlValues}).
 *
 * @param cql       the statement
 * @param values    the values; {@code null} binds null
 * @param timestamp the write timestamp in microseconds; empty for reads and for statements that may not carry one
 *                  (lightweight transactions, an explicit {@code USING TIMESTAMP})
 */
record CqlCommand(String cql, List<Object> values, OptionalLong timestamp) {
}
