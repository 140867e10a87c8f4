package io.mqttbackends.runtime.backend.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.RetentionRun;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.PoolRuns;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The message retention of a SQL pool ({@link SqlRetention}) on a real server, with our shipped schema: rows written
 * by {@code on_message_publish} with the arrival times a test chooses, then one retention run, then the rows left, the
 * cursors and what a replay delivers.
 */
public abstract class SqlRetentionContract extends SqlBackendTestSupport {
    private static final String TOPIC = "devices/d1/state";

    protected SqlRetentionContract(DatabaseKind kind) {
        super(kind);
    }

    @Test
    void rowsOlderThanMaxAgeGoAndNewerRowsStayOnEveryTopic() {
        long now = System.currentTimeMillis();
        List<Message> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add(message("old" + i, "pub", i % 2 == 0 ? TOPIC : "devices/d2/state", 1, false, bytes("o"),
                    now - Duration.ofHours(3).toMillis() + i));
        }
        storeAll(old);
        storeAll(List.of(message("new0", "pub", TOPIC, 1, false, bytes("n"), now - Duration.ofMinutes(5).toMillis()),
                message("new1", "pub", "devices/d2/state", 1, false, bytes("n"), now)));

        RetentionRun run = runRetention(Map.of("retention.max_age", "2h"));

