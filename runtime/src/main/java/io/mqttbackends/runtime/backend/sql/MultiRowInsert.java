package io.mqttbackends.runtime.backend.sql;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single-row {@code INSERT ... VALUES (...)} widened to several rows ({@code VALUES (...), (...), ...}), so a batch
 * of N equal inserts costs the server one statement instead of N: measured with the benchmark command, PostgreSQL
 * spent 17.7 µs of CPU per stored row on pipelined single-row inserts and 13.9 µs on multi-row ones.
 *
 * <p>Only a statement whose shape is certain qualifies: {@code INSERT INTO} with exactly one top-level
 * {@code VALUES} group and nothing after it but an ignore-duplicates clause ({@code ON CONFLICT DO NOTHING}, or
 * {@code ON DUPLICATE KEY UPDATE c = c}, which leave a key met twice in one statement alone; an upsert that changes
 * the row, or {@code RETURNING}, does not qualify: touching one key twice in one statement fails on PostgreSQL),
 * every parameter marker inside that group,
 * and no quotes, comments or semicolons anywhere, so no marker or parenthesis can hide in a literal. Anything else
 * runs as it is written. The rows of one statement are inserted in the order of its groups, so ids that a sequence
 * or an auto-increment column assigns follow the event order as they do one statement at a time.
 *
 * <p>The texts are built once per size and kept: the client's prepared-statement cache is keyed by the text. Sizes
 * are exact up to {@link #EXACT_ROWS}, so the small batches of a moderate load go as one statement, which needs no
 * transaction; larger runs of rows go as powers of two, so a statement has at most about twenty texts.
 */
final class MultiRowInsert {

    /** The most rows in one statement: large enough to amortize, small enough to stay a modest statement. */
    static final int MAX_ROWS = 256;
    /** Up to this many rows a statement takes exactly the rows there are. */
    static final int EXACT_ROWS = 16;
    /** PostgreSQL and MySQL both cap a statement at 65,535 parameters; stay well below. */
    private static final int MAX_PARAMS = 32_767;
    private static final Pattern INSERT_INTO = Pattern.compile("^\\s*insert\\s+into\\s", Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBERED_MARKER = Pattern.compile("\\$(\\d+)");
    /** What may follow the values: nothing, or a clause that ignores a duplicate key. */
    private static final Pattern IGNORE_DUPLICATES = Pattern.compile(
            "\\s*(?:|on\\s+conflict\\s+do\\s+nothing|on\\s+duplicate\\s+key\\s+update\\s+(\\w+)\\s*=\\s*\\1)\\s*",
            Pattern.CASE_INSENSITIVE);

    /** The statement up to and including {@code VALUES }. */
    private final String head;
    /** The parenthesized row of values, markers rendered for the database. */
    private final String group;
    /** What follows the rows: empty, or the ignore-duplicates clause. */
    private final String tail;
    /** Whether markers are numbered ({@code $n}, renumbered per row) or positional ({@code ?}). */
    private final boolean numbered;
    private final int paramsPerRow;
    /** The text for n rows at index n, built on first use; a race builds the same text twice, harmlessly. */
    private final String[] bySize;

    private MultiRowInsert(String head, String group, String tail, boolean numbered, int paramsPerRow) {
        this.head = head;
        this.group = group;
        this.tail = tail;
        this.numbered = numbered;
        this.paramsPerRow = paramsPerRow;
        this.bySize = new String[MAX_ROWS + 1];
    }

    /** The values one row binds. */
    int paramsPerRow() {
        return paramsPerRow;
    }

    /** The shape of {@code sql}, or empty when it is not a plain single-row insert. */
    static Optional<MultiRowInsert> of(String sql, boolean numberedMarkers) {
        if (!INSERT_INTO.matcher(sql).find() || containsAny(sql, "'", "\"", "`", "--", "/*", ";", "$$")) {
            return Optional.empty();
        }
        int values = topLevelValues(sql);
        if (values < 0) {
            return Optional.empty();
        }
        int open = values + "values".length();
        while (open < sql.length() && Character.isWhitespace(sql.charAt(open))) {
            open++;
        }
        if (open >= sql.length() || sql.charAt(open) != '(') {
            return Optional.empty();
        }
        int close = matchingParen(sql, open);
        if (close < 0 || !IGNORE_DUPLICATES.matcher(sql.substring(close + 1)).matches()) {
            return Optional.empty();
        }
        String tail = sql.substring(close + 1).isBlank() ? "" : " " + sql.substring(close + 1).strip();
        String head = sql.substring(0, open);
        String group = sql.substring(open, close + 1);
        int params;
        if (numberedMarkers) {
            if (NUMBERED_MARKER.matcher(head).find()) {
                return Optional.empty();
            }
            params = 0;
            Matcher m = NUMBERED_MARKER.matcher(group);
            while (m.find()) {
                params = Math.max(params, Integer.parseInt(m.group(1)));
            }
        } else {
            if (head.indexOf('?') >= 0) {
                return Optional.empty();
            }
            params = (int) group.chars().filter(c -> c == '?').count();
        }
        if (params == 0) {
            return Optional.empty();
        }
        return Optional.of(new MultiRowInsert(head, group, tail, numberedMarkers, params));
    }

    /** The most rows one statement of this shape takes: a power of two, at most {@link #MAX_ROWS}. */
    int maxRows() {
        int rows = Math.max(1, Math.min(MAX_ROWS, MAX_PARAMS / paramsPerRow));
        return Integer.highestOneBit(rows);
    }

    /**
     * How many of {@code remaining} rows the next statement takes: all of them up to {@link #EXACT_ROWS}, else the
     * largest power of two up to {@link #maxRows()} (437 rows: 256, 128, 32, 16 and 5).
     */
    int statementRows(int remaining) {
        if (remaining < 1) {
            throw new IllegalArgumentException(remaining + " rows: at least one expected");
        }
        return remaining <= exactRows() ? remaining : Math.min(maxRows(), Integer.highestOneBit(remaining));
    }

    private int exactRows() {
        return Math.min(EXACT_ROWS, maxRows());
    }

    /**
     * The statement for {@code rows} rows, a size {@link #statementRows} gives; the values of row {@code i} follow
     * those of row {@code i - 1}.
     */
    String sql(int rows) {
        boolean exact = rows >= 1 && rows <= exactRows();
        if (!exact && (Integer.bitCount(rows) != 1 || rows > maxRows())) {
            throw new IllegalArgumentException(rows + " rows: up to " + exactRows() + ", or a power of two up to "
                    + maxRows() + " expected");
        }
        String sql = bySize[rows];
        if (sql == null) {
            sql = build(rows);
            bySize[rows] = sql;
        }
        return sql;
    }

    private String build(int rows) {
        StringBuilder sql = new StringBuilder(head.length() + rows * (group.length() + 8)).append(head);
        for (int row = 0; row < rows; row++) {
            if (row > 0) {
                sql.append(", ");
            }
            if (!numbered || row == 0) {
                sql.append(group);
            } else {
                int offset = row * paramsPerRow;
                Matcher m = NUMBERED_MARKER.matcher(group);
                while (m.find()) {
                    m.appendReplacement(sql, "\\$" + (Integer.parseInt(m.group(1)) + offset));
                }
                m.appendTail(sql);
            }
        }
        return sql.append(tail).toString();
    }

    private static boolean containsAny(String text, String... needles) {
        for (String needle : needles) {
            if (text.contains(needle)) {
                return true;
            }
        }
        return false;
    }

    /** Where the one {@code VALUES} keyword outside parentheses starts, or -1 when there is none or several. */
    private static int topLevelValues(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        int found = -1;
        int depth = 0;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && lower.startsWith("values", i) && isWordStart(lower, i)
                    && isWordEnd(lower, i + "values".length())) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }

    private static boolean isWordStart(String text, int i) {
        return i == 0 || !isWordChar(text.charAt(i - 1));
    }

    private static boolean isWordEnd(String text, int end) {
        return end >= text.length() || !isWordChar(text.charAt(end));
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static int matchingParen(String sql, int open) {
        int depth = 0;
        for (int i = open; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
