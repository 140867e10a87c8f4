package io.mqttbackends.runtime.cli;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigChecks;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.OfflineCheck;
import io.mqttbackends.runtime.backend.PoolTls;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the service checks when it loads conf directories, without opening a pool: the loader
 * ({@link ConfLoader}), the checks against this runtime ({@link ConfigChecks#againstRuntime}), and what pools check
 * as they open and prepare their hooks: the TLS files ({@link PoolTls}, read exactly as a pool reads them) and each
 * database's {@link OfflineCheck}. The loader stops nothing: it reports every error of every file. The later checks
 * need a loaded configuration, so they run only when the loader found none.
 */
final class ConfCheck {
    /** The databases this build has a backend for, as the model's profiles record it. */
    private static final Set<DatabaseKind> BACKENDS = DatabaseProfile.availableKinds();

    /** The configuration when it is valid; otherwise every error found. */
    record Result(Optional<BackendsConfig> config, List<ConfigError> errors) {
    }

    private ConfCheck() {
    }

    static Result run(List<Path> dirs, boolean brokerCanSubscribeClients) {
        BackendsConfig config;
        try {
            config = ConfLoader.load(dirs);
        } catch (ConfigException e) {
            return new Result(Optional.empty(), e.errors());
        }
        List<ConfigError> errors = new ArrayList<>(ConfigChecks.againstRuntime(config, BACKENDS,
                brokerCanSubscribeClients));
        tls(config, errors);
        List<OfflineCheck> checks = OfflineCheck.all();
        for (PoolConfig pool : config.pools()) {
            List<HookConfig> hooks = config.hooks().stream()
                    .filter(h -> h.kind() == pool.kind() && h.pool().equals(pool.name())).toList();
            checks.stream().filter(c -> c.kind() == pool.kind()).forEach(c -> errors.addAll(c.check(pool, hooks)));
        }
        return new Result(errors.isEmpty() ? Optional.of(config) : Optional.empty(), errors);
    }

    /**
     * The CA, certificate and key files of every TLS pool, parsed as the pool would parse them. Vert.x (not Quarkus)
     * reads them; it connects to nothing.
     */
    private static void tls(BackendsConfig config, List<ConfigError> errors) {
        List<PoolConfig> tlsPools = config.pools().stream().filter(p -> p.boolValue("ssl")).toList();
        if (tlsPools.isEmpty()) {
            return;
        }
        Vertx vertx = Vertx.vertx();
        try {
            for (PoolConfig pool : tlsPools) {
                try {
                    PoolTls.context(pool, vertx, PoolTls.verifies(pool));
                } catch (ConfigException e) {
                    errors.addAll(e.errors());
                }
            }
        } finally {
            vertx.close();
        }
    }
}
