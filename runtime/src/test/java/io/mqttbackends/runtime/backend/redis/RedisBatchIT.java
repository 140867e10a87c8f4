package io.mqttbackends.runtime.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.testing.PoolRuns;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The batch contract on Redis: many events' writes in one MULTI/EXEC pipeline, one result per write, each write
 * idempotent ({@link BatchGuarantee#PER_ITEM}).
 */
class RedisBatchIT extends RedisTestSupport {

    @Test
    void writeFunctionsAreWritesAndLookupsAreReads() {
        assertThat(pool.traits().guarantee()).isEqualTo(BatchGuarantee.PER_ITEM);
        assertThat(action(HookPoint.MESSAGE_PUBLISH, "on_message_publish")).isInstanceOf(PoolAction.Write.class);
        assertThat(action(HookPoint.CLIENT_CONNECTED, "on_client_connected")).isInstanceOf(PoolAction.Write.class);
        assertThat(action(HookPoint.MESSAGE_ACKED, "on_message_acked_for_pubsub"))
                .isInstanceOf(PoolAction.Write.class);
        assertThat(action(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_queue"))
                .isInstanceOf(PoolAction.Read.class);
        assertThat(action(HookPoint.MESSAGE_PUBLISH, "on_retain_delete")).isInstanceOf(PoolAction.Read.class);
    }

    @Test
    void aBatchWritesEveryEventsCommandsAndAnswersOneResultPerWrite() {
        Message m1 = message("b1", "batch/t", 1, false, "one", 1000);
        Message m2 = message("b2", "batch/t", 1, false, "two", 2000);

        List<WriteResult> results = applyBatch(m1, m2);

        assertThat(results).containsExactly(WriteResult.APPLIED, WriteResult.APPLIED, WriteResult.APPLIED);
        assertThat(redis.zrange("mqtt:msg:batch/t")).containsExactly("b1", "b2");
        assertThat(redis.hash("mqtt:msg:b2")).containsEntry("payload", "two");
        assertThat(redis.ttl("mqtt:msg:b1")).isPositive();
        assertThat(redis.hash("mqtt:client:bc")).containsEntry("state", "1");
    }

    @Test
    void applyingTheSameBatchTwiceLeavesTheSameKeys() {
        Message m1 = message("i1", "idem/t", 1, false, "one", 1000);
        Message m2 = message("i2", "idem/t", 1, false, "two", 2000);
        applyBatch(m1, m2);
        Map<String, String> client = redis.hash("mqtt:client:bc");
        Map<String, String> msg = redis.hash("mqtt:msg:i2");

        assertThat(applyBatch(m1, m2)).containsOnly(WriteResult.APPLIED);

        assertThat(redis.zrange("mqtt:msg:idem/t")).containsExactly("i1", "i2");
        assertThat(redis.hash("mqtt:msg:i2")).isEqualTo(msg);
        assertThat(redis.hash("mqtt:client:bc")).isEqualTo(client);
    }

    @Test
    void aRefusedCommandFailsOnlyItsOwnWriteAndIsPermanent() {
        redis.command("SET", "mqtt:client:clash", "a string, not a hash");
        PoolAction<RedisWrite> connect = action(HookPoint.CLIENT_CONNECTED, "on_client_connected");

        List<WriteResult> results = PoolRuns.apply(pool, Map.entry(connect, (Event) new ClientConnected(
                client("fine", 1))), Map.entry(connect, new ClientConnected(client("clash", 1))))
                .await().atMost(WAIT);

        assertThat(results.get(0)).isEqualTo(WriteResult.APPLIED);
        assertThat(redis.hash("mqtt:client:fine")).containsEntry("state", "1");
        assertThat(results.get(1)).isInstanceOfSatisfying(WriteResult.Failed.class, failed -> {
            assertThat(failed.cause()).hasMessageContaining("WRONGTYPE");
            assertThat(pool.classify(failed.cause())).isEqualTo(FailureClass.PERMANENT);
        });
    }

    private List<WriteResult> applyBatch(Message m1, Message m2) {
        PoolAction<RedisWrite> publish = action(HookPoint.MESSAGE_PUBLISH, "on_message_publish");
        PoolAction<RedisWrite> connect = action(HookPoint.CLIENT_CONNECTED, "on_client_connected");
        return PoolRuns.apply(pool, Map.entry(publish, (Event) publish(m1)),
                Map.entry(connect, new ClientConnected(client("bc", 5))), Map.entry(publish, publish(m2)))
                .await().atMost(WAIT);
    }

    private PoolAction<RedisWrite> action(HookPoint hookPoint, String function) {
        return pool.prepare(functionHook(hookPoint, function, OptionalInt.empty()));
    }
}
