package io.mqttbackends.runtime.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.Invocation;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Pure writes batch: many events' commands in one MULTI/EXEC pipeline ({@code BackendPool#runBatch}). */
class RedisBatchIT extends RedisTestSupport {

    @Test
    void writeFunctionsArePureWritesAndReadsAreNot() {
        assertThat(action(HookPoint.MESSAGE_PUBLISH, "on_message_publish").batchable()).isTrue();
        assertThat(action(HookPoint.CLIENT_CONNECTED, "on_client_connected").batchable()).isTrue();
        assertThat(action(HookPoint.MESSAGE_ACKED, "on_message_acked_for_pubsub").batchable()).isTrue();
        assertThat(action(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_queue").batchable()).isFalse();
        assertThat(action(HookPoint.MESSAGE_PUBLISH, "on_retain_delete").batchable()).isFalse();
        assertThat(pool.prepare(commandsHook(HookPoint.CLIENT_CONNECTED, true, "SET a ${clientid}")).batchable())
                .isTrue();
        assertThat(pool.prepare(commandsHook(HookPoint.CLIENT_CONNECTED, false, "SET a ${clientid}")).batchable())
                .as("without \"pipeline\" each command waits for the previous reply").isFalse();
    }

    @Test
    void aBatchWritesEveryEventsCommands() {
        PoolAction publish = action(HookPoint.MESSAGE_PUBLISH, "on_message_publish");
        PoolAction connect = action(HookPoint.CLIENT_CONNECTED, "on_client_connected");
        Message m1 = message("b1", "batch/t", 1, false, "one", 1000);
        Message m2 = message("b2", "batch/t", 1, false, "two", 2000);

        pool.runBatch(List.of(new Invocation(publish, publish(m1)), new Invocation(connect,
                new ClientConnected(client("bc", 5))), new Invocation(publish, publish(m2)))).await().atMost(WAIT);

        assertThat(redis.zrange("mqtt:msg:batch/t")).containsExactly("b1", "b2");
        assertThat(redis.hash("mqtt:msg:b2")).containsEntry("payload", "two");
        assertThat(redis.ttl("mqtt:msg:b1")).isPositive();
        assertThat(redis.hash("mqtt:client:bc")).containsEntry("state", "1");
    }

    @Test
    void aBatchWithARefusedCommandFailsSoTheActionStageCanIsolateIt() {
        redis.command("SET", "mqtt:client:clash", "a string, not a hash");
        PoolAction connect = action(HookPoint.CLIENT_CONNECTED, "on_client_connected");
        assertThatThrownBy(() -> pool.runBatch(List.of(
                new Invocation(connect, new ClientConnected(client("fine", 1))),
                new Invocation(connect, new ClientConnected(client("clash", 1))))).await().atMost(WAIT))
                .hasMessageContaining("WRONGTYPE")
                .satisfies(e -> assertThat(pool.isTransient(e)).isFalse());
    }

    private PoolAction action(HookPoint hookPoint, String function) {
        return pool.prepare(functionHook(hookPoint, function, OptionalInt.empty()));
    }
}
