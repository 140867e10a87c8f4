package io.mqttbackends.operator.render;

/**
 * One {@code key = value} line of the runtime's conf grammar. Text values are written in double quotes, which the
 * runtime strips, so leading or trailing spaces and quotes inside a password survive; line breaks cannot be written
 * and are rejected before a value gets here.
 */
record ConfLine(String key, String value) {

    static ConfLine text(String key, String value) {
        return new ConfLine(key, "\"" + value + "\"");
    }

    static ConfLine plain(String key, Object value) {
        return new ConfLine(key, String.valueOf(value));
    }

    static boolean writable(String value) {
        return value.indexOf('\n') < 0 && value.indexOf('\r') < 0;
    }

    @Override
    public String toString() {
        return key + " = " + value;
    }
}
