package io.mqttbackends.runtime.backend.sql;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.List;

/**
 * Converts event values (strings, {@code byte[]} payloads, {@code Integer} qos, {@code Long} timestamps, {@code null}
 * for what an event lacks) into what the driver accepts for the statement's parameters.
 */
@FunctionalInterface
public interface ParameterBinder {
    Uni<Tuple> bind(String sql, List<Object> values);
}
