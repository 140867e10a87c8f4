package io.mqttbackends.operator.reconciler;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The operator's own settings. */
@ConfigMapping(prefix = "mqttbackends.operator")
public interface OperatorConfig {

    /**
     * Base URL of the runtime whose configuration hash decides {@code Applied}; {@code {namespace}} is replaced by
     * the namespace of the resources.
     */
    @WithDefault("http://mqttbackends-runtime.{namespace}.svc:8080")
    String runtimeUrl();

    /** Timeout of one call to the runtime. */
    @WithDefault("PT2S")
    Duration runtimeTimeout();

    /** How soon to look again while the runtime has not loaded the rendered configuration. */
    @WithDefault("PT3S")
    Duration pendingRecheck();

    /** How soon to look again after the runtime rejected it (a runtime restart may change that). */
    @WithDefault("PT30S")
    Duration failedRecheck();

    /** The ConfigMap holding {@code backends.conf}. */
    @WithDefault("mqttbackends-conf")
    String configMapName();

    /** The Secret holding {@code credentials.conf}. */
    @WithDefault("mqttbackends-credentials")
    String secretName();

    /**
     * The databases (BackendPool {@code spec.type} values) the runtime has a backend for, when it is another build
     * than the operator's: pools of the others are refused as {@code BackendNotAvailable} instead of failing the
     * runtime's reload of the whole namespace. Unset: every database of the operator's own build.
     */
    Optional<Set<PoolType>> runtimeBackends();

    default String runtimeUrl(String namespace) {
        return runtimeUrl().replace("{namespace}", namespace);
    }

    /** The database kinds {@link #runtimeBackends()} names, or this build's. */
    default Set<DatabaseKind> availableBackends() {
        return runtimeBackends().map(types -> types.stream().map(PoolType::kind).collect(Collectors.toSet()))
                .orElseGet(DatabaseProfile::availableKinds);
    }
}
