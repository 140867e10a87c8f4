package io.mqttbackends.model.conf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one rule for line breaks in conf text, shared by the runtime's parser and the operator's checks: a conf file
 * breaks lines at {@code \n} (a {@code \r} right before it is dropped, so {@code \r\n} files read the same), and no
 * other line terminator may appear anywhere in it. Java's {@code \R} and Unicode also end a line at {@code \r} alone,
 * VT, FF, NEL, U+2028 and U+2029; a parser splitting there while a check looks only for {@code \n} let a Secret value
 * holding U+2028 become a line of its own, so every one of them is refused rather than read either way.
 */
public final class LineTerminators {

    private LineTerminators() {
    }

    /**
     * The lines of a conf file's text, split at {@code \n} only, each without a trailing {@code \r}; any other line
     * terminator stays inside its line for {@link #find} to report.
     */
    public static List<String> lines(String content) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = content.indexOf('\n', start);
            String line = content.substring(start, end < 0 ? content.length() : end);
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            if (end < 0) {
                return lines;
            }
            start = end + 1;
        }
    }

    /** The first line terminator in {@code text} ({@code \n} included), as a code point; empty when it has none. */
    public static OptionalInt find(String text) {
        return text.codePoints().filter(LineTerminators::isTerminator).findFirst();
    }

    /**
     * Why {@code text} cannot be one conf value, naming the code point and never the text; empty when it can.
     *
     * @param what what the text is, to start the message ("the value of Secret 'db' key 'password'")
     */
    public static Optional<String> problem(String what, String text) {
        OptionalInt found = find(text);
        return found.isPresent() ? Optional.of(what + " contains " + describe(found.getAsInt()) + ", a line "
                + "terminator; conf values cannot hold line breaks (the value is not shown)") : Optional.empty();
    }

    /** {@code U+2028 (LINE SEPARATOR)}. */
    public static String describe(int codePoint) {
        String name = Character.getName(codePoint);
        return String.format("U+%04X", codePoint) + (name == null ? "" : " (" + name + ")");
    }

    private static boolean isTerminator(int c) {
        return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029;
    }
}
