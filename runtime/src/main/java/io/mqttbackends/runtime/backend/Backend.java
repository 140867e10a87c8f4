package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.PoolConfig;
import java.util.Set;

/**
 * The service-provider interface every database implements once: one {@code @ApplicationScoped} CDI bean per
 * {@link DatabaseKind}. The runtime finds backends by kind; a kind with no bean, or with two, fails start.
 *
 * <p>Driver types never leave the implementing package: everything crossing this interface is a runtime type.
 */
public interface Backend {

    /** The database kind this backend serves. */
    DatabaseKind kind();

    /** The built-in function names this backend implements: exactly its database's catalog, checked at start. */
    Set<String> functions();

    /**
     * Creates a pool from its configuration. Must not fail because the database is unreachable: the pool reports
     * that through {@link BackendPool#ping()} and its actions' failures, and reconnects by itself.
     *
     * @param context what the pool may ask of the rest of the runtime (broker requests, counting rejected input)
     * @throws io.mqttbackends.model.conf.ConfigException when a setting is unusable (names the key)
     */
    BackendPool<?> open(PoolConfig config, PoolContext context);
}
