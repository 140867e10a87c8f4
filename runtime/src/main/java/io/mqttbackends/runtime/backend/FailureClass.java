package io.mqttbackends.runtime.backend;

/**
 * How the action stage treats a failed database call. Each pool decides it from exception types, SQLSTATE classes,
 * server error codes or Redis error prefixes ({@link BackendPool#classify}), never from message words.
 */
public enum FailureClass {
    /**
     * The database cannot serve now: connection refused or lost, the call timed out, authentication or
     * authorisation refused, the server shutting down or out of connections. Retried with backoff for as long as
     * it lasts (the events stay un-acked, so nothing is lost); never dead-lettered. Readiness reports the pool down.
     */
    UNAVAILABLE,
    /** May succeed if tried again (a deadlock, a serialisation failure, an unknown error): bounded retries. */
    TRANSIENT,
    /**
     * This write's data or statement is refused (a value too long, a constraint, a type the statement cannot take):
     * trying again cannot help, so it is given up at once and dead-lettered.
     */
    PERMANENT
}
