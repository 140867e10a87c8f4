package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.backend.FailureClass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code commands} templates with EMQX's placeholder rules (EMQX 4.4's statement templates, docs/configuration.md
 * "Placeholders"), on real Redis. */
class RedisCommandsIT extends RedisTestSupport {

    @Test
    void emqxDefaultUnsubscribeCommandDeletesTheAckCursor() {
        redis.command("SET", "mqtt:acked:c1:a/b", "m1");
        redis.command("SET", "mqtt:acked:c1:a/c", "m1");
        run(commandsHook(HookPoint.SESSION_UNSUBSCRIBED, false, "DEL mqtt:acked:${clientid}:${topic}"),
                new SessionUnsubscribed(client("c1", 1), "a/b"));
        assertThat(redis.exists("mqtt:acked:c1:a/b")).isFalse();
        assertThat(redis.exists("mqtt:acked:c1:a/c")).isTrue();
    }

    @Test
    void pipelineSendsEveryCommandWithMessageExpandedAndWholeTokensSubstituted() {
        byte[] payload = {'a', ' ', 'b', (byte) 0xff};
        Message m = new Message("M7", "pub", "t/1", 2, true, payload, 1234, Map.of());
        ActionOutcome outcome = run(commandsHook(HookPoint.MESSAGE_PUBLISH, true,
                "HMSET  my:${topic}:${msgid} ${message}",
                "EXPIRE my:${topic}:${msgid} 60",
                "LPUSH my:log:${clientid} ${payload}",
                "HSET my:qos ${msgid} ${qos}"), publish(m));

        assertThat(outcome).isEqualTo(ActionOutcome.NONE);
        assertThat(redis.hash("my:t/1:M7")).containsAllEntriesOf(Map.of("id", "M7", "from", "pub", "qos", "2",
                "topic", "t/1", "ts", "1234", "retain", "true"));
        assertThat(redis.hashBytes("my:t/1:M7", "payload")).as("a payload with a space stays one argument")
                .isEqualTo(payload);
        assertThat(redis.ttl("my:t/1:M7")).isBetween(50L, 60L);
        assertThat(redis.command("LINDEX", "my:log:pub", 0).toBytes()).isEqualTo(payload);
        assertThat(redis.hash("my:qos")).containsEntry("M7", "2");
    }

    @Test
    void commandsWithoutPipelineRunOneAfterAnotherInOrder() {
        run(commandsHook(HookPoint.CLIENT_CONNECTED, false, "SET my:${clientid} first",
                "APPEND my:${clientid} -second", "RPUSH my:users ${clientid} ${username} ${node}"),
                new ClientConnected(client("c1", 1)));
        assertThat(redis.string("my:c1")).contains("first-second");
        assertThat(redis.command("LRANGE", "my:users", 0, -1).toString()).isEqualTo("[c1, user-c1, " + NODE + "]");
    }

    @Test
    void aFailingCommandFailsTheActionAndIsNotTransient() {
        redis.command("SET", "my:string", "x");
        assertThatThrownBy(() -> run(commandsHook(HookPoint.CLIENT_CONNECTED, true, "HSET my:string f ${clientid}"),
                new ClientConnected(client("c1", 1))))
                .satisfies(e -> assertThat(pool.classify(e)).as("WRONGTYPE: %s", e).isEqualTo(FailureClass.PERMANENT));
    }

    @Test
    void templateErrorsAreConfigErrorsAtTheHookLine() {
        String[][] cases = {
                {"HSET my:key x${clientid}", "after the key a placeholder must be a whole argument"},
                {"HSET my:${message} f v", "${message} expands to several arguments"},
                {"${clientid} my:key", "command name"},
                {"SET my:${nope} 1", "unknown placeholder ${nope}"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> pool.prepare(commandsHook(HookPoint.MESSAGE_PUBLISH, false, c[0])))
                    .as(c[0])
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(c[1])
                    .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location())
                            .isEqualTo(LOCATION));
        }
    }
}
