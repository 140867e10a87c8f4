package io.mqttbackends.runtime.hook;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FunctionGuardsTest {
    private static final ClientInfo CLIENT = new ClientInfo("c1", Optional.empty(), Optional.empty(), "n", 0L);

    private static MessagePublish publish(int qos, boolean retain, String payload) {
        return new MessagePublish(CLIENT, new Message("id", "c1", "t", qos, retain,
                payload.getBytes(StandardCharsets.UTF_8), 0L, Map.of()));
    }

    private static Predicate<Event> guard(DatabaseKind kind, String function) {
        return FunctionGuards.forAction(kind, new ActionSpec.Function(function));
    }

    @Test
    void onMessagePublishStoresOnlyQos1And2AndNeverARetainedDelete() {
        Predicate<Event> g = guard(DatabaseKind.PGSQL, "on_message_publish");
        assertThat(g.test(publish(0, false, "x"))).isFalse();
        assertThat(g.test(publish(1, false, "x"))).isTrue();
        assertThat(g.test(publish(2, true, "x"))).isTrue();
        assertThat(g.test(publish(1, true, ""))).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, names = {"REDIS", "CASSANDRA"})
    void whereRetainPointsAtTheStoredMessageOnMessagePublishAlsoKeepsQos0RetainedMessages(DatabaseKind kind) {
        Predicate<Event> g = guard(kind, "on_message_publish");
        assertThat(g.test(publish(0, true, "x"))).isTrue();
        assertThat(g.test(publish(0, false, "x"))).isFalse();
        assertThat(guard(DatabaseKind.MONGO, "on_message_publish").test(publish(0, true, "x"))).isFalse();
    }

    @Test
    void onMessageStoreStoresEveryQos() {
        Predicate<Event> g = guard(DatabaseKind.PGSQL, "on_message_store");
        assertThat(List.of(publish(0, false, "x"), publish(1, false, "x"), publish(2, true, "x")))
                .allMatch(g);
    }

    @Test
    void retainFunctionsSplitOnEmptyPayload() {
        Predicate<Event> retain = guard(DatabaseKind.PGSQL, "on_message_retain");
        Predicate<Event> delete = guard(DatabaseKind.PGSQL, "on_retain_delete");
        assertThat(retain.test(publish(0, true, "on"))).isTrue();
        assertThat(retain.test(publish(1, true, ""))).isFalse();
        assertThat(retain.test(publish(1, false, "on"))).isFalse();
        assertThat(delete.test(publish(1, true, ""))).isTrue();
        assertThat(delete.test(publish(1, true, "on"))).isFalse();
        assertThat(delete.test(publish(1, false, ""))).isFalse();
    }

    @Test
    void fetchRunsOnlyForNewQos1And2Subscriptions() {
        Predicate<Event> g = guard(DatabaseKind.PGSQL, "on_message_fetch");
        assertThat(g.test(new SessionSubscribed(CLIENT, "t", 1, true))).isTrue();
        assertThat(g.test(new SessionSubscribed(CLIENT, "t", 0, true))).isFalse();
        assertThat(g.test(new SessionSubscribed(CLIENT, "t", 2, false))).isFalse();
        assertThat(guard(DatabaseKind.REDIS, "on_message_fetch_for_queue")
                .test(new SessionSubscribed(CLIENT, "t", 0, true))).isFalse();
    }

    @Test
    void statementTemplatesAlwaysRun() {
        Predicate<Event> g = FunctionGuards.forAction(DatabaseKind.PGSQL,
                new ActionSpec.Statements(ActionSpec.Language.SQL, List.of("select 1"), false));
        assertThat(g.test(publish(0, false, ""))).isTrue();
    }
}
