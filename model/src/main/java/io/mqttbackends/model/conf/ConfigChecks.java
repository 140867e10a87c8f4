package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import io.mqttbackends.model.conf.ConfigError.Category;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a parsed configuration against what this runtime can do. Kept apart from {@link ConfLoader} because the
 * operator validates conf without knowing which backends or broker control the runtime will have.
 */
public final class ConfigChecks {

    private ConfigChecks() {
    }

    /**
     * Errors for pools whose database has no backend in this build, and for hooks that subscribe clients when the
     * broker control cannot.
     *
     * @param availableBackends         the database kinds this build has a backend for
     * @param brokerCanSubscribeClients whether the broker control can subscribe a client from outside
     */
    public static List<ConfigError> againstRuntime(BackendsConfig cfg, Set<DatabaseKind> availableBackends,
            boolean brokerCanSubscribeClients) {
        List<ConfigError> errors = new ArrayList<>();
        String available = availableBackends.stream().map(DatabaseKind::toString).sorted()
                .collect(Collectors.joining(", "));
        for (PoolConfig pool : cfg.pools()) {
            if (!availableBackends.contains(pool.kind())) {
                errors.add(new ConfigError(pool.location(), "no backend for database '" + pool.kind()
                        + "' in this build (available: " + (available.isEmpty() ? "none" : available) + ")",
                        Category.BACKEND_NOT_AVAILABLE));
            }
        }
        if (!brokerCanSubscribeClients) {
            for (HookConfig hook : cfg.hooks()) {
                if (hook.action() instanceof ActionSpec.Function f && FunctionCatalog.subscribesClients(f.name())) {
                    errors.add(new ConfigError(hook.location(), "function '" + f.name()
                            + "' subscribes the connecting client, but broker control 'mqtt' cannot subscribe a "
                            + "client from outside; set mqttbackends.broker-control.type=emqx",
                            Category.BROKER_CONTROL));
                }
            }
        }
        return errors;
    }
}
