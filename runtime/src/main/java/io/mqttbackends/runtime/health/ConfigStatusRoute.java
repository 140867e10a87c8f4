package io.mqttbackends.runtime.health;

import io.mqttbackends.runtime.hook.ActiveConfiguration;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import org.eclipse.microprofile.health.Readiness;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code GET /q/mqttbackends/config}: the {@link io.mqttbackends.model.conf.ConfHash} of the configuration the
 * runtime runs and the last rejected change, which the operator compares with what it rendered to set
 * {@code Applied}, and each running pool's last health ping ({@code pools}: {@code up}, and {@code error} when it
 * did not answer), so that a pool pointed at a dead server says so. Answered on the event loop from memory: no I/O.
 */
@ApplicationScoped
public class ConfigStatusRoute {
    static final String PATH = "/q/mqttbackends/config";

    private final ActiveConfiguration configuration;
    private final ReadinessCheck readiness;

    public ConfigStatusRoute(ActiveConfiguration configuration, @Readiness ReadinessCheck readiness) {
        this.configuration = configuration;
        this.readiness = readiness;
    }

    void register(@Observes Router router) {
        router.get(PATH).handler(ctx -> ctx.response()
                .putHeader("content-type", "application/json")
                .end(json(configuration.status()).put("pools", pools(readiness.lastPing())).encode()));
    }

    static JsonObject pools(Map<String, Optional<String>> lastPing) {
        JsonObject pools = new JsonObject();
        new TreeMap<>(lastPing).forEach((pool, error) -> pools.put(pool, new JsonObject().put("up", error.isEmpty())
                .put("error", error.orElse(null))));
        return pools;
    }

    /**
     * The endpoint's body without its pools. {@code lastError} is the loader's message as it is, which names files,
     * lines, keys and references and never a secret value or a line that does not parse
     * ({@link io.mqttbackends.model.conf.Redaction}).
     */
    public static JsonObject json(ActiveConfiguration.Status status) {
        var rejection = status.lastRejection();
        return new JsonObject()
                .put("hash", status.hash().orElse(null))
                .put("loadedAt", status.loadedAt().map(Instant::toString).orElse(null))
                .put("lastError", rejection.map(ActiveConfiguration.Rejection::error).orElse(null))
                .put("lastErrorHash", rejection.map(ActiveConfiguration.Rejection::hash).orElse(null))
                .put("lastErrorAt", rejection.map(r -> r.at().toString()).orElse(null));
    }
}
