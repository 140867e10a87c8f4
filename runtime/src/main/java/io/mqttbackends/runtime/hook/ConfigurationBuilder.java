package io.mqttbackends.runtime.hook;

import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfSnapshot;
import io.mqttbackends.model.conf.ConfigChecks;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.action.ActionRunner;
import io.mqttbackends.runtime.action.BrokerControl;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Turns conf files into a configuration ready to run: parsed and checked against this runtime, its pools open, its
 * hooks compiled, and the shipped schemas created. {@link ActiveConfiguration} decides when it runs and when the
 * pools it replaced close.
 */
final class ConfigurationBuilder {
    private static final Logger LOG = Logger.getLogger(ConfigurationBuilder.class);

    private final RuntimeConfig runtimeConfig;
    private final Backends backends;
    private final BrokerControl broker;
    private final ActionRunner runner;

    /** A built configuration before it runs, and the pools opened for it (the others are kept from the running one). */
    record Candidate(ActiveConfiguration.Loaded loaded, List<BackendPool<?>> opened) {
    }

    ConfigurationBuilder(RuntimeConfig runtimeConfig, Backends backends, BrokerControl broker, ActionRunner runner) {
        this.runtimeConfig = runtimeConfig;
        this.backends = backends;
        this.broker = broker;
        this.runner = runner;
    }

    /**
     * Parses, validates and opens a configuration: the pools that are new or whose settings changed open, unchanged
     * ones are taken from {@code running}, every hook compiles against its pool.
     *
     * @throws ConfigException listing every problem; the pools it opened are closed again then
     */
    Candidate build(ConfSnapshot snapshot, Map<String, BackendPool<?>> running) {
        BackendsConfig config = ConfLoader.load(snapshot);
        List<ConfigError> errors = new ArrayList<>(
                ConfigChecks.againstRuntime(config, backends.available(), broker.canSubscribeClients()));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        Map<String, BackendPool<?>> kept = running;
        Map<String, BackendPool<?>> pools = new LinkedHashMap<>();
        List<BackendPool<?>> opened = new ArrayList<>();
        try {
            for (PoolConfig pc : config.pools()) {
                BackendPool<?> same = kept.get(pc.qualifiedName());
                // Any changed setting (server, password, size, ...) opens a new pool; where a key is written does not.
                if (same != null && same.config().settings().equals(pc.settings())) {
                    pools.put(pc.qualifiedName(), same);
                } else {
                    BackendPool<?> pool = backends.forKind(pc.kind()).orElseThrow().open(pc, runner.poolContext());
                    opened.add(pool);
                    pools.put(pc.qualifiedName(), pool);
                }
            }
            List<BoundHook<?>> hooks = new ArrayList<>();
            for (HookConfig hc : config.hooks()) {
                BackendPool<?> pool = pools.get(config.pool(hc.kind(), hc.pool()).orElseThrow().qualifiedName());
                try {
                    hooks.add(BoundHook.bind(hc, pool, FunctionGuards.forAction(hc.kind(), hc.action())));
                } catch (ConfigException e) {
                    errors.addAll(e.errors());
                }
            }
            if (!errors.isEmpty()) {
                throw new ConfigException(errors);
            }
            return new Candidate(new ActiveConfiguration.Loaded(config, Map.copyOf(pools), new HookTable(hooks), snapshot.hash(),
                    snapshot.version(), Instant.now()), opened);
        } catch (RuntimeException e) {
            ActiveConfiguration.closeAll(opened);
            throw e;
        }
    }

    /**
     * Creates the schemas one pool after another, each call within the pool's {@code call_timeout}; at start it
     * retries until the database answers, on a reload {@code max-attempts} times and then fails naming the pool.
     */
    Uni<Void> initSchemas(Collection<BackendPool<?>> pools, boolean untilReady) {
        RuntimeConfig.Retry retry = runtimeConfig.retry();
        int attempts = Math.max(1, retry.maxAttempts());
        return Multi.createFrom().iterable(pools)
                .filter(p -> p.config().boolValue("schema.init"))
                .onItem().transformToUniAndConcatenate(pool -> {
                    String name = pool.config().qualifiedName();
                    Uni<Void> once = Uni.createFrom().deferred(pool::initSchema)
                            .ifNoItem().after(pool.traits().callTimeout()).failWith(() -> new IllegalStateException(
                                    "no answer within call_timeout " + pool.traits().callTimeout().toMillis() + " ms"))
                            .onFailure().invoke(f -> LOG.warnf("schema init of %s failed%s: %s", name,
                                    untilReady ? ", retrying" : "", f.getMessage()));
                    Uni<Void> retried = untilReady
                            ? once.onFailure().retry().withBackOff(retry.initialBackoff(), retry.maxBackoff())
                                    .indefinitely()
                            : once.onFailure().retry().withBackOff(retry.initialBackoff(), retry.maxBackoff())
                                    .atMost(attempts - 1)
                                    .onFailure().transform(f -> new IllegalStateException("pool " + name
                                            + " (" + pool.config().location() + "): schema initialisation failed "
                                            + attempts + " times: " + f.getMessage(), f));
                    return retried.onItem().invoke(() -> LOG.infof("schema of %s ready", name));
                })
                .collect().last()
                .replaceWithVoid();
    }
}
