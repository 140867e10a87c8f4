package io.mqttbackends.model.conf;

/**
 * One problem found in the configuration, at a location.
 *
 * @param category what kind of problem it is, so a front end such as the operator can name it without reading the
 *                 message
 */
public record ConfigError(ConfigLocation location, String message, Category category) {

    /** The kinds of problem a front end tells apart. */
    public enum Category {
        /** Anything not named below: grammar, unknown keys, values of the wrong type or out of range, JSON. */
        INVALID,
        /** A hook's topic is not a valid MQTT topic filter. */
        TOPIC_FILTER,
        /** A hook's action is not exactly one function or one list of statements. */
        ACTION,
        /** The function does not exist for the database, or not on the hook point. */
        FUNCTION,
        /** The statement language does not run on the database. */
        LANGUAGE,
        /** A hook option that applies to other databases or another function only. */
        OPTION,
        /** A statement template with an unknown, unavailable or quoted placeholder. */
        TEMPLATE,
        /** A hook names a pool that is not configured. */
        POOL_REFERENCE,
        /** A pool of a database this build has no backend for. */
        BACKEND_NOT_AVAILABLE,
        /** A hook needs a broker control that can do more than the configured one. */
        BROKER_CONTROL,
        /** The configuration as a whole has no hook; no single pool or hook is at fault. */
        NO_HOOK
    }

    /** A problem of category {@link Category#INVALID}. */
    public ConfigError(ConfigLocation location, String message) {
        this(location, message, Category.INVALID);
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
