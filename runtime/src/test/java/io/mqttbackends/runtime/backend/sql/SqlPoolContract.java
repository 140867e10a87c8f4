package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.backend.FailureClass;

import io.mqttbackends.runtime.testing.PoolRuns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A SQL pool's life: ping, unreachable servers, which failures are transient, bad settings. */
public abstract class SqlPoolContract extends SqlBackendTestSupport {

    protected SqlPoolContract(DatabaseKind kind) {
        super(kind);
    }

    @Test
    void kindIsTheDatabasesAndPingAnswersOnARunningServer() {
        assertThat(backend.kind()).isEqualTo(kind());
        assertThatCode(() -> pool.ping().await().atMost(WAIT)).doesNotThrowAnyException();
    }

    @Test
    void openingAPoolOnAnUnreachableServerDoesNotFailAndItsFailuresAreTransient() {
        BackendPool<?> down = backend.open(poolConfig(Map.of("server", "127.0.0.1:1")), PoolRuns.context());
        try {
            assertThatThrownBy(() -> down.ping().await().atMost(WAIT))
                    .satisfies(e -> assertThat(down.classify(e)).as("refused: %s", e).isEqualTo(FailureClass.UNAVAILABLE));
            assertThatThrownBy(() -> PoolRuns.run(down, functionHook(HookPoint.CLIENT_CONNECTED, "on_client_connected",
                    OfflineOpts.NONE), new ClientConnected(client("c", 1)))
                    .await().atMost(WAIT))
                    .satisfies(e -> assertThat(down.classify(e)).as("refused: %s", e).isEqualTo(FailureClass.UNAVAILABLE));
        } finally {
            down.close().await().atMost(WAIT);
        }
    }

    @Test
    void aConstraintViolationOrBadStatementIsNotTransient() {
        var insert = pool.prepare(sqlHook(HookPoint.CLIENT_CONNECTED,
                "INSERT INTO mqtt_sub (clientid, topic, qos) VALUES (${clientid}, 't', 1)"));
        PoolRuns.run(pool, insert, new ClientConnected(client("c1", 1))).await().atMost(WAIT);

        assertThatThrownBy(() -> PoolRuns.run(pool, insert, new ClientConnected(client("c1", 1))).await()
                .atMost(WAIT))
                .satisfies(e -> assertThat(pool.classify(e)).as("duplicate key: %s", e).isEqualTo(FailureClass.PERMANENT));
        assertThatThrownBy(() -> run(sqlHook(HookPoint.CLIENT_CONNECTED, "INSERT INTO no_such_table VALUES (1)"),
                new ClientConnected(client("c1", 1))))
                .satisfies(e -> assertThat(pool.classify(e)).as("undefined table: %s", e).isEqualTo(FailureClass.PERMANENT));
    }

    @Test
    void badServerPoolSizeOrSslValuesAreConfigErrorsAtTheirKey() {
        for (Map<String, String> bad : new Map[] {Map.of("server", "db:notaport"), Map.of("server", "db:70000"),
                Map.of("pool_size", "many"), Map.of("ssl", "maybe"),
                Map.of("ssl", "on", "cacertfile", "/no/such/ca.pem")}) {
            String key = bad.containsKey("cacertfile") ? "cacertfile" : bad.keySet().iterator().next();
            assertThatThrownBy(() -> backend.open(poolConfig(bad), PoolRuns.context()))
                    .as("%s", bad)
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location().key())
                            .isEqualTo("backend." + kind().poolPrefix() + ".pool1." + key));
        }
    }

    @Test
    void serverWithoutPortUsesTheDefaultPort() {
        BackendPool<?> local = backend.open(poolConfig(Map.of("server", "127.0.0.1")), PoolRuns.context());
        try {
            assertThatCode(() -> local.ping().await().atMost(WAIT)).doesNotThrowAnyException();
        } finally {
            local.close().await().atMost(WAIT);
        }
    }
}
