package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.PoolConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Pool configurations as the configuration loader hands them to a backend, for backend tests. */
public final class TestPools {
    private TestPools() {
    }

    /**
     * Pool {@code pool1} of {@code kind} with the database's defaults, every key of {@code settings},
     * {@code schema.init} off, and {@code overrides} on top; each override is located at line 7 of {@code <kind>.conf}, the pool at
     * line 1 under its {@code server} key.
     */
    public static PoolConfig pool1(DatabaseKind kind, Map<String, String> settings, Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>();
        DatabaseProfile.of(kind).poolKeys().values().forEach(key -> all.put(key.name(), key.defaultValue()));
        all.putAll(settings);
        all.put("schema.init", "false");
        all.putAll(overrides);
        Path file = Path.of(kind.poolPrefix() + ".conf");
        String prefix = "backend." + kind.poolPrefix() + ".pool1.";
        Map<String, ConfigLocation> locations = new HashMap<>();
        overrides.keySet().forEach(k -> locations.put(k, new ConfigLocation(file, 7, prefix + k)));
        return new PoolConfig(kind, "pool1", all, locations, new ConfigLocation(file, 1, prefix + "server"));
    }
}
