package io.mqttbackends.runtime.hook;

import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.broker.BrokerControl;
import io.mqttbackends.runtime.config.BackendsConfig;
import io.mqttbackends.runtime.config.ConfLoader;
import io.mqttbackends.runtime.config.ConfSnapshot;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The configuration the runtime runs: the conf directories parsed and validated, their pools open, their hooks
 * compiled into a {@link HookTable}. Loading either succeeds whole or throws a {@link ConfigException} listing every
 * error, having opened nothing that stays open.
 *
 * <p>Hot reload: each loaded configuration is a generation. An event {@linkplain #acquire() acquires} the current
 * generation when it starts and runs all its hooks against that generation's table, so a reload never splits an
 * event between two tables. {@link #reload} opens the new pools (and creates their schemas), swaps the current
 * generation in one write, and retires the old one: its pools close when the last event that acquired it finishes.
 * A rejected reload leaves the running generation alone and is reported by {@link #status()}.
 */
@ApplicationScoped
public class ActiveConfiguration {
    private static final Logger LOG = Logger.getLogger(ActiveConfiguration.class);

    private final RuntimeConfig runtimeConfig;
    private final Backends backends;
    private final BrokerControl broker;
    private final RuntimeMetrics metrics;
    private final Set<Generation> draining = ConcurrentHashMap.newKeySet();
    private volatile Generation current;
    private volatile Rejection lastRejection;

    /** A loaded configuration: its pools by qualified name, its hook table, the {@link ConfHash} of its files. */
    public record Loaded(BackendsConfig config, Map<String, BackendPool> pools, HookTable table, String hash,
            Instant loadedAt) {
    }

    /** A change that was not applied: every error as the loader formats them, the hash of the files, when. */
    public record Rejection(String error, String hash, Instant at) {
    }

    /** What runs (hash and load time; empty before the first load) and the last rejected change since then. */
    public record Status(Optional<String> hash, Optional<Instant> loadedAt, Optional<Rejection> lastRejection) {
    }

    /**
     * An event's hold on the generation it started with. Closing it (once; further closes do nothing) lets that
     * generation's pools close after a reload replaced it.
     */
    public static final class Lease implements AutoCloseable {
        private final Generation generation;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(Generation generation) {
            this.generation = generation;
        }

        /** The hook table of the acquired generation: every hook of the event comes from here. */
        public HookTable table() {
            return generation.loaded.table();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                generation.release();
            }
        }
    }

    public ActiveConfiguration(RuntimeConfig runtimeConfig, Backends backends, BrokerControl broker,
            RuntimeMetrics metrics) {
        this.runtimeConfig = runtimeConfig;
        this.backends = backends;
        this.broker = broker;
        this.metrics = metrics;
        metrics.drainingConfigurations(draining::size);
    }

    /**
     * Loads the conf directories and makes them the running configuration (at start).
     *
     * @throws ConfigException listing every problem; nothing stays open then
     */
    public synchronized Loaded load() {
        try {
            Loaded loaded = build(ConfLoader.read(confDirs()));
            install(loaded);
            return loaded;
        } catch (ConfigException e) {
            metrics.configLoad(false);
            throw e;
        }
    }

    /**
     * Applies a changed set of conf files while running: builds it, creates the schemas of its pools with
     * {@code schema.init} (retrying while their database is unreachable, with the old configuration still serving),
     * then swaps it in. An invalid set is rejected: logged at ERROR, counted, kept in {@link #status()}, and the
     * running configuration stays. Completes with whether the change was applied; never fails.
     */
    public Uni<Boolean> reload(ConfSnapshot snapshot) {
        return Uni.createFrom().item(() -> build(snapshot))
                .onItem().call(loaded -> initSchemas(loaded)
                        .onCancellation().invoke(() -> closeAll(loaded.pools().values())))
                .onItem().invoke(this::install)
                .onItem().transform(loaded -> true)
                .onFailure().recoverWithItem(failure -> {
                    reject(snapshot.hash(), failure);
                    return false;
                });
    }

    private Loaded build(ConfSnapshot snapshot) {
        BackendsConfig config = ConfLoader.load(snapshot);
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
            return new Loaded(config, Map.copyOf(pools), new HookTable(hooks), snapshot.hash(), Instant.now());
        } catch (RuntimeException e) {
            closeAll(pools.values());
            throw e;
        }
    }

    /** Makes {@code loaded} the generation new events acquire, and retires the previous one. */
    private synchronized void install(Loaded loaded) {
        Generation previous = current;
        current = new Generation(loaded);
        lastRejection = null;
        metrics.configLoad(true);
        LOG.infof("%s %d pool(s) and %d hook(s) from %s, configuration hash %s (backends in this build: %s)",
                previous == null ? "loaded" : "reloaded", loaded.pools().size(), loaded.table().size(),
                runtimeConfig.confDirs(), loaded.hash(), backends);
        if (previous != null) {
            draining.add(previous);
            previous.release();
        }
    }

    private void reject(String hash, Throwable failure) {
        String error = failure instanceof ConfigException ? failure.getMessage()
                : "cannot apply the configuration: " + failure;
        lastRejection = new Rejection(error, hash, Instant.now());
        metrics.configLoad(false);
        LOG.errorf("conf change %s rejected, still running %s:\n%s", hash,
                status().hash().orElse("nothing"), error);
    }

    /**
     * Creates the shipped schema in every pool with {@code schema.init = true}, retrying while a database is
     * unreachable so that a database that comes up after the runtime still gets its tables before any event.
     */
    public Uni<Void> initSchemas() {
        return initSchemas(running());
    }

    private Uni<Void> initSchemas(Loaded loaded) {
        RuntimeConfig.Retry retry = runtimeConfig.retry();
        return Multi.createFrom().iterable(loaded.pools().values())
                .filter(p -> p.config().boolValue("schema.init"))
                .onItem().transformToUniAndConcatenate(pool -> pool.initSchema()
                        .onFailure().invoke(f -> LOG.warnf("schema init of %s failed, retrying: %s",
                                pool.config().qualifiedName(), f.getMessage()))
                        .onFailure().retry().withBackOff(retry.initialBackoff(), retry.maxBackoff()).indefinitely()
                        .onItem().invoke(() -> LOG.infof("schema of %s ready", pool.config().qualifiedName())))
                .collect().last()
                .replaceWithVoid();
    }

    /**
     * Acquires the running generation for one event. Never returns a generation whose pools are closing: a
     * generation retired by a concurrent reload refuses new leases, and the loop takes the one that replaced it.
     */
    public Lease acquire() {
        while (true) {
            Generation generation = current;
            if (generation == null) {
                throw new IllegalStateException("no configuration loaded yet");
            }
            if (generation.tryAcquire()) {
                return new Lease(generation);
            }
        }
    }

    /** The running configuration. */
    public Loaded running() {
        Generation generation = current;
        if (generation == null) {
            throw new IllegalStateException("no configuration loaded yet");
        }
        return generation.loaded;
    }

    /** The pools of the running configuration (not those of replaced ones still draining). */
    public Collection<BackendPool> pools() {
        Generation generation = current;
        return generation == null ? List.of() : generation.loaded.pools().values();
    }

    public Status status() {
        Generation generation = current;
        return new Status(Optional.ofNullable(generation).map(g -> g.loaded.hash()),
                Optional.ofNullable(generation).map(g -> g.loaded.loadedAt()), Optional.ofNullable(lastRejection));
    }

    /** Closes every pool, of the running configuration and of replaced ones still draining (at shutdown). */
    public void close() {
        Generation generation = current;
        if (generation != null) {
            generation.closePools();
        }
        draining.forEach(Generation::closePools);
    }

    private List<Path> confDirs() {
        return runtimeConfig.confDirs().stream().map(Path::of).toList();
    }

    private static void closeAll(Collection<BackendPool> pools) {
        pools.forEach(p -> p.close().subscribe().with(ok -> { }, f -> LOG.warnf("closing %s: %s",
                p.config().qualifiedName(), f.getMessage())));
    }

    /**
     * One loaded configuration and the events holding it. The count starts at one for "is the current generation";
     * retiring releases that one, and the count can then only fall, so reaching zero happens once: every event that
     * acquired it has finished, and its pools close.
     */
    private final class Generation {
        private final Loaded loaded;
        private final AtomicInteger holds = new AtomicInteger(1);
        private final AtomicBoolean closed = new AtomicBoolean();

        Generation(Loaded loaded) {
            this.loaded = loaded;
        }

        boolean tryAcquire() {
            int n;
            do {
                n = holds.get();
                if (n == 0) {
                    return false;
                }
            } while (!holds.compareAndSet(n, n + 1));
            return true;
        }

        void release() {
            if (holds.decrementAndGet() == 0) {
                draining.remove(this);
                LOG.infof("configuration %s drained, closing its %d pool(s)", loaded.hash(), loaded.pools().size());
                closePools();
            }
        }

        void closePools() {
            if (closed.compareAndSet(false, true)) {
                closeAll(loaded.pools().values());
            }
        }
    }
}
