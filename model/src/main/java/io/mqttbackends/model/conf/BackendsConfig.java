package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import java.util.List;
import java.util.Optional;

/** Every pool and hook of the conf directory, merged and validated. Hooks are in run order. */
public record BackendsConfig(List<PoolConfig> pools, List<HookConfig> hooks) {
    public BackendsConfig {
        pools = List.copyOf(pools);
        hooks = List.copyOf(hooks);
    }

    public Optional<PoolConfig> pool(DatabaseKind kind, String name) {
        return pools.stream().filter(p -> p.kind() == kind && p.name().equals(name)).findFirst();
    }
}
