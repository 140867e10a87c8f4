package io.mqttbackends.model;

import java.nio.charset.StandardCharsets;

/**
 * Client-supplied text (client ids, topics, payload excerpts, messages a database or broker echoed back) made safe
 * for one log line: every character that could end or disguise a line is written as a backslash, {@code u} and four
 * hex digits, a backslash as two (so an escape in the log always means one), and the text is cut to a bounded length.
 * Escaped are the C0 and C1 controls (CR, LF, VT, FF, NEL, ESC, ...), the Unicode line and paragraph separators (U+2028, U+2029),
 * format characters (bidirectional overrides, zero-width characters) and lone surrogates. Without this, a client id
 * containing a newline writes a whole forged line into the log.
 */
public final class LogText {
    /** How many characters of a value a log line keeps by default. */
    public static final int DEFAULT_MAX_CHARS = 256;
    /** How many bytes of a payload a log line shows. */
    public static final int PAYLOAD_MAX_BYTES = 64;

    private LogText() {
    }

    /** {@code value} escaped and cut to {@link #DEFAULT_MAX_CHARS}; {@code null} as {@code null}. */
    public static String of(Object value) {
        return of(value, DEFAULT_MAX_CHARS);
    }

    /** {@code value} escaped, keeping at most {@code maxChars} characters of it. */
    public static String of(Object value, int maxChars) {
        if (value == null) {
            return "null";
        }
        String text = value.toString();
        int keep = Math.min(text.length(), maxChars);
        if (keep < text.length() && keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--;
        }
        StringBuilder out = new StringBuilder(keep + 16);
        for (int i = 0; i < keep; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (Character.isHighSurrogate(c) && i + 1 < keep && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (needsEscape(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (keep < text.length()) {
            out.append("...(").append(text.length() - keep).append(" more chars)");
        }
        return out.toString();
    }

    /** The first {@link #PAYLOAD_MAX_BYTES} bytes of a payload as UTF-8 text (invalid bytes as U+FFFD), escaped. */
    public static String payload(byte[] payload) {
        if (payload == null) {
            return "null";
        }
        int shown = Math.min(payload.length, PAYLOAD_MAX_BYTES);
        String excerpt = of(new String(payload, 0, shown, StandardCharsets.UTF_8), Integer.MAX_VALUE);
        return shown < payload.length ? excerpt + "...(" + payload.length + " bytes)" : excerpt;
    }

    private static boolean needsEscape(char c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }
}
