package io.mqttbackends.runtime.hook;

import io.mqttbackends.runtime.action.ActionRunner;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.action.BrokerControl;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfSnapshot;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
 * event between two tables. {@link #reload} opens the pools that are new or whose settings changed (and creates
 * their schemas), keeps the unchanged ones, swaps the current generation in one write, and retires the old one: a
 * pool closes when the last event of the last generation using it finishes. Keeping an unchanged pool keeps its
 * action queue, so events of one key stay in order on it across the reload.
 * A rejected reload leaves the running generation alone and is reported by {@link #status()}.
 */
@ApplicationScoped
public class ActiveConfiguration {
    private static final Logger LOG = Logger.getLogger(ActiveConfiguration.class);

    private final RuntimeConfig runtimeConfig;
    private final Backends backends;
    private final ConfigurationBuilder builder;
    private final RuntimeMetrics metrics;
    private final ActionRunner runner;
    private final Set<Generation> draining = ConcurrentHashMap.newKeySet();
    /** How many generations use each open pool; guarded by itself. */
    private final Map<BackendPool<?>, Integer> poolUsers = new HashMap<>();
    private volatile Generation current;
    private volatile Rejection lastRejection;

    /**
     * A loaded configuration: its pools by qualified name, its hook table, the {@link ConfHash} of its files and
     * the {@link ConfSnapshot#version()} that also covers the values its references resolved to.
     */
    public record Loaded(BackendsConfig config, Map<String, BackendPool<?>> pools, HookTable table, String hash,
            String version, Instant loadedAt) {
    }

    /** A change that was not applied: every error as the loader formats them, the hash and version read, when. */
    public record Rejection(String error, String hash, String version, Instant at) {
    }

    /**
     * What runs (hash, version and load time; empty before the first load) and the last rejected change since then.
     */
    public record Status(Optional<String> hash, Optional<String> version, Optional<Instant> loadedAt,
            Optional<Rejection> lastRejection) {
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
            RuntimeMetrics metrics, ActionRunner runner) {
        this.runtimeConfig = runtimeConfig;
        this.backends = backends;
        this.builder = new ConfigurationBuilder(runtimeConfig, backends, broker, runner);
        this.metrics = metrics;
        this.runner = runner;
        metrics.drainingConfigurations(draining::size);
    }

    /**
     * Loads the conf directories and makes them the running configuration (at start).
     *
     * @throws ConfigException listing every problem; nothing stays open then
     */
    public synchronized Loaded load() {
        try {
            ConfigurationBuilder.Candidate candidate = builder.build(ConfLoader.read(confDirs()), runningPools());
            install(candidate.loaded());
            return candidate.loaded();
        } catch (ConfigException e) {
            metrics.configLoad(false);
            throw e;
        }
    }

    /**
     * Applies a changed set of conf files while running: builds it, creates the schemas of its new pools with
     * {@code schema.init} (a bounded number of attempts, with the old configuration still serving: a pool that
     * cannot initialise rejects the change, so that a later fix is not stuck behind it), then swaps it in. An invalid set is rejected: logged at ERROR, counted, kept in {@link #status()}, and the
     * running configuration stays. Completes with whether the change was applied; never fails.
     */
    public Uni<Boolean> reload(ConfSnapshot snapshot) {
        return Uni.createFrom().item(() -> builder.build(snapshot, runningPools()))
                .onItem().call(candidate -> builder.initSchemas(candidate.opened(), false)
                        .onFailure().invoke(() -> closeAll(candidate.opened()))
                        .onCancellation().invoke(() -> closeAll(candidate.opened())))
                .onItem().invoke(candidate -> install(candidate.loaded()))
                .onItem().transform(candidate -> true)
                .onFailure().recoverWithItem(failure -> {
                    reject(snapshot, failure);
                    return false;
                });
    }

    /** Makes {@code loaded} the generation new events acquire, and retires the previous one. */
    private synchronized void install(Loaded loaded) {
        Generation previous = current;
        synchronized (poolUsers) {
            loaded.pools().values().forEach(pool -> poolUsers.merge(pool, 1, Integer::sum));
        }
        current = new Generation(loaded);
        lastRejection = null;
        metrics.configLoad(true);
        LOG.infof("%s %d pool(s) and %d hook(s) from %s, configuration hash %s (backends in this build: %s)",
                previous == null ? "loaded" : "reloaded", loaded.pools().size(), loaded.table().size(),
                runtimeConfig.confDirs(), loaded.hash(), backends);
        if (previous != null) {
            retireReplacedPools(previous.loaded, loaded);
            draining.add(previous);
            previous.release();
        }
    }

    /**
     * The pools of {@code previous} that {@code next} no longer uses hand their actions that wait on an
     * unavailable database to the same hook of {@code next}: events waiting for a wrong password must not wait for
     * the old pool for ever once a reload fixed it.
     */
    private void retireReplacedPools(Loaded previous, Loaded next) {
        Set<BackendPool<?>> kept = Set.copyOf(next.pools().values());
        previous.pools().values().stream().filter(pool -> !kept.contains(pool)).forEach(pool ->
                runner.retire(pool, hook -> next.table().find(hook).map(ActiveConfiguration::successor)));
    }

    private static <W> ActionRunner.Successor<W> successor(BoundHook<W> hook) {
        return new ActionRunner.Successor<>(hook.pool(), hook.action());
    }

    private void reject(ConfSnapshot snapshot, Throwable failure) {
        String error = failure instanceof ConfigException ? failure.getMessage()
                : "cannot apply the configuration: " + failure.getMessage();
        lastRejection = new Rejection(error, snapshot.hash(), snapshot.version(), Instant.now());
        metrics.configLoad(false);
        if (status().hash().filter(snapshot.hash()::equals).isPresent()) {
            LOG.errorf("change of the values referenced by the conf files (hash %s unchanged) rejected, still "
                    + "running the values read before:\n%s", snapshot.hash(), error);
        } else {
            LOG.errorf("conf change %s rejected, still running %s:\n%s", snapshot.hash(),
                    status().hash().orElse("nothing"), error);
        }
    }

    /**
     * Creates the shipped schema in every pool with {@code schema.init = true}, retrying while a database is
     * unreachable so that a database that comes up after the runtime still gets its tables before any event.
     */
    public Uni<Void> initSchemas() {
        return builder.initSchemas(running().pools().values(), true);
    }

    /** The pools of the running configuration by qualified name, which a new one keeps where unchanged. */
    private Map<String, BackendPool<?>> runningPools() {
        Generation running = current;
        return running == null ? Map.of() : running.loaded.pools();
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
    public Collection<BackendPool<?>> pools() {
        Generation generation = current;
        return generation == null ? List.of() : generation.loaded.pools().values();
    }

    public Status status() {
        Generation generation = current;
        return new Status(Optional.ofNullable(generation).map(g -> g.loaded.hash()),
                Optional.ofNullable(generation).map(g -> g.loaded.version()),
                Optional.ofNullable(generation).map(g -> g.loaded.loadedAt()), Optional.ofNullable(lastRejection));
    }

    /** Closes every pool, of the running configuration and of replaced ones still draining (at shutdown). */
    public void close() {
        List<BackendPool<?>> open;
        synchronized (poolUsers) {
            open = List.copyOf(poolUsers.keySet());
            poolUsers.clear();
        }
        closeAll(open);
    }

    /** A generation using these pools drained: closes those no other generation uses. */
    private void releasePools(Collection<BackendPool<?>> pools) {
        List<BackendPool<?>> unused = new ArrayList<>();
        synchronized (poolUsers) {
            for (BackendPool<?> pool : pools) {
                Integer users = poolUsers.get(pool);
                // Absent after close(): shutdown closed it already.
                if (users != null && users == 1) {
                    poolUsers.remove(pool);
                    unused.add(pool);
                } else if (users != null) {
                    poolUsers.put(pool, users - 1);
                }
            }
        }
        // No event holds a generation using them any more, so nothing submits to their batchers again.
        unused.forEach(pool -> {
            LOG.infof("closing pool %s: no running or draining configuration uses it", pool.config().qualifiedName());
            runner.release(pool);
        });
        closeAll(unused);
    }

    private List<Path> confDirs() {
        return runtimeConfig.confDirs().stream().map(Path::of).toList();
    }

    static void closeAll(Collection<BackendPool<?>> pools) {
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
                LOG.infof("configuration %s drained", loaded.hash());
                releasePools(loaded.pools().values());
            }
        }
    }
}
