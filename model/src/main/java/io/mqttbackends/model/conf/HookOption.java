package io.mqttbackends.model.conf;

import java.util.Set;

/**
 * The options a hook line may carry besides topic, action and pool; which databases accept each is part of their
 * {@link DatabaseProfile}.
 */
public enum HookOption {
    /** Row limit and look-back window of offline-message fetching (EMQX 4.4's conf grammar, docs/configuration.md). */
    OFFLINE_OPTS("offline_opts", Set.of("on_message_fetch")),
    /** TTL of the keys Redis message hooks store. */
    EXPIRED_TIME("expired_time", Set.of()),
    /** How MongoDB hooks write payloads: only the functions that write one. */
    PAYLOAD_FORMAT("payload_format", Set.of("on_message_publish", "on_message_store", "on_message_retain"));

    private final String key;
    private final Set<String> functions;

    HookOption(String key, Set<String> functions) {
        this.key = key;
        this.functions = functions;
    }

    /** The key in the hook's JSON. */
    public String key() {
        return key;
    }

    /** The functions the option means something to; empty where it is not limited to some. */
    public Set<String> functions() {
        return functions;
    }
}
