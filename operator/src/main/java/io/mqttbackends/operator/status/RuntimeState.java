package io.mqttbackends.operator.status;

/** What the runtime reports about its configuration, or why it could not be asked. */
public sealed interface RuntimeState {

    /**
     * The body of {@code GET /q/mqttbackends/config}: the hash of the loaded configuration, and the last rejected
     * one with its error (both null when no reload failed).
     */
    record Reported(String hash, String lastError, String lastErrorHash) implements RuntimeState {
    }

    /** The runtime did not answer (not deployed yet, restarting, unreachable). */
    record Unreachable(String url, String error) implements RuntimeState {
    }
}
