package io.mqttbackends.operator.render;

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
}
