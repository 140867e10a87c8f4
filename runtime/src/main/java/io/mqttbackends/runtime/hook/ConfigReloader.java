package io.mqttbackends.runtime.hook;

import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfSnapshot;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Watches the conf directories and hands settled changes to {@link ActiveConfiguration#reload}.
 *
 * <p>It polls: every {@code mqttbackends.reload.interval} it reads the conf files, resolves the references of their
 * pool values ({@code ${env:...}}, {@code ${file:...}}, {@code ${dir:...}}) and computes the snapshot's
 * {@linkplain ConfSnapshot#version() version}, which covers both: a changed password file behind a reference reloads
 * as a changed conf file does, though the reported hash (of the conf files only) stays the same. Polling
 * (rather than a file-system watch) sees every way a file can change, including a Kubernetes volume update, which
 * swaps a {@code ..data} symbolic link and touches none of the files the runtime reads, and an editor's write to a
 * temporary file renamed over the original. A new version is applied only when the next poll reads the same one
 * again, so a set of files being written one by one is not loaded half-way. A version already running or already
 * rejected is not applied again, so a rejected change is reported once.
 */
@ApplicationScoped
public class ConfigReloader {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class);
    /** After the event pipeline (ingest) loaded the configuration at start. */
    private static final int AFTER_FIRST_LOAD = Interceptor.Priority.APPLICATION + 600;
    /** Before the event pipeline (ingest) closes the pools at shutdown, so no reload opens new ones after that. */
    private static final int BEFORE_CLOSE = Interceptor.Priority.APPLICATION + 400;

    private final RuntimeConfig config;
    private final ActiveConfiguration configuration;
    private final Event<ConfigurationApplied> applied;
    private final List<Path> dirs;
    /** A version read on the last poll and not yet applied; touched only by the sequential poll pipeline. */
    private String candidate;
    private volatile Cancellable polling;

    public ConfigReloader(RuntimeConfig config, ActiveConfiguration configuration, Event<ConfigurationApplied> applied) {
        this.config = config;
        this.configuration = configuration;
        this.applied = applied;
        this.dirs = config.confDirs().stream().map(Path::of).toList();
    }

    void onStart(@Observes @Priority(AFTER_FIRST_LOAD) StartupEvent ev) {
        RuntimeConfig.Reload reload = config.reload();
        if (!reload.enabled()) {
            LOG.info("hot reload of the conf directories is off (mqttbackends.reload.enabled=false)");
            return;
        }
        polling = Multi.createFrom().ticks().every(reload.interval())
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> poll())
                .subscribe().with(done -> { }, failure -> LOG.error("conf reload stopped", failure));
    }

    void onStop(@Observes @Priority(BEFORE_CLOSE) ShutdownEvent ev) {
        Cancellable p = polling;
        if (p != null) {
            p.cancel();
        }
    }

    /** Reads the conf directories once and applies them if they changed and settled; never fails. */
    Uni<Void> poll() {
        return Uni.createFrom().item(() -> ConfLoader.read(dirs))
                .onItem().transformToUni(snapshot -> settled(snapshot.version())
                        ? apply(snapshot)
                        : Uni.createFrom().voidItem())
                .onFailure().invoke(failure -> LOG.error("reading the conf directories failed", failure))
                .onFailure().recoverWithNull();
    }

    private Uni<Void> apply(ConfSnapshot snapshot) {
        String hash = snapshot.hash();
        if (configuration.status().hash().filter(hash::equals).isPresent()) {
            LOG.infof("values referenced by the conf files changed (hash %s unchanged), reloading", hash);
        } else {
            LOG.infof("conf directories changed (hash %s), reloading", hash);
        }
        return configuration.reload(snapshot)
                .onItem().invoke(ok -> {
                    if (ok) {
                        applied.fire(new ConfigurationApplied(hash));
                    }
                })
                .replaceWithVoid();
    }

    /** Whether {@code version} is new (neither running nor rejected) and was also read on the previous poll. */
    private boolean settled(String version) {
        ActiveConfiguration.Status status = configuration.status();
        boolean known = status.version().isEmpty() || status.version().get().equals(version)
                || status.lastRejection().map(r -> r.version().equals(version)).orElse(false);
        String previous = candidate;
        candidate = known ? null : version;
        return !known && version.equals(previous);
    }
}
