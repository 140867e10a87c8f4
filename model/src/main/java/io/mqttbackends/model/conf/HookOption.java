package io.mqttbackends.model.conf;

import java.util.Optional;

/**
 * The options a hook line may carry besides topic, action and pool; which databases accept each is part of their
 * {@link DatabaseProfile}.
 */
public enum HookOption {
    /** Row limit and look-back window of offline-message fetching (spec §1.1). */
    OFFLINE_OPTS("offline_opts", Optional.of("on_message_fetch")),
    /** TTL of the keys Redis message hooks store. */
    EXPIRED_TIME("expired_time", Optional.empty()),
    /** How MongoDB hooks write payloads. */
    PAYLOAD_FORMAT("payload_format", Optional.empty());

    private final String key;
    private final Optional<String> onlyFunction;

    HookOption(String key, Optional<String> onlyFunction) {
        this.key = key;
        this.onlyFunction = onlyFunction;
    }

    /** The key in the hook's JSON. */
    public String key() {
        return key;
    }

    /** The one function the option means something to, where it is limited to one. */
    public Optional<String> onlyFunction() {
        return onlyFunction;
    }
}
