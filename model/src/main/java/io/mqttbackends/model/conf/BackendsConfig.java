package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every pool and hook of the conf directory, merged and validated. Hooks are in run order.
 *
 * @param files the conf files they came from, in load order, so that checks of the whole configuration can say where
 */
public record BackendsConfig(List<PoolConfig> pools, List<HookConfig> hooks, List<Path> files) {
    public BackendsConfig {
        pools = List.copyOf(pools);
        hooks = List.copyOf(hooks);
        files = List.copyOf(files);
    }

    public Optional<PoolConfig> pool(DatabaseKind kind, String name) {
        return pools.stream().filter(p -> p.kind() == kind && p.name().equals(name)).findFirst();
    }
}
