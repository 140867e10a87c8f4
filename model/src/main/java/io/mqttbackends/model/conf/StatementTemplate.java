package io.mqttbackends.model.conf;

import io.mqttbackends.model.Placeholder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code sql} or {@code cql} statement with {@code ${name}} placeholders. Each placeholder becomes a bind parameter
 * (never spliced text), in order of appearance, as EMQX 4.x's {@code compile_sql} did; each database renders its own
 * parameter marker ({@code $1} for PostgreSQL, {@code ?} for MySQL and CQL).
 */
public final class StatementTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    private final String source;
    private final List<String> literals;
    private final List<Placeholder> parameters;

    private StatementTemplate(String source, List<String> literals, List<Placeholder> parameters) {
        this.source = source;
        this.literals = literals;
        this.parameters = parameters;
    }

    /** One {@code ${...}} occurrence, with whether it sits inside a single-quoted string literal. */
    public record Occurrence(String name, boolean quoted) {
    }

    /**
     * Every placeholder occurrence, known or not, for validation: unknown names and quoted placeholders are errors
     * the configuration reports before anything runs.
     */
    public static List<Occurrence> scan(String statement) {
        List<Occurrence> found = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(statement);
        while (m.find()) {
            found.add(new Occurrence(m.group(1), insideQuotes(statement, m.start())));
        }
        return found;
    }

    private static boolean insideQuotes(String s, int end) {
        boolean quoted = false;
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) == '\'') {
                quoted = !quoted;
            }
        }
        return quoted;
    }

    /**
     * Compiles a statement whose placeholders were validated.
     *
     * @throws IllegalArgumentException on an unknown placeholder name
     */
    public static StatementTemplate compile(String statement) {
        List<String> literals = new ArrayList<>();
        List<Placeholder> parameters = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(statement);
        int last = 0;
        while (m.find()) {
            String name = m.group(1);
            Placeholder p = Placeholder.fromToken(name)
                    .orElseThrow(() -> new IllegalArgumentException("unknown placeholder ${" + name + "}"));
            literals.add(statement.substring(last, m.start()));
            parameters.add(p);
            last = m.end();
        }
        literals.add(statement.substring(last));
        return new StatementTemplate(statement, List.copyOf(literals), List.copyOf(parameters));
    }

    /** The statement text with the i-th placeholder (1-based) replaced by {@code marker.apply(i)}. */
    public String render(IntFunction<String> marker) {
        StringBuilder sb = new StringBuilder(literals.get(0));
        for (int i = 0; i < parameters.size(); i++) {
            sb.append(marker.apply(i + 1)).append(literals.get(i + 1));
        }
        return sb.toString();
    }

    /**
     * The values of the placeholders in bind order, each taken from {@code values} (an event's
     * {@code placeholderValue}; {@code null} where the event lacks one).
     */
    public List<Object> bind(Function<Placeholder, Object> values) {
        List<Object> bound = new ArrayList<>(parameters.size());
        for (Placeholder p : parameters) {
            bound.add(values.apply(p));
        }
        return bound;
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }
}
