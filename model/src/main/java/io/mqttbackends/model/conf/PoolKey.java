package io.mqttbackends.model.conf;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One key of a database's pools: its EMQX name, the default that applies when it is not written, and the type its
 * value must have.
 *
 * @param name         the key after {@code backend.<db>.<pool>.}, e.g. {@code pool_size}
 * @param defaultValue the value when the key is not written ({@code ""} for none)
 * @param type         what a written value must look like
 */
public record PoolKey(String name, String defaultValue, ValueType type) {

    /**
     * A value type: what an error says is expected, and the test.
     *
     * @param expected the description completing "expected ..."
     * @param accepts  whether a value (unquoted, trimmed) has the type
     */
    public record ValueType(String expected, Predicate<String> accepts) {

        /** Any text, including none. */
        public static final ValueType TEXT = new ValueType("text", v -> true);
        /** An integer, 0 or more. */
        public static final ValueType COUNT = new ValueType("a non-negative integer", v -> parseInt(v) >= 0);
        /** An integer, 1 or more. */
        public static final ValueType SIZE = new ValueType("a positive integer", v -> parseInt(v) > 0);
        /** An EMQX boolean. */
        public static final ValueType BOOL = new ValueType("a boolean (true/false, on/off, 1/0)",
                v -> Set.of("true", "false", "on", "off", "1", "0").contains(v.toLowerCase()));
        /** One {@code host[:port]}. */
        public static final ValueType SERVER = new ValueType("host[:port] with port 1..65535", ValueType::isServer);
        /** A comma-separated list of {@code host[:port]}. */
        public static final ValueType SERVERS = new ValueType(
                "a comma-separated list of host[:port] with port 1..65535",
                v -> List.of(v.split(",", -1)).stream().allMatch(ValueType::isServer));

        /** Exactly one of the given words. */
        public static ValueType oneOf(String... values) {
            List<String> allowed = List.of(values);
            return new ValueType("one of " + String.join(", ", allowed), allowed::contains);
        }

        private static boolean isServer(String value) {
            // Any default port will do: only whether the value parses matters here.
            return HostPort.parse(value, 1).isPresent();
        }
    }

    /** What is wrong with a written value of this key, naming the key and the value; empty if none. */
    public Optional<String> problem(String value) {
        if (!type.accepts().test(value)) {
            return Optional.of("'" + value + "' is not valid for " + name + ": expected " + type.expected());
        }
        return Optional.empty();
    }

    /** The integer value, or -1 when it is none (every integer key here is non-negative). */
    private static int parseInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
