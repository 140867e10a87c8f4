package io.mqttbackends.runtime.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigChecks;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Why {@code deploy/local/conf-redis} exists: EMQX's default Redis conf cannot start against Mosquitto (broker control
 * {@code mqtt}) because of its subscribe lookup, and the local conf, which differs from it only there, can.
 */
class RedisLocalConfTest {
    private static final Set<DatabaseKind> AVAILABLE = Set.of(DatabaseKind.REDIS);

    @Test
    void emqxDefaultRedisConfIsRefusedWithMqttBrokerControlForItsSubscribeLookupOnly() throws IOException {
        List<ConfigError> errors = ConfigChecks.againstRuntime(emqxDefault(), AVAILABLE, false);

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.category()).isEqualTo(ConfigError.Category.BROKER_CONTROL);
            assertThat(error.message()).contains("on_subscribe_lookup");
        });
    }

    @Test
    void theLocalRedisConfPassesWithMqttBrokerControlAndKeepsEveryOtherDefaultHook() throws IOException {
        BackendsConfig local = ConfLoader.load(List.of(Path.of("../deploy/local/conf-redis")));
        BackendsConfig emqx = emqxDefault();

        assertThat(ConfigChecks.againstRuntime(local, AVAILABLE, false)).isEmpty();
        assertThat(local.hooks().stream().map(RedisLocalConfTest::describe).toList())
                .containsExactlyElementsOf(emqx.hooks().stream()
                        .filter(h -> !h.actionName().equals("on_subscribe_lookup"))
                        .map(RedisLocalConfTest::describe).toList());
        assertThat(local.pool(DatabaseKind.REDIS, "pool1").orElseThrow().get("server"))
                .isEqualTo("127.0.0.1:6379");
    }

    /** EMQX's file alone (its directory holds the other databases' defaults too). */
    private static BackendsConfig emqxDefault() throws IOException {
        Path file = EmqxDefaultConf.path(DatabaseKind.REDIS);
        return ConfLoader.parse(List.of(new ConfFile(file, Files.readString(file))));
    }

    private static String describe(HookConfig hook) {
        return hook.hookPoint() + "." + hook.suffix() + " " + hook.actionName() + " " + hook.topicFilter() + " "
                + hook.expiredTime();
    }
}
