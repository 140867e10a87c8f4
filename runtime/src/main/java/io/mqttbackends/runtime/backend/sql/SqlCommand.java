package io.mqttbackends.runtime.backend.sql;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One statement in the database's own marker syntax with its values in parameter order, not yet converted by the
 * {@link ParameterBinder}. A value may be {@code null} (SQL NULL), so the list is not a {@code List.copyOf}.
 */
public record SqlCommand(String sql, List<Object> values) {
    public SqlCommand {
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }
}
