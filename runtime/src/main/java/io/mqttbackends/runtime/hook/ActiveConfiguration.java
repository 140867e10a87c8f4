package io.mqttbackends.runtime.hook;

import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.broker.BrokerControl;
import io.mqttbackends.runtime.config.BackendsConfig;
import io.mqttbackends.runtime.config.ConfLoader;
import io.mqttbackends.runtime.config.ConfigChecks;
import io.mqttbackends.runtime.config.ConfigError;
import io.mqttbackends.runtime.config.ConfigException;
import io.mqttbackends.runtime.config.HookConfig;
import io.mqttbackends.runtime.config.PoolConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The configuration the runtime runs: the conf directory parsed and validated, its pools open, its hooks compiled
 * into a {@link HookTable}. Loading either succeeds whole or throws a {@link ConfigException} listing every error,
 * having opened nothing that stays open.
 */
@ApplicationScoped
public class ActiveConfiguration {
    private static final Logger LOG = Logger.getLogger(ActiveConfiguration.class);

    private final RuntimeConfig runtimeConfig;
    private final Backends backends;
    private final BrokerControl broker;
    private final RuntimeMetrics metrics;
    private volatile Loaded current;

    /** A loaded configuration: its pools by qualified name and its hook table. */
    public record Loaded(BackendsConfig config, Map<String, BackendPool> pools, HookTable table) {
    }

    public ActiveConfiguration(RuntimeConfig runtimeConfig, Backends backends, BrokerControl broker,
            RuntimeMetrics metrics) {
        this.runtimeConfig = runtimeConfig;
        this.backends = backends;
        this.broker = broker;
        this.metrics = metrics;
    }

    /**
     * Loads the conf directories and makes them the running configuration.
     *
     * @throws ConfigException listing every problem; nothing stays open then
     */
    public synchronized Loaded load() {
        try {
            Loaded loaded = build(ConfLoader.load(runtimeConfig.confDirs().stream().map(Path::of).toList()));
            current = loaded;
            metrics.configLoad(true);
            LOG.infof("loaded %d pool(s) and %d hook(s) from %s (backends in this build: %s)",
                    loaded.pools().size(), loaded.table().size(), runtimeConfig.confDirs(), backends);
            return loaded;
        } catch (ConfigException e) {
            metrics.configLoad(false);
            throw e;
        }
    }

    private Loaded build(BackendsConfig config) {
        List<ConfigError> errors = new ArrayList<>(
                ConfigChecks.againstRuntime(config, backends.available(), broker.canSubscribeClients()));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        Map<String, BackendPool> pools = new LinkedHashMap<>();
        try {
            for (PoolConfig pc : config.pools()) {
                Backend backend = backends.forKind(pc.kind()).orElseThrow();
                pools.put(pc.qualifiedName(), backend.open(pc));
            }
            List<BoundHook> hooks = new ArrayList<>();
            for (HookConfig hc : config.hooks()) {
                BackendPool pool = pools.get(config.pool(hc.kind(), hc.pool()).orElseThrow().qualifiedName());
                try {
                    hooks.add(new BoundHook(hc, pool, pool.prepare(hc), FunctionGuards.forAction(hc.kind(), hc.action())));
                } catch (ConfigException e) {
                    errors.addAll(e.errors());
                }
            }
            if (!errors.isEmpty()) {
                throw new ConfigException(errors);
            }
            return new Loaded(config, Map.copyOf(pools), new HookTable(hooks));
        } catch (RuntimeException e) {
            closeAll(pools.values());
            throw e;
        }
    }

    /**
     * Creates the shipped schema in every pool with {@code schema.init = true}, retrying while a database is
     * unreachable so that a database that comes up after the runtime still gets its tables before any event.
     */
    public Uni<Void> initSchemas() {
        RuntimeConfig.Retry retry = runtimeConfig.retry();
        return Multi.createFrom().iterable(running().pools().values())
                .filter(p -> p.config().boolValue("schema.init"))
                .onItem().transformToUniAndConcatenate(pool -> pool.initSchema()
                        .onFailure().invoke(f -> LOG.warnf("schema init of %s failed, retrying: %s",
                                pool.config().qualifiedName(), f.getMessage()))
                        .onFailure().retry().withBackOff(retry.initialBackoff(), retry.maxBackoff()).indefinitely()
                        .onItem().invoke(() -> LOG.infof("schema of %s ready", pool.config().qualifiedName())))
                .collect().last()
                .replaceWithVoid();
    }

    /** The running configuration. */
    public Loaded running() {
        Loaded loaded = current;
        if (loaded == null) {
            throw new IllegalStateException("no configuration loaded yet");
        }
        return loaded;
    }

    public Collection<BackendPool> pools() {
        Loaded loaded = current;
        return loaded == null ? List.of() : loaded.pools().values();
    }

    /** Closes every pool of the running configuration (at shutdown). */
    public void close() {
        Loaded loaded = current;
        if (loaded != null) {
            closeAll(loaded.pools().values());
        }
    }

    private static void closeAll(Collection<BackendPool> pools) {
        pools.forEach(p -> p.close().subscribe().with(ok -> { }, f -> LOG.warnf("closing %s: %s",
                p.config().qualifiedName(), f.getMessage())));
    }
}
