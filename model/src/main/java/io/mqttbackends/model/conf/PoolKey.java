package io.mqttbackends.model.conf;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One key of a database's pools: its EMQX name, the default that applies when it is not written, the type its value
 * must have and, for integers whose size costs memory or time, the range it must lie in.
 *
 * @param name         the key after {@code backend.<db>.<pool>.}, e.g. {@code pool_size}
 * @param defaultValue the value when the key is not written ({@code ""} for none)
 * @param type         what a written value must look like
 * @param range        the bounds of an integer value, checked once the value has its type
 */
public record PoolKey(String name, String defaultValue, ValueType type, Optional<Range> range) {

    public PoolKey {
        if (range.isPresent() && type != ValueType.COUNT && type != ValueType.SIZE) {
            throw new IllegalArgumentException("only integer keys have a range: " + name);
        }
    }

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

        /**
         * A duration in the syntax of {@code offline_opts.time_range}: digits and a unit of d, h, m or s, possibly
         * several ({@code 1h30m}), from {@code min} to {@code max} inclusive.
         *
         * @param bounds the bounds as written in messages, e.g. {@code "1s to 1d"}
         */
        public static ValueType duration(Duration min, Duration max, String bounds) {
            return new ValueType("a duration like 30m, 7d or 1h30m (units d, h, m, s) from " + bounds,
                    v -> HookParser.parseDuration(v).filter(d -> d.compareTo(min) >= 0 && d.compareTo(max) <= 0)
                            .isPresent());
        }

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

    /**
     * The inclusive bounds of an integer key.
     *
     * @param unit what the number counts, appended to the range in messages ({@code ""} for a plain count)
     */
    public record Range(int min, int max, String unit) {

        public boolean contains(int value) {
            return value >= min && value <= max;
        }

        @Override
        public String toString() {
            return min + ".." + max + (unit.isEmpty() ? "" : " " + unit);
        }
    }

    /**
     * What is wrong with a written value of this key, naming the key, the value (unless {@code hidden}: a secret, or
     * read through a reference) and what is allowed; empty if none.
     */
    public Optional<String> problem(String value, boolean hidden) {
        if (!type.accepts().test(value)) {
            return Optional.of((hidden ? "the value " + Redaction.HIDDEN : "'" + value + "'") + " is not valid for "
                    + name + ": expected " + type.expected());
        }
        return range.filter(r -> !r.contains(Integer.parseInt(value)))
                .map(r -> name + " = " + (hidden ? Redaction.HIDDEN : value) + " is out of range: allowed " + r);
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
