package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A valid conf can still ask for more than this runtime build and broker control can do. */
class ConfigChecksTest {

    private static final BackendsConfig CFG = Confs.parse(
            "backend.mysql.pool1.server = db",
            "backend.pgsql.pool1.server = pg",
            "backend.ecql.pool1.nodes = c",
            "backend.pgsql.hook.client.connected.1 = {\"action\": {\"function\": \"on_client_connected\"}, "
                    + "\"pool\": \"pool1\"}",
            "backend.pgsql.hook.client.connected.2 = {\"action\": {\"function\": \"on_subscribe_lookup\"}, "
                    + "\"pool\": \"pool1\"}",
            "backend.cassa.hook.client.connected.2 = {\"action\": {\"function\": \"on_subscription_lookup\"}, "
                    + "\"pool\": \"pool1\"}");

    @Test
    void poolOfADatabaseWithoutBackendInThisBuildIsAnErrorAtThePool() {
        List<ConfigError> errors = ConfigChecks.againstRuntime(CFG, Set.of(DatabaseKind.PGSQL), true);

        assertThat(errors).extracting(e -> e.location().line(), ConfigError::message).containsExactly(
                tuple(1, "no backend for database 'mysql' in this build (available: pgsql)"),
                tuple(3, "no backend for database 'cassa' in this build (available: pgsql)"));
    }

    @Test
    void subscribeLookupWithoutABrokerThatCanSubscribeClientsIsAnErrorSayingWhy() {
        List<ConfigError> errors = ConfigChecks.againstRuntime(CFG, EnumSet.allOf(DatabaseKind.class), false);

        assertThat(errors).extracting(e -> e.location().key(), ConfigError::message).containsExactly(
                tuple("backend.pgsql.hook.client.connected.2", "function 'on_subscribe_lookup' subscribes the "
                        + "connecting client, but broker control 'mqtt' cannot subscribe a client from outside; "
                        + "set mqttbackends.broker-control.type=emqx"),
                tuple("backend.cassa.hook.client.connected.2", "function 'on_subscription_lookup' subscribes the "
                        + "connecting client, but broker control 'mqtt' cannot subscribe a client from outside; "
                        + "set mqttbackends.broker-control.type=emqx"));
    }

    @Test
    void aConfigurationWithoutAnyHookIsRefusedAtItsFirstPoolNamingTheFilesAndUnusedPools() {
        BackendsConfig cfg = ConfLoader.parse(List.of(Confs.file("a.conf", "# pools only"),
                Confs.file("b.conf", "backend.pgsql.pool1.server = pg", "backend.redis.r.server = redis")));

        assertThat(ConfigChecks.againstRuntime(cfg, EnumSet.allOf(DatabaseKind.class), true)).containsExactly(
                new ConfigError(new ConfigLocation(Path.of("/etc/mqttbackends/b.conf"), 1,
                        "backend.pgsql.pool1.server"), "no hook configured: /etc/mqttbackends/a.conf, "
                        + "/etc/mqttbackends/b.conf hold no backend.<db>.hook.<hook point>.<n> line, so no event "
                        + "would be stored; pools pgsql.pool1, redis.r would never be used",
                        ConfigError.Category.NO_HOOK));
    }

    @Test
    void anEmptyConfigurationIsRefusedAtItsFirstFile() {
        BackendsConfig cfg = ConfLoader.parse(List.of(Confs.file("empty.conf", "")));

        assertThat(ConfigChecks.againstRuntime(cfg, EnumSet.allOf(DatabaseKind.class), true))
                .extracting(ConfigError::location, ConfigError::message).containsExactly(tuple(
                        new ConfigLocation(Path.of("/etc/mqttbackends/empty.conf"), 0, ""),
                        "no hook configured: /etc/mqttbackends/empty.conf hold no backend.<db>.hook.<hook point>.<n> "
                                + "line, so no event would be stored"));
    }

    @Test
    void everythingAvailableGivesNoErrors() {
        assertThat(ConfigChecks.againstRuntime(CFG, EnumSet.allOf(DatabaseKind.class), true)).isEmpty();
    }
}
