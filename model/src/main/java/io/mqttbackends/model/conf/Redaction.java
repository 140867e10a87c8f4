package io.mqttbackends.model.conf;

import java.util.List;
import java.util.Locale;

/**
 * Which conf values are secret, so that no message, log line, endpoint or status ever shows them: the values of keys
 * whose name says password, secret or token, and every value read through a {@link ConfigProviders} reference.
 */
public final class Redaction {

    /** What a message says in place of a value it must not show. */
    public static final String HIDDEN = "(value not shown)";

    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "secret", "token");

    private Redaction() {
    }

    /**
     * Whether a key holds a secret by its name: its last dot-separated word contains password, passwd, secret or
     * token ({@code password}, {@code api-secret}, {@code auth_token}).
     */
    public static boolean isSecretKey(String key) {
        String word = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(word::contains);
    }
}
