package io.mqttbackends.runtime.backend.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement written with numbered markers ({@code $1}, possibly repeated), rendered once at load for a database:
 * kept as is where the database numbers its parameters, or turned into positional {@code ?} markers with the values
 * arranged to match (a repeated {@code $2} binds its value twice).
 */
public record SqlText(String sql, List<Integer> order) {
    private static final Pattern MARKER = Pattern.compile("\\$(\\d+)");

    public SqlText {
        order = List.copyOf(order);
    }

    public static SqlText render(String numbered, boolean numberedMarkers) {
        List<Integer> order = new ArrayList<>();
        Matcher m = MARKER.matcher(numbered);
        StringBuilder sql = new StringBuilder();
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)));
            m.appendReplacement(sql, numberedMarkers ? "\\$" + m.group(1) : "?");
        }
        m.appendTail(sql);
        if (numberedMarkers) {
            int count = order.stream().mapToInt(Integer::intValue).max().orElse(0);
            order = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                order.add(i);
            }
        }
        return new SqlText(sql.toString(), order);
    }

    /** The command with {@code args[n - 1]} as the value of {@code $n}. */
    public SqlCommand with(Object... args) {
        List<Object> values = new ArrayList<>(order.size());
        order.forEach(n -> values.add(args[n - 1]));
        return new SqlCommand(sql, values);
    }

    @Override
    public String toString() {
        return sql + " " + Arrays.toString(order.toArray());
    }
}
