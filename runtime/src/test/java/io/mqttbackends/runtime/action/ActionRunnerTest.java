package io.mqttbackends.runtime.action;

import io.mqttbackends.runtime.backend.ActionOutcome;

import io.mqttbackends.runtime.backend.Subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.testing.RecordingPool;
import java.util.function.Function;
import io.mqttbackends.runtime.broker.DeadLetters;
import io.mqttbackends.runtime.broker.EmqxBrokerControl;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retry policy of actions and of their reach-back calls (a real HTTP endpoint stands in for the EMQX API). */
class ActionRunnerTest {
    private static final ConfigLocation AT = new ConfigLocation(Path.of("pg.conf"), 2,
            "backend.pgsql.hook.client.connected.2");

    private final Vertx vertx = Vertx.vertx();
    private final RecordingHttpServer emqx = new RecordingHttpServer();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        emqx.close();
        vertx.closeAndAwait();
    }

    /** Runs one read action through the runner with 3 attempts, on a recording pool, with the EMQX API. */
    private void run(Function<Event, Uni<ActionOutcome>> action) {
        RuntimeConfig config = TestConfigs.runtimeConfig(Map.of("retry.max-attempts", "3",
                "retry.initial-backoff", "PT0.01S", "retry.max-backoff", "PT0.02S"));
        EmqxBrokerControl broker = new EmqxBrokerControl(new MqttBrokerControl(new MqttIngress(config)), vertx,
                new EmqxBrokerControl.Settings(emqx.url(), "k", "s"));
        RecordingPool pool = new RecordingPool(BatchGuarantee.ATOMIC, 1, 10, Duration.ofSeconds(5));
        HookConfig hook = new HookConfig(DatabaseKind.PGSQL, HookPoint.CLIENT_CONNECTED, "2", Optional.empty(),
                new ActionSpec.Function("on_subscribe_lookup"), "pool1", OfflineOpts.NONE, OptionalInt.empty(),
                Optional.empty(), AT);
        ActionRunner runner = new ActionRunner(config, broker, new DeadLetters(config, new MqttIngress(config)),
                new RuntimeMetrics(registry));
        runner.submit(pool, pool.read(action), hook, new ClientConnected(new ClientInfo("c1", Optional.empty(),
                        Optional.empty(), "n", 0L)))
                .onItem().transformToUni(runner::reachBack)
                .await().atMost(Duration.ofSeconds(10));
    }

    private void runSubscribeLookup() {
        run(event -> Uni.createFrom().item(new ActionOutcome.SubscribeClient("c1",
                List.of(new Subscription("cmd/c1", 1)))));
    }

    private double actions(String outcome) {
        return registry.get("mqttbackends.actions").tag("outcome", outcome).timer().count();
    }

    @Test
    void aTransientFailureIsTriedMaxAttemptsTimesThenCountedAsFailed() {
        AtomicInteger attempts = new AtomicInteger();
        run(event -> {
            attempts.incrementAndGet();
            return Uni.createFrom().failure(new IllegalStateException("deadlock detected"));
        });
        assertThat(attempts).hasValue(3);
        assertThat(actions("failure")).isEqualTo(1);
    }

    @Test
    void aRefusalOfTheEventsDataIsGivenUpAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        run(event -> {
            attempts.incrementAndGet();
            return Uni.createFrom().failure(new IllegalArgumentException("value too long for type varchar(100)"));
        });
        assertThat(attempts).hasValue(1);
        assertThat(actions("failure")).isEqualTo(1);
        assertThat(registry.get("mqttbackends.dead.letters").counter().count()).isEqualTo(1);
    }

    @Test
    void anUnreachableDatabaseIsRetriedBeyondMaxAttemptsUntilItAnswers() {
        AtomicInteger attempts = new AtomicInteger();
        run(event -> attempts.incrementAndGet() <= 6
                ? Uni.createFrom().failure(new ConnectException("Connection refused"))
                : Uni.createFrom().item(ActionOutcome.NONE));
        assertThat(attempts).hasValue(7);
        assertThat(actions("success")).isEqualTo(1);
        assertThat(registry.get("mqttbackends.actions.retries").tag("cause", "unavailable").counter().count())
                .isEqualTo(6);
    }

    @Test
    void aDefinitiveRefusalIsNotRetried() {
        emqx.respondWith(404, "{\"code\":\"CLIENTID_NOT_FOUND\"}");
        runSubscribeLookup();
        assertThat(emqx.requests()).hasSize(1);
        assertThat(registry.get("mqttbackends.broker.calls").tag("outcome", "failure").counter().count())
                .isEqualTo(1);
    }

    @Test
    void anUnavailableBrokerIsRetriedUpToMaxAttempts() {
        emqx.respondWith(503, "{}");
        runSubscribeLookup();
        assertThat(emqx.requests()).hasSize(3);
    }

    @Test
    void aSuccessfulCallIsMadeOnce() {
        runSubscribeLookup();
        assertThat(emqx.requests()).hasSize(1);
        assertThat(registry.get("mqttbackends.broker.calls").tag("outcome", "success").counter().count())
                .isEqualTo(1);
    }
}
