package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The checks a backend makes when it {@linkplain Backend#open opens} a pool and {@linkplain BackendPool#prepare
 * prepares} its hooks beyond the loader's and the TLS files' ({@link PoolTls}), made without building a client: for the
 * {@code check} command, which runs without CDI and connects to nothing. Implementations are found with
 * {@link ServiceLoader} ({@code META-INF/services}); a database without one has no such check. Each implementation
 * calls the very code its backend runs at open and prepare, so the command and a start can never disagree.
 */
public interface OfflineCheck {

    DatabaseKind kind();

    /** Every problem of the pool and of the hooks bound to it; empty when it would open and prepare. */
    List<ConfigError> check(PoolConfig pool, List<HookConfig> hooks);

    /** The checks of this build. */
    static List<OfflineCheck> all() {
        return ServiceLoader.load(OfflineCheck.class, OfflineCheck.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList();
    }
}
