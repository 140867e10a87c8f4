package io.mqttbackends.runtime.action;

import io.mqttbackends.runtime.backend.sql.SqlPool;
import io.mqttbackends.runtime.backend.sql.SqlWrite;

import io.mqttbackends.runtime.testing.PoolRuns;

import io.mqttbackends.runtime.backend.ActionOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.mysql.MysqlBackend;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.runtime.broker.DeadLetters;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.HostPort;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.SqlTestDatabase;
import io.mqttbackends.runtime.testing.TestSql;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The action stage's batching against a real SQL database: per-key order, batches that actually form, isolation of
 * a bad write, completion (hence the MQTT ack) only after commit, and nothing lost when the database goes away
 * mid-batch. Writes go through the same {@link ActionRunner#submit} the event dispatcher uses; each SQL database
 * runs this contract ({@code PgsqlBatchingIT}, {@code MysqlBatchingIT}).
 */
abstract class BatchingContract {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final ConfigLocation AT = new ConfigLocation(Path.of("batch.conf"), 3, "backend.hook.message.publish.1");

    /** The database's kind. */
    abstract DatabaseKind kind();

    /**
     * The test database of each class, created empty for its first test and dropped after its last: a name of the
     * run's own ({@link SqlTestDatabase}), so a concurrent run on the same server cannot touch it.
     */
    private static final Map<Class<?>, Opened> DATABASES = new ConcurrentHashMap<>();

    private record Opened(SqlTestDatabase database, TestSql sql) {
    }

    private Opened opened() {
        return DATABASES.computeIfAbsent(getClass(), c -> {
            SqlTestDatabase database = SqlTestDatabase.create(kind());
            return new Opened(database, database.connect());
        });
    }

    @AfterAll
    static void dropDatabases() {
        DATABASES.values().forEach(o -> {
            o.sql().close();
            o.database().close();
        });
        DATABASES.clear();
    }

    /** The class's test database. */
    TestSql db() {
        return opened().sql();
    }

    /** Where the database listens. */
    HostPort server() {
        return opened().database().server();
    }

    /** The pool keys of this database, the server given. */
    Map<String, String> poolSettings(String server) {
        return opened().database().poolSettings(server);
    }

    /** {@code batch_log (id ascending with commit order, topic, msgid)} whose msgid must be shorter than 20. */
    abstract String batchLogDdl();

    /** How many INSERT statements the server has executed so far (into {@code batch_log}, or in all). */
    abstract long insertStatementsExecuted();

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<BackendPool<?>> pools = new ArrayList<>();
    private TcpProxy proxy;
    private HookConfig logHook;

    @BeforeEach
    void table() {
        db().execute("drop table if exists batch_log");
        db().execute(batchLogDdl());
        // A sql hook writing the publish's topic and msgid; msgid is limited so that a test can make one write fail.
        logHook = new HookConfig(kind(), HookPoint.MESSAGE_PUBLISH, "1", Optional.of("#"),
                new ActionSpec.Statements(ActionSpec.Language.SQL,
                        List.of("insert into batch_log (topic, msgid) values (${topic}, ${msgid})"), false),
                "pool1", OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(), AT);
    }

    @AfterEach
    void close() {
        pools.forEach(p -> p.close().await().atMost(WAIT));
        if (proxy != null) {
            proxy.close();
        }
        vertx.closeAndAwait();
    }

    private SqlPool pool(int port, Map<String, String> batch) {
        Map<String, String> settings = new HashMap<>(poolSettings("127.0.0.1:" + port));
        settings.put("pool_size", "4");
        settings.put("batch_size", "100");
        settings.put("batch_time", "0");
        settings.put("call_timeout", "10000");
        settings.putAll(batch);
        Backend backend = kind() == DatabaseKind.PGSQL ? new PgsqlBackend(vertx) : new MysqlBackend(vertx);
        SqlPool pool = (SqlPool) backend.open(new PoolConfig(kind(), "pool1", settings, Map.of(), AT),
                PoolRuns.context());
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

    private List<String> msgidsInCommitOrder(String topic) {
        return db().rows("select msgid from batch_log where topic = $1 order by id", topic).stream()
                .map(r -> r.getString("msgid")).toList();
    }

    @Test
    void writesOfOneKeyCommitInSubmissionOrderWhileBatchesFormAcrossKeys() {
        SqlPool pool = pool(server().port(), Map.of());
        PoolAction<SqlWrite> action = pool.prepare(logHook);
        assertThat(action).isInstanceOf(PoolAction.Write.class);
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        int perTopic = 500;
        for (int i = 0; i < perTopic; i++) {
            for (int t = 0; t < 8; t++) {
                results.add(runner.submit(pool, action, logHook, publish("order/" + t, "m" + i))
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
    void aBatchOfPlainInsertsReachesTheServerAsAFewMultiRowStatementsInOrder() {
        // 100 rows = 64 + 32 + 4, in one transaction
        assertInsertStatements("multirow", 100, 3);
    }

    @Test
    void aSmallBatchOfPlainInsertsReachesTheServerAsOneStatement() {
        assertInsertStatements("small", 11, 1);
    }

    private void assertInsertStatements(String topic, int writes, long statements) {
        // A long linger gathers all the writes of the one key into one batch.
        SqlPool pool = pool(server().port(), Map.of("batch_time", "300"));
        PoolAction<SqlWrite> action = pool.prepare(logHook);
        ActionRunner runner = runner();
        long before = insertStatementsExecuted();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            results.add(runner.submit(pool, action, logHook, publish(topic, "m" + i)).subscribeAsCompletionStage());
        }
        awaitAll(results);

        assertThat(registry.get("mqttbackends.batch.size").summary().max()).isEqualTo(writes);
        assertThat(msgidsInCommitOrder(topic)).containsExactlyElementsOf(IntStream.range(0, writes)
                .mapToObj(i -> "m" + i).toList());
        assertThat(insertStatementsExecuted() - before).as("INSERT statements for %d rows", writes)
                .isEqualTo(statements);
    }

    @Test
    void aFailingWriteIsIsolatedFromItsBatchSoTheOthersCommitAndOnlyItIsGivenUp() {
        // 50 writes go as several statements in one transaction.
        assertFailingWriteIsIsolated(50);
    }

    @Test
    void aFailingWriteIsIsolatedFromASmallBatchThatWentAsOneStatement() {
        assertFailingWriteIsIsolated(11);
    }

    private void assertFailingWriteIsIsolated(int writes) {
        // A long linger gathers all the writes into one batch.
        SqlPool pool = pool(server().port(), Map.of("batch_time", "300"));
        PoolAction<SqlWrite> action = pool.prepare(logHook);
        ActionRunner runner = runner();
        int bad = writes / 2;
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            String msgid = i == bad ? "far-too-long-for-the-check-constraint" : "m" + i;
            results.add(runner.submit(pool, action, logHook, publish("isolate", msgid))
                    .subscribeAsCompletionStage());
        }
        awaitAll(results);

        assertThat(registry.get("mqttbackends.batch.size").summary().max()).isEqualTo(writes);
        assertThat(msgidsInCommitOrder("isolate")).containsExactlyElementsOf(IntStream.range(0, writes)
                .filter(i -> i != bad).mapToObj(i -> "m" + i).toList());
        assertThat(registry.get("mqttbackends.dead.letters").counter().count()).isEqualTo(1);
        assertThat(registry.get("mqttbackends.actions").tag("outcome", "failure").timer().count()).isEqualTo(1);
        assertThat(registry.get("mqttbackends.actions").tag("outcome", "success").timer().count())
                .isEqualTo(writes - 1);
    }

    @Test
    void anActionCompletesOnlyOnceItsBatchCommitted() throws Exception {
        SqlPool pool = pool(server().port(), Map.of());
        PoolAction<SqlWrite> action = pool.prepare(logHook);
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        try (AutoCloseable blocked = db().blockWrites("batch_log")) {
            for (int i = 0; i < 20; i++) {
                results.add(runner.submit(pool, action, logHook, publish("commit/" + (i % 4), "m" + i))
                        .subscribeAsCompletionStage());
            }
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
                    .until(() -> results.stream().noneMatch(CompletableFuture::isDone));
            assertThat(db().count("select count(*) from batch_log")).isZero();
        }
        awaitAll(results);
        assertThat(db().count("select count(*) from batch_log")).isEqualTo(20);
    }

    @Test
    void nothingIsLostWhenTheDatabaseGoesAwayMidBatch() {
        proxy = new TcpProxy(server().host(), server().port());
        proxy.up();
        SqlPool pool = pool(proxy.port(), Map.of());
        PoolAction<SqlWrite> action = pool.prepare(logHook);
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        int total = 3000;
        for (int i = 0; i < total; i++) {
            if (i == 1000) {
                proxy.down();
            }
            results.add(runner.submit(pool, action, logHook, publish("outage/" + (i % 4), "m" + i))
                    .subscribeAsCompletionStage());
        }
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> results.stream().anyMatch(r -> !r.isDone()));
        proxy.up();
        awaitAll(results);

        assertThat(db().count("select count(distinct msgid) from batch_log")).isEqualTo(total);
        assertThat(registry.get("mqttbackends.actions").tag("outcome", "success").timer().count())
                .isEqualTo(total);
        for (int t = 0; t < 4; t++) {
            // Order per key holds across the outage: first commits of each msgid ascend with submission.
            List<Integer> firstCommits = db().rows("select msgid from batch_log where topic = $1 group by msgid"
                    + " order by min(id)", "outage/" + t).stream()
                    .map(r -> Integer.parseInt(r.getString("msgid").substring(1))).toList();
            assertThat(firstCommits).isSorted();
        }
    }

    @Test
    void aReadingActionRunsInItsPlaceBetweenBatchedWrites() {
        SqlPool pool = pool(server().port(), Map.of());
        PoolAction<SqlWrite> write = pool.prepare(logHook);
        List<Long> seen = new ArrayList<>();
        // The read counts on a thread of its own: blocking in the pool's callbacks would stall its event loop.
        PoolAction<SqlWrite> read = new PoolAction.Read<>(event -> Uni.createFrom().item(() -> {
            seen.add(db().count("select count(*) from batch_log where topic = 'mixed'"));
            return ActionOutcome.NONE;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
        ActionRunner runner = runner();
        List<CompletableFuture<ActionOutcome>> results = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            results.add(runner.submit(pool, i % 100 == 99 ? read : write, logHook, publish("mixed", "m" + i))
                    .subscribeAsCompletionStage());
        }
        awaitAll(results);
        // Each read saw exactly the writes submitted before it: 99, then 198, then 297.
        assertThat(seen).containsExactly(99L, 198L, 297L);
    }
}
