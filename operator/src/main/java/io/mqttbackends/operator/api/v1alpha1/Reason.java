package io.mqttbackends.operator.api.v1alpha1;

/**
 * The reasons the status conditions of BackendPools and BackendHooks carry, CamelCase as Kubernetes conventions want:
 * part of the resources' API, so rendering and status derivation both use it without depending on each other. The
 * first group explains {@code Valid}, the second {@code Applied}; {@code Ready} repeats the reason of whichever of the
 * two is not true.
 */
public enum Reason {
    /** Valid: the resource renders into the runtime's configuration. */
    Rendered,
    /** The BackendPool's name cannot be a conf pool name. */
    InvalidPoolName,
    /**
     * The runtime's loader refuses the rendered lines (e.g. a pool size out of range), or a field combination the
     * schema cannot express is wrong (e.g. two servers for pgsql).
     */
    InvalidSpec,
    /**
     * The pool's database has no backend in the runtime: every database has one in this build, a runtime of another
     * build may lack some (the operator's {@code mqttbackends.operator.runtime-backends}).
     */
    BackendNotAvailable,
    /** A referenced Secret or key of it does not exist. */
    SecretNotFound,
    /** A referenced Secret value cannot be written on one conf line. */
    InvalidSecret,
    /** The hook's poolRef names no BackendPool (or one being deleted). */
    PoolNotFound,
    /** The hook's pool exists but is itself not valid, so neither renders. */
    PoolNotValid,
    /** The function does not exist for the pool's database, or not on this hook point. */
    FunctionNotSupported,
    /** The statement language does not run on the pool's database (e.g. sql on redis, anything on mongo). */
    ActionNotSupported,
    /** Not exactly one of function, sql, cql, commands, or empty statements. */
    InvalidAction,
    /** A statement with a placeholder that is unknown, has no value at the hook point, or is quoted. */
    InvalidTemplate,
    /** An option that applies elsewhere only (offlineOpts, expiredTime, payloadFormat). */
    OptionNotSupported,
    /** The topic is not a valid MQTT topic filter. */
    InvalidTopicFilter,
    /** Another hook of the same database and hook point has the same order and was there first. */
    OrderConflict,
    /**
     * A mongo pool gives a topology setting (global in the runtime, written once per namespace) that a mongo pool
     * created before it gives differently.
     */
    TopologyConflict,

    /** Applied: the runtime reports the hash of what was rendered. */
    Loaded,
    /** The runtime rejected the rendered configuration; the message is its error. */
    ReloadFailed,
    /** The runtime has not loaded the rendered configuration yet (or cannot be reached). */
    Pending,
    /** Not applied because the resource is not valid. */
    NotRendered,

    /** Ready: valid and applied. */
    Ready
}
