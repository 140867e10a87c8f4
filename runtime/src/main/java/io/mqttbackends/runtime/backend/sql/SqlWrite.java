package io.mqttbackends.runtime.backend.sql;

import java.util.List;

/**
 * What one event writes to a SQL pool: its statements, in order. Many events' writes share one transaction
 * ({@link SqlPool#apply}).
 *
 * @param commands the ordered statements of one event (none for a function that writes nothing)
 */
public record SqlWrite(List<SqlCommand> commands) {

    public SqlWrite {
        commands = List.copyOf(commands);
    }
}
