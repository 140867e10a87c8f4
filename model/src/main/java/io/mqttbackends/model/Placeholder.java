package io.mqttbackends.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * A {@code ${name}} placeholder of a statement template. Values are typed: strings, {@link Integer} for qos and
 * retain (1/0), {@link Long} for timestamp (epoch seconds, rounded, as EMQX 4.x bound it), {@code byte[]} for payload.
 * {@link #MESSAGE} is the Redis-only field list of EMQX 4.4's statement templates, docs/configuration.md
 * "Placeholders".
 */
public enum Placeholder {
    CLIENTID("clientid"),
    USERNAME("username"),
    PEERHOST("peerhost"),
    NODE("node"),
    TIMESTAMP("timestamp"),
    TIMESTAMP_STR("timestamp_str"),
    TOPIC("topic"),
    QOS("qos"),
    MSGID("msgid"),
    PAYLOAD("payload"),
    RETAIN("retain"),
    MESSAGE("message");

    private final String token;

    Placeholder(String token) {
        this.token = token;
    }

    /** The name between {@code ${} and {@code }}. */
    public String token() {
        return token;
    }

    public static Optional<Placeholder> fromToken(String token) {
        return Arrays.stream(values()).filter(p -> p.token.equals(token)).findFirst();
    }
}
