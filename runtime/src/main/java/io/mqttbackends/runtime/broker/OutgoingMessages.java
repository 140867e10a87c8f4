package io.mqttbackends.runtime.broker;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The runtime's own session with the broker, as the broker adapters publish through it (the MQTT ingress
 * implements it): a second session under the same client id would take the first one over.
 */
public interface OutgoingMessages {

    /**
     * Publishes in order on the running session, every message marked as the runtime's own
     * ({@code mqttbackends-origin}) so that it is never consumed as an event; completes when the broker accepted all
     * of them and fails on the first rejection.
     */
    Uni<Void> publishInOrder(List<OutgoingMessage> messages);

    /** The client id of the session, which the {@code mqttbackends-origin} property carries. */
    String clientId();
}
