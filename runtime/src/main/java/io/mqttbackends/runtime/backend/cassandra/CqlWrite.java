package io.mqttbackends.runtime.backend.cassandra;

import java.util.List;

/**
 * One event's write on a Cassandra pool: its statements, each with the write timestamp it carries on every attempt.
 * Fixed timestamps make a write idempotent and order-proof: applied twice, or after a later write of the same row,
 * Cassandra's last-write-wins by timestamp leaves what applying them once, in order, would.
 */
record CqlWrite(List<CqlCommand> commands) {
}
