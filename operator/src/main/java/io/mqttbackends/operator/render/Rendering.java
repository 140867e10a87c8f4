package io.mqttbackends.operator.render;

import io.mqttbackends.model.conf.ConfHash;
import java.util.List;
import java.util.Map;

/**
 * Everything one namespace renders to: the two files the runtime mounts, their configuration hash, and the verdict
 * of every BackendPool and BackendHook by name.
 */
public record Rendering(String backendsConf, String credentialsConf, String hash, Map<String, Verdict> pools,
        Map<String, Verdict> hooks) {

    /** The ConfigMap's key and the runtime file name of the pool and hook lines. */
    public static final String BACKENDS_FILE = "backends.conf";
    /** The Secret's key and the runtime file name of the credential lines. */
    public static final String CREDENTIALS_FILE = "credentials.conf";

    /**
     * The configuration hash the runtime reports once it runs these two files: the model's {@link ConfHash}, the one
     * contract both sides share.
     */
    public static String hash(String backendsConf, String credentialsConf) {
        return ConfHash.of(List.of(ConfHash.Input.utf8(BACKENDS_FILE, backendsConf),
                ConfHash.Input.utf8(CREDENTIALS_FILE, credentialsConf)));
    }
}