        assertThat(run.succeeded()).isTrue();
        assertThat(run.deletedRows()).isEqualTo(5);
        assertThat(msgids()).containsExactly("new0", "new1");
    }

    @Test
    void maxPerTopicKeepsExactlyTheNNewestRowsOfEachTopic() {
        long now = System.currentTimeMillis();
        List<Message> messages = new ArrayList<>();
        Map<String, Integer> counts = Map.of("a", 12, "b", 3, "c", 7);
        counts.forEach((topic, count) -> {
            for (int i = 0; i < count; i++) {
                messages.add(message(topic + i, "pub", "t/" + topic, 1, false, bytes("x"), now));
            }
        });
        storeAll(messages);

        RetentionRun run = runRetention(Map.of("retention.max_per_topic", "5"));

        assertThat(run.succeeded()).isTrue();
        assertThat(run.deletedRows()).isEqualTo(7 + 2);
        assertThat(msgids()).containsExactlyInAnyOrder("a7", "a8", "a9", "a10", "a11", "b0", "b1", "b2", "c2", "c3",
                "c4", "c5", "c6");
    }

    @Test
    void deletesGoInBoundedBatchesRepeatedUntilAPartialOne() {
        long old = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            messages.add(message("m" + i, "pub", TOPIC, 1, false, bytes("x"), old + i));
        }
        storeAll(messages);

        RetentionRun run = runRetention(Map.of("retention.max_age", "1d", "retention.batch_size", "10"));

        // 10 + 10 + 10 + 5: the fourth statement removes less than a batch, which ends the run.
        assertThat(run.statements()).isEqualTo(4);
        assertThat(run.deletedRows()).isEqualTo(35);
        assertThat(msgids()).isEmpty();
    }

    @Test
    void aRunEndsAtItsStatementCapAndTheNextRunDeletesTheRest() {
        long old = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            messages.add(message("m" + i, "pub", TOPIC, 1, false, bytes("x"), old + i));
        }
        storeAll(messages);
        SqlPool retaining = (SqlPool) backend.open(poolConfig(Map.of("retention.max_age", "1d",
                "retention.batch_size", "10")), PoolRuns.context());
        try {
            SqlRetention capped = new SqlRetention(retaining,
                    retaining.retention().orElseThrow().settings(), vertx, PoolRuns.context(), Clock.systemUTC(), 2);

            RetentionRun first = capped.runOnce().await().atMost(WAIT);
            assertThat(List.of(first.statements(), first.deletedRows())).containsExactly(2L, 20L);
            assertThat(msgids()).hasSize(15);
            RetentionRun second = capped.runOnce().await().atMost(WAIT);
            assertThat(List.of(second.statements(), second.deletedRows())).containsExactly(2L, 15L);
            assertThat(msgids()).isEmpty();
        } finally {
            retaining.close().await().atMost(WAIT);
        }
    }

    @Test
    void perTopicDeletesAreBatchedToo() {
        long now = System.currentTimeMillis();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            messages.add(message("m" + i, "pub", TOPIC, 1, false, bytes("x"), now));
        }
        storeAll(messages);

        RetentionRun run = runRetention(Map.of("retention.max_per_topic", "2", "retention.batch_size", "10"));

        assertThat(run.statements()).isEqualTo(3);
        assertThat(run.deletedRows()).isEqualTo(23);
        assertThat(msgids()).containsExactly("m23", "m24");
    }

    @Test
    void replayAfterRetentionDeliversExactlyTheRetainedRowsAfterTheCursorAndTheCursorStays() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        long now = System.currentTimeMillis();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // m0..m5 three hours old, m6..m9 recent.
            long arrived = i < 6 ? now - Duration.ofHours(3).toMillis() + i : now - 1000 + i;
            messages.add(message("m" + i, "pub", TOPIC, 1, false, bytes("payload " + i), arrived));
        }
        storeAll(messages);
        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", messages.get(1)));
        long cursor = cursor();

        RetentionRun run = runRetention(Map.of("retention.max_age", "2h"));

        assertThat(run.deletedRows()).isEqualTo(6);
        assertThat(cursor()).isEqualTo(cursor);
        assertThat(deliveredIds(fetch(), "sub")).containsExactly("m6", "m7", "m8", "m9");

        // The cursor moves on from a row retention deleted, and the replay follows it.
        Message later = message("m10", "pub", TOPIC, 1, false, bytes("payload 10"), now);
        storeAll(List.of(later));
        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", messages.get(7)));
        assertThat(deliveredIds(fetch(), "sub")).containsExactly("m8", "m9", "m10");
    }

    @Test
    void replayAfterPerTopicRetentionDeliversTheNewestKeptRowsAfterTheCursor() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        long now = System.currentTimeMillis();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            messages.add(message("m" + i, "pub", TOPIC, 1, false, bytes("payload " + i), now + i));
        }
        storeAll(messages);
        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", messages.get(1)));

        runRetention(Map.of("retention.max_per_topic", "3"));

        assertThat(deliveredIds(fetch(), "sub")).containsExactly("m7", "m8", "m9");
    }

    @Test
    void theTimerRunsRetentionByItselfAndStopsWhenThePoolCloses() {
        PoolRuns.RecordingContext context = PoolRuns.context();
        SqlPool timed = (SqlPool) backend.open(poolConfig(Map.of("retention.max_age", "1h",
                "retention.interval", "1s")), context);
        long old = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
        storeAll(List.of(message("a", "pub", TOPIC, 1, false, bytes("x"), old),
                message("b", "pub", TOPIC, 1, false, bytes("x"), old)));
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(msgids()).isEmpty());
            assertThat(context.retentionRuns.get(poolName()))
                    .anySatisfy(r -> assertThat(r.deletedRows()).isEqualTo(2));
        } finally {
            timed.close().await().atMost(WAIT);
        }
        int runsAtClose = context.retentionRuns.get(poolName()).size();
        storeAll(List.of(message("c", "pub", TOPIC, 1, false, bytes("x"), old)));

        await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(msgids()).containsExactly("c"));
        assertThat(context.retentionRuns.get(poolName())).hasSize(runsAtClose);
    }

    @Test
    void aFailingRunWarnsOnceIsCountedAndTheNextRunAfterRecoveryWorks() {
        PoolRuns.RecordingContext context = PoolRuns.context();
        SqlPool retaining = (SqlPool) backend.open(poolConfig(Map.of("retention.max_age", "1h")), context);
        try (LogCapture log = LogCapture.of(SqlRetention.class)) {
            sql("DROP TABLE mqtt_msg");
            SqlRetention retention = retaining.retention().orElseThrow();

            RetentionRun first = retention.runOnce().await().atMost(WAIT);
            RetentionRun second = retention.runOnce().await().atMost(WAIT);
            pool.initSchema().await().atMost(WAIT);
            storeAll(List.of(message("a", "pub", TOPIC, 1, false, bytes("x"),
                    System.currentTimeMillis() - Duration.ofHours(2).toMillis())));
            RetentionRun third = retention.runOnce().await().atMost(WAIT);

            assertThat(List.of(first.succeeded(), second.succeeded(), third.succeeded()))
                    .containsExactly(false, false, true);
            assertThat(third.deletedRows()).isEqualTo(1);
            assertThat(log.at("WARN")).singleElement().asString()
                    .startsWith("retention of " + poolName() + " failed")
                    .contains("mqtt_msg");
            assertThat(log.at("INFO")).contains("retention of " + poolName() + " works again");
            assertThat(context.retentionRuns.get(poolName())).extracting(RetentionRun::succeeded)
                    .containsExactly(false, false, true);
        } finally {
            retaining.close().await().atMost(WAIT);
        }
    }

    /**
     * On a table of 20,000 rows over 100 topics, the plans of both deletes read their rows from an index and neither
     * scan nor sort, and the per-topic cut reads the topic's rows from its index (the shipped DDL's {@code arrived}
     * and {@code (topic, id)} indexes).
     * The test connection's collation differs from the columns', as the runtime's does.
     */
    @Test
    void theDeletesAndTheTopicCutReadAnIndexWithoutScanningOrSorting() {
        insertGeneratedRows(20_000);
        RetentionStatements statements = pool.dialect().retention();
        // The oldest 200 rows: what a run finds once retention has caught up.
        String older = literal(statements.deleteOlder(), System.currentTimeMillis() - 19_800_000L, 1000);
        String topic = literal(statements.deleteTopicUpTo(), "'t5'", 15_000, 1000);
        String cutoff = literal(RetentionStatements.TOPIC_CUTOFF, "'t5'", 100);

        assertThat(explain(older)).contains(arrivedIndex()).doesNotContain(tableScan(), sort());
        assertThat(explain(topic)).contains(topicIndex()).doesNotContain(tableScan(), sort());
        // The cut reads the topic's rows from the index; sorting those few may be the planner's cheaper choice.
        assertThat(explain(cutoff)).contains(topicIndex()).doesNotContain(tableScan());
    }

    /** Rows {@code g1..gN} on topics {@code t0..t99}, row {@code gi} arrived i seconds ago; statistics refreshed. */
    protected abstract void insertGeneratedRows(int count);

    /** The plan the database chooses for a statement, as one text. */
    protected abstract String explain(String sql);

    protected abstract String arrivedIndex();

    protected abstract String topicIndex();

    /** What a plan says when it reads the whole table. */
    protected abstract String tableScan();

    /** What a plan says when it sorts rows. */
    protected abstract String sort();

    private static String literal(String sql, Object... values) {
        String text = sql;
        for (int i = values.length; i >= 1; i--) {
            text = text.replace("$" + i, String.valueOf(values[i - 1]));
        }
        return text;
    }

    @Test
    void aPoolWithoutRetentionKeysHasNoRetention() {
        assertThat(pool.retention()).isEmpty();
    }

    /** One run of a pool with these retention settings, its timer left alone (the first run is an interval away). */
    protected RetentionRun runRetention(Map<String, String> settings) {
        SqlPool retaining = (SqlPool) backend.open(poolConfig(settings), PoolRuns.context());
        try {
            return retaining.retention().orElseThrow().runOnce().await().atMost(WAIT);
        } finally {
            retaining.close().await().atMost(WAIT);
        }
    }

    /** The messages stored in one batch, as the action stage would apply them. */
    @SuppressWarnings("unchecked")
    protected void storeAll(List<Message> messages) {
        PoolAction.Write<SqlWrite> action = (PoolAction.Write<SqlWrite>) pool.prepare(
                functionHook(HookPoint.MESSAGE_PUBLISH, "on_message_publish", OfflineOpts.NONE));
        List<WriteResult> results = pool.apply(messages.stream().map(m -> action.write().apply(publish(m))).toList())
                .await().atMost(WAIT);
        assertThat(results).containsOnly(WriteResult.APPLIED);
    }

    protected List<String> msgids() {
        return sql("SELECT msgid FROM mqtt_msg ORDER BY id").stream().map(r -> r.getString("msgid")).toList();
    }

    private ActionOutcome fetch() {
        return run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
    }

    private String poolName() {
        return kind().poolPrefix() + ".pool1";
    }

    private long cursor() {
        return sql("SELECT mid FROM mqtt_acked WHERE clientid = $1 AND topic = $2", "sub", TOPIC).get(0)
                .getLong("mid");
    }
}
