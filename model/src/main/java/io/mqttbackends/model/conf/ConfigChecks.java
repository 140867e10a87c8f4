package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import io.mqttbackends.model.conf.ConfigError.Category;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a parsed configuration against what this runtime can do, and as a whole. Kept apart from {@link ConfLoader}
 * because what a runtime can do depends on its build and settings, which the loader does not know.
 */
public final class ConfigChecks {

    private ConfigChecks() {
    }

    /**
     * Errors for pools whose database has no backend in this build, for hooks that subscribe clients when the broker
     * control cannot, and for a configuration without any hook (category {@link Category#NO_HOOK}: it would start,
     * consume every event and store none of them).
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
        if (cfg.hooks().isEmpty()) {
            errors.add(noHook(cfg));
        }
        return errors;
    }

    /** Names the files read and the pools left unused; located at the first pool, else at the first file. */
    private static ConfigError noHook(BackendsConfig cfg) {
        StringBuilder message = new StringBuilder("no hook configured: ");
        if (cfg.files().isEmpty()) {
            message.append("no conf file was read");
        } else {
            message.append(cfg.files().stream().map(Path::toString).collect(Collectors.joining(", ")))
                    .append(" hold no backend.<db>.hook.<hook point>.<n> line, so no event would be stored");
        }
        if (!cfg.pools().isEmpty()) {
            message.append("; pools ").append(cfg.pools().stream().map(PoolConfig::qualifiedName)
                    .collect(Collectors.joining(", "))).append(" would never be used");
        }
        ConfigLocation at = cfg.pools().isEmpty()
                ? new ConfigLocation(cfg.files().isEmpty() ? Path.of("") : cfg.files().get(0), 0, "")
                : cfg.pools().get(0).location();
        return new ConfigError(at, message.toString(), Category.NO_HOOK);
    }
}
