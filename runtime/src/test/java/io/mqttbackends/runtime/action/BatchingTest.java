package io.mqttbackends.runtime.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.runtime.broker.DeadLetters;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.runtime.config.ActionSpec;
import io.mqttbackends.runtime.config.ConfigLocation;
import io.mqttbackends.runtime.config.DatabaseKind;
import io.mqttbackends.runtime.config.HookConfig;
import io.mqttbackends.runtime.config.OfflineOpts;
import io.mqttbackends.runtime.config.PoolConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The action stage's batching against real PostgreSQL: per-key order, batches that actually form, isolation of a
 * bad write, completion (hence the MQTT ack) only after commit, and nothing lost when the database goes away
 * mid-batch. Writes go through the same {@link ActionRunner#submit} the event dispatcher uses.
 */
class BatchingTest {
    private static final String DATABASE = "mqttbackends_batching";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ConfigLocation AT = new ConfigLocation(Path.of("batch.conf"), 3,
            "backend.pgsql.hook.message.publish.1");
    /** A sql hook writing the publish's topic and msgid; msgid is limited so that a test can make one write fail. */
    private static final HookConfig LOG_HOOK = new HookConfig(DatabaseKind.PGSQL, HookPoint.MESSAGE_PUBLISH, "1",
            Optional.of("#"), new ActionSpec.Statements(ActionSpec.Language.SQL,
                    List.of("insert into batch_log (topic, msgid) values (${topic}, ${msgid})"), false),
            "pool1", OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(), AT);

    private static TestPostgres pg;

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<BackendPool> pools = new ArrayList<>();
    private TcpProxy proxy;

    @BeforeAll
    static void database() {
        pg = TestPostgres.fresh(DATABASE);
    }

    @AfterAll
    static void closeDatabase() {
        pg.close();
    }

    @BeforeEach
    void table() {
        pg.execute("drop table if exists batch_log");
        pg.execute("create table batch_log (id bigserial primary key, topic text not null,"
                + " msgid text not null check (length(msgid) < 20))");
    }

    @AfterEach
    void close() {
        pools.forEach(p -> p.close().await().atMost(WAIT));
        if (proxy != null) {
            proxy.close();
        }
        vertx.closeAndAwait();
    }

    private BackendPool pool(int port, Map<String, String> batch) {
        Map<String, String> settings = new HashMap<>(Map.of("server", "127.0.0.1:" + port, "pool_size", "4",
                "username", "postgres", "password", "", "database", DATABASE, "ssl", "false", "verify", "false",
                "cacertfile", "", "certfile", "", "keyfile", ""));
        settings.put("batch_size", "100");
        settings.put("batch_time", "0");
        settings.putAll(batch);
        BackendPool pool = new PgsqlBackend(vertx).open(new PoolConfig(DatabaseKind.PGSQL, "pool1", settings,
                Map.of(), AT));
        pools.add(pool);
        return pool;
    }

    private ActionRunner runner() {
        RuntimeConfig config = TestConfigs.runtimeConfig(Map.of("retry.max-attempts", "2",
                "retry.initial-backoff", "PT0.01S", "retry.max-backoff", "PT0.2S", "dead-letter.enabled", "false"));
        MqttIngress ingress = new MqttIngress(config);
        return new ActionRunner(config, new MqttBrokerControl(ingress), new DeadLetters(config, ingress),
                new RuntimeMetrics(registry));
    }

    private static MessagePublish publish(String topic, String msgid) {
        return new MessagePublish(new ClientInfo("publisher", Optional.empty(), Optional.empty(), "n", 0L),
                new Message(msgid, "publisher", topic, 1, false, "p".getBytes(StandardCharsets.UTF_8), 0L, Map.of()));
    }

    private static void awaitAll(List<CompletableFuture<ActionOutcome>> results) {
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private static List<String> msgidsInCommitOrder(String topic) {
        return pg.rows("select msgid from batch_log where topic = $1 order by id", topic).stream()
                .map(r -> r.getString("msgid")).toList();
    }

    @Test
    void writesOfOneKeyCommitInSubmissionOrderWhileBatchesFormAcrossKeys() {
        BackendPool pool = pool(TestPostgres.PORT, Map.of());
        PoolAction action = pool.prepare(LOG_HOOK);
        assertThat(action.batchable()).isTrue();
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        int perTopic = 500;
        for (int i = 0; i < perTopic; i++) {
            for (int t = 0; t < 8; t++) {
                results.add(runner.submit(pool, action, LOG_HOOK, publish("order/" + t, "m" + i))
                        .subscribeAsCompletionStage());
            }
        }
        awaitAll(results);

        List<String> expected = IntStream.range(0, perTopic).mapToObj(i -> "m" + i).toList();
        for (int t = 0; t < 8; t++) {
            assertThat(msgidsInCommitOrder("order/" + t)).containsExactlyElementsOf(expected);
        }
        DistributionSummary batches = registry.get("mqttbackends.batch.size").summary();
        assertThat(batches.max()).as("largest batch").isGreaterThan(1);
        assertThat(batches.totalAmount()).as("writes that went in batches").isGreaterThan(perTopic);
    }

    @Test
    void aFailingWriteIsIsolatedFromItsBatchSoTheOthersCommitAndOnlyItIsGivenUp() {
        // A long linger gathers all 50 writes into one batch.
        BackendPool pool = pool(TestPostgres.PORT, Map.of("batch_time", "300"));
        PoolAction action = pool.prepare(LOG_HOOK);
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String msgid = i == 25 ? "far-too-long-for-the-check-constraint" : "m" + i;
            results.add(runner.submit(pool, action, LOG_HOOK, publish("isolate", msgid))
                    .subscribeAsCompletionStage());
        }
        awaitAll(results);

        assertThat(registry.get("mqttbackends.batch.size").summary().max()).isEqualTo(50);
        assertThat(msgidsInCommitOrder("isolate")).containsExactlyElementsOf(IntStream.range(0, 50)
                .filter(i -> i != 25).mapToObj(i -> "m" + i).toList());
        assertThat(registry.get("mqttbackends.dead.letters").counter().count()).isEqualTo(1);
        assertThat(registry.get("mqttbackends.actions").tag("outcome", "failure").timer().count()).isEqualTo(1);
        assertThat(registry.get("mqttbackends.actions").tag("outcome", "success").timer().count()).isEqualTo(49);
    }

    @Test
    void anActionCompletesOnlyOnceItsBatchCommitted() throws Exception {
        BackendPool pool = pool(TestPostgres.PORT, Map.of());
        PoolAction action = pool.prepare(LOG_HOOK);
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        try (AutoCloseable blocked = pg.blockWrites("batch_log")) {
            for (int i = 0; i < 20; i++) {
                results.add(runner.submit(pool, action, LOG_HOOK, publish("commit/" + (i % 4), "m" + i))
                        .subscribeAsCompletionStage());
            }
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
                    .until(() -> results.stream().noneMatch(CompletableFuture::isDone));
            assertThat(pg.count("select count(*) from batch_log")).isZero();
        }
        awaitAll(results);
        assertThat(pg.count("select count(*) from batch_log")).isEqualTo(20);
    }

    @Test
    void nothingIsLostWhenTheDatabaseGoesAwayMidBatch() {
        proxy = new TcpProxy(TestPostgres.HOST, TestPostgres.PORT);
        proxy.up();
        BackendPool pool = pool(proxy.port(), Map.of());
        PoolAction action = pool.prepare(LOG_HOOK);
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        int total = 3000;
        for (int i = 0; i < total; i++) {
            if (i == 1000) {
                proxy.down();
            }
            results.add(runner.submit(pool, action, LOG_HOOK, publish("outage/" + (i % 4), "m" + i))
                    .subscribeAsCompletionStage());
        }
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> results.stream().anyMatch(r -> !r.isDone()));
        proxy.up();
        awaitAll(results);

        assertThat(pg.count("select count(distinct msgid) from batch_log")).isEqualTo(total);
        assertThat(registry.get("mqttbackends.actions").tag("outcome", "success").timer().count())
                .isEqualTo(total);
        for (int t = 0; t < 4; t++) {
            // Order per key holds across the outage: first commits of each msgid ascend with submission.
            List<Integer> firstCommits = pg.rows("select msgid from batch_log where topic = $1 group by msgid"
                    + " order by min(id)", "outage/" + t).stream()
                    .map(r -> Integer.parseInt(r.getString("msgid").substring(1))).toList();
            assertThat(firstCommits).isSorted();
        }
    }

    @Test
    void aReadingActionRunsInItsPlaceBetweenBatchedWrites() {
        BackendPool pool = pool(TestPostgres.PORT, Map.of());
        PoolAction write = pool.prepare(LOG_HOOK);
        Pool reader = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(TestPostgres.HOST)
                .setPort(TestPostgres.PORT).setUser("postgres").setDatabase(DATABASE)).using(vertx).build();
        List<Long> seen = new ArrayList<>();
        PoolAction read = event -> reader.query("select count(*) from batch_log where topic = 'mixed'").execute()
                .onItem().transform(rows -> {
                    seen.add(rows.iterator().next().getLong(0));
                    return ActionOutcome.NONE;
                });
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            results.add(runner.submit(pool, i % 100 == 99 ? read : write, LOG_HOOK, publish("mixed", "m" + i))
                    .subscribeAsCompletionStage());
        }
        awaitAll(results);
        reader.close().await().atMost(WAIT);
        // Each read saw exactly the writes submitted before it: 99, then 198, then 297.
        assertThat(seen).containsExactly(99L, 198L, 297L);
    }
}
