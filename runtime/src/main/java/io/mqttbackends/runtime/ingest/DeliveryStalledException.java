package io.mqttbackends.runtime.ingest;

/**
 * The broker stopped delivering to the runtime's session while the connection stayed up (no delivery probe came
 * back): ends the ingress run, so that {@link EventPipeline} starts a new one on the same session.
 */
final class DeliveryStalledException extends RuntimeException {
    DeliveryStalledException(String message) {
        super(message, null, false, false);
    }
}
