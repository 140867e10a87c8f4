package io.mqttbackends.runtime.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfSnapshot;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.PgsqlTestDatabase;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.vertx.mutiny.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading the running configuration against real PostgreSQL: generations, leases, drain, rejection. Each
 * generation's pool goes through its own {@link TcpProxy}, so a closed pool is a proxy with no connection left.
 */
class ActiveConfigurationReloadIT {
    /** A database of each test's own (a run-unique name), dropped after it. */
    private PgsqlTestDatabase database;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TcpProxy oldProxy = new TcpProxy(TestPostgres.HOST, TestPostgres.PORT);
    private final TcpProxy newProxy = new TcpProxy(TestPostgres.HOST, TestPostgres.PORT);
    private ActiveConfiguration configuration;

    @TempDir
    Path confDir;

    @BeforeEach
    void start() {
        database = PgsqlTestDatabase.create();
        oldProxy.up();
        newProxy.up();
        var config = TestConfigs.runtimeConfig(Map.of("conf-dir", confDir.toString()));
        configuration = TestActiveConfiguration.create(config, vertx, registry);
    }

    @AfterEach
    void stop() {
        configuration.close();
        oldProxy.close();
        newProxy.close();
        database.close();
        vertx.closeAndAwait();
    }

    private void write(String text) throws IOException {
        Files.writeString(confDir.resolve("backends.conf"), text);
    }

    private String pool(int port, String extra) {
        return "backend.pgsql.pool1.server = 127.0.0.1:" + port + "\n"
                + "backend.pgsql.pool1.username = postgres\n"
                + "backend.pgsql.pool1.database = " + database.name() + "\n" + extra;
    }

    private static String publishHook(int n, String topic) {
        return "backend.pgsql.hook.message.publish." + n + " = {\"topic\": \"" + topic + "\", "
                + "\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}\n";
    }

    private boolean reload() {
        return configuration.reload(ConfLoader.read(List.of(confDir))).await().atMost(WAIT);
    }

    private double draining() {
        return registry.get("mqttbackends.config.draining").gauge().value();
    }

    private double loads(String outcome) {
        return registry.get("mqttbackends.config.loads").tag("outcome", outcome).functionCounter().count();
    }

    @Test
    void anEventKeepsTheTableItAcquiredWhileEventsStartingAfterTheSwapGetTheNewOne() throws IOException {
        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#"));
        configuration.load();
        ActiveConfiguration.Lease before = configuration.acquire();

        write(pool(newProxy.port(), "") + publishHook(1, "reload/a/#") + publishHook(2, "reload/b/#"));
        assertThat(reload()).isTrue();

        try (ActiveConfiguration.Lease after = configuration.acquire()) {
            assertThat(before.table().size()).isEqualTo(1);
            assertThat(after.table().size()).isEqualTo(2);
            assertThat(configuration.status().hash()).contains(ConfLoader.read(List.of(confDir)).hash());
        }
        before.close();
        assertThat(loads("success")).isEqualTo(2);
    }

    @Test
    void oldPoolsCloseOnlyAfterEveryEventHoldingTheirGenerationFinished() throws IOException {
        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#"));
        configuration.load();
        BackendPool<?> oldPool = configuration.running().pools().get("pgsql.pool1");
        oldPool.ping().await().atMost(WAIT);
        assertThat(oldProxy.openConnections()).isPositive();
        ActiveConfiguration.Lease first = configuration.acquire();
        ActiveConfiguration.Lease second = configuration.acquire();

        write(pool(newProxy.port(), "backend.pgsql.pool1.pool_size = 2\n") + publishHook(1, "reload/a/#"));
        assertThat(reload()).isTrue();
        assertThat(configuration.running().pools().get("pgsql.pool1")).isNotSameAs(oldPool);

        first.close();
        first.close();
        assertThat(draining()).isEqualTo(1);
        oldPool.ping().await().atMost(WAIT);
        assertThat(oldProxy.openConnections()).isPositive();

        second.close();
        assertThat(draining()).isZero();
        await().atMost(WAIT).until(() -> oldProxy.openConnections() == 0);
        assertThat(newProxy.openConnections()).isZero();
    }

