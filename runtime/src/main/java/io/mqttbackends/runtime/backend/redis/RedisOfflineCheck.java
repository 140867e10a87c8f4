package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.OfflineCheck;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Redis pool refuses beyond the loader: a cluster with a database other than 0 ({@link RedisBackend#open})
 * and command templates EMQX would have run other than they read ({@link RedisCommandTemplate#compile}).
 */
public final class RedisOfflineCheck implements OfflineCheck {

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.REDIS;
    }

    @Override
    public List<ConfigError> check(PoolConfig pool, List<HookConfig> hooks) {
        List<ConfigError> errors = new ArrayList<>();
        collect(errors, () -> RedisBackend.requireClusterDatabase(pool));
        for (HookConfig hook : hooks) {
            if (hook.action() instanceof ActionSpec.Statements statements) {
                statements.statements().forEach(s -> collect(errors, () -> RedisCommandTemplate.compile(s, hook)));
            }
        }
        return errors;
    }

    private static void collect(List<ConfigError> errors, Runnable check) {
        try {
            check.run();
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
    }
}
