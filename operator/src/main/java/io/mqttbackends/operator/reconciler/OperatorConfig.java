package io.mqttbackends.operator.reconciler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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

    default String runtimeUrl(String namespace) {
        return runtimeUrl().replace("{namespace}", namespace);
    }
}