    @Test
    void aRetiredGenerationWithNoEventInFlightClosesAtTheSwap() throws IOException {
        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#"));
        configuration.load();
        configuration.running().pools().get("pgsql.pool1").ping().await().atMost(WAIT);

        write(pool(newProxy.port(), "") + publishHook(1, "reload/a/#"));
        assertThat(reload()).isTrue();

        assertThat(draining()).isZero();
        await().atMost(WAIT).until(() -> oldProxy.openConnections() == 0);
    }

    @Test
    void anInvalidChangeIsRejectedNamingFileAndLineAndTheRunningConfigurationStays() throws IOException {
        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#"));
        configuration.load();
        String running = configuration.status().hash().orElseThrow();

        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#")
                + "backend.pgsql.hook.message.publish.2 = {\"action\": {\"function\": \"on_nothing\"}, \"pool\": \"pool1\"}\n");
        ConfSnapshot rejected = ConfLoader.read(List.of(confDir));
        assertThat(reload()).isFalse();

        ActiveConfiguration.Status status = configuration.status();
        assertThat(status.hash()).contains(running);
        assertThat(status.lastRejection()).hasValueSatisfying(r -> {
            assertThat(r.error()).contains("backends.conf:5").contains("on_nothing");
            assertThat(r.hash()).isEqualTo(rejected.hash());
        });
        assertThat(loads("failure")).isEqualTo(1);
        try (ActiveConfiguration.Lease lease = configuration.acquire()) {
            assertThat(lease.table().size()).isEqualTo(1);
        }
        assertThat(oldProxy.openConnections()).isZero();

        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#") + publishHook(2, "reload/b/#"));
        assertThat(reload()).isTrue();
        assertThat(configuration.status().lastRejection()).isEmpty();
    }

    @Test
    void theNewPoolsHaveTheirSchemaBeforeTheSwap() throws IOException {
        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#"));
        configuration.load();

        write(pool(newProxy.port(), "backend.pgsql.pool1.schema.init = true\n") + publishHook(1, "reload/a/#"));
        assertThat(reload()).isTrue();

        try (TestPostgres pg = TestPostgres.connect(database.name())) {
            assertThat(pg.count("select count(*) from information_schema.tables where table_name in"
                    + " ('mqtt_client', 'mqtt_sub', 'mqtt_msg', 'mqtt_retain', 'mqtt_acked')")).isEqualTo(5);
        }
    }

    @Test
    void anUnchangedPoolIsKeptAcrossAReloadAndAChangedPasswordOpensANewOne() throws IOException {
        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#"));
        configuration.load();
        BackendPool<?> first = configuration.running().pools().get("pgsql.pool1");
        first.ping().await().atMost(WAIT);

        write("# the hooks changed, the pool did not\n" + pool(oldProxy.port(), "") + publishHook(1, "reload/a/#")
                + publishHook(2, "reload/b/#"));
        assertThat(reload()).isTrue();
        assertThat(configuration.running().pools().get("pgsql.pool1")).isSameAs(first);
        assertThat(draining()).isZero();
        first.ping().await().atMost(WAIT);
        assertThat(oldProxy.openConnections()).isPositive();

        write(pool(oldProxy.port(), "backend.pgsql.pool1.password = changed\n") + publishHook(1, "reload/a/#"));
        assertThat(reload()).isTrue();
        assertThat(configuration.running().pools().get("pgsql.pool1")).isNotSameAs(first);
        await().atMost(WAIT).until(() -> oldProxy.openConnections() == 0);
    }

    @Test
    void aKeptPoolStaysOpenWhileAnOlderGenerationUsingItStillHasAnEvent() throws IOException {
        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#"));
        configuration.load();
        BackendPool<?> kept = configuration.running().pools().get("pgsql.pool1");
        kept.ping().await().atMost(WAIT);
        ActiveConfiguration.Lease onFirst = configuration.acquire();

        write(pool(oldProxy.port(), "") + publishHook(1, "reload/a/#") + publishHook(2, "reload/b/#"));
        assertThat(reload()).isTrue();
        write(pool(newProxy.port(), "") + publishHook(1, "reload/a/#"));
        assertThat(reload()).isTrue();

        assertThat(draining()).isEqualTo(1);
        kept.ping().await().atMost(WAIT);
        assertThat(oldProxy.openConnections()).isPositive();
        onFirst.close();
        assertThat(draining()).isZero();
        await().atMost(WAIT).until(() -> oldProxy.openConnections() == 0);
    }
}
