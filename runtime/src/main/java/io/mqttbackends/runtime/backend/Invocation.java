package io.mqttbackends.runtime.backend;

import io.mqttbackends.runtime.event.Event;

/** One action to run for one event: an element of a {@link BackendPool#runBatch batch}. */
public record Invocation(PoolAction action, Event event) {
}
