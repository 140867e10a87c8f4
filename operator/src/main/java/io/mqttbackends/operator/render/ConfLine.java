package io.mqttbackends.operator.render;

import io.mqttbackends.model.conf.ConfigProviders;
import io.mqttbackends.model.conf.LineTerminators;

/**
 * One {@code key = value} line of the runtime's conf grammar. Text values are written in double quotes, which the
 * runtime strips, so leading or trailing spaces and quotes inside a password survive. Every value is written as the
 * literal it is: a {@code ${} in it is escaped ({@link ConfigProviders#escape}), so a resource or Secret value is never
 * taken for a reference to the runtime's environment or files. Line terminators cannot be written: values holding
 * one are refused by the model's rule ({@link LineTerminators}) before they get here.
 */
record ConfLine(String key, String value) {

    static ConfLine text(String key, String value) {
        return new ConfLine(key, "\"" + ConfigProviders.escape(value) + "\"");
    }

    static ConfLine plain(String key, Object value) {
        return new ConfLine(key, ConfigProviders.escape(String.valueOf(value)));
    }

    @Override
    public String toString() {
        return key + " = " + value;
    }
}
