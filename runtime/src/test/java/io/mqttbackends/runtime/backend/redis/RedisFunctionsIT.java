package io.mqttbackends.runtime.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RedisFunctionsIT extends RedisTestSupport {

    private static final String TOPIC = "devices/d1/inbox";

    @Test
    void functionsAreTheFourteenOfEmqxBackendRedis() {
        assertThat(backend.functions()).containsExactlyInAnyOrder("on_client_connected", "on_client_disconnected",
                "on_subscribe_lookup", "on_message_fetch_for_queue", "on_message_fetch_for_pubsub",
                "on_message_fetch_for_keep_latest", "on_retain_lookup", "on_message_publish",
                "on_message_store_keep_latest", "on_message_retain", "on_retain_delete",
                "on_message_acked_for_queue", "on_message_acked_for_pubsub", "on_message_acked_for_keep_latest");
    }

    @Test
    void aFunctionOfAnotherDatabaseIsAConfigErrorAtTheHookLine() {
        assertThatThrownBy(() -> pool.prepare(functionHook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch",
                OptionalInt.empty())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown redis function 'on_message_fetch'")
                .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location()).isEqualTo(LOCATION));
    }

    @Test
    void connectWritesTheClientAndNodeHashesAndDisconnectMarksOffline() {
        run(HookPoint.CLIENT_CONNECTED, "on_client_connected", new ClientConnected(client("c1", 1_700_000_000_100L)));
        assertThat(redis.hash("mqtt:client:c1")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "state", "1", "online_at", "1700000000100", "offline_at", "undefined"));
        assertThat(redis.hash("mqtt:node:" + NODE)).containsExactlyEntriesOf(Map.of("c1", "1700000000100"));

        run(HookPoint.CLIENT_DISCONNECTED, "on_client_disconnected",
                new ClientDisconnected(client("c1", 1_700_000_000_900L), "normal"));
        assertThat(redis.hash("mqtt:client:c1")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "state", "0", "online_at", "1700000000100", "offline_at", "1700000000900"));
        assertThat(redis.exists("mqtt:node:" + NODE)).isFalse();
    }

    @Test
    void subscribeLookupReadsTheSubHashAndSkipsABadQos() {
        redis.command("HSET", "mqtt:sub:c1", "a/b", "1", "c/#", "2", "bad", "high");
        ActionOutcome outcome = run(HookPoint.CLIENT_CONNECTED, "on_subscribe_lookup",
                new ClientConnected(client("c1", 1)));
        assertThat(outcome).isInstanceOfSatisfying(ActionOutcome.SubscribeClient.class, s -> {
            assertThat(s.clientid()).isEqualTo("c1");
            assertThat(s.subscriptions()).containsExactlyInAnyOrder(new Subscription("a/b", 1),
                    new Subscription("c/#", 2));
        });
        assertThat(run(HookPoint.CLIENT_CONNECTED, "on_subscribe_lookup", new ClientConnected(client("c9", 1))))
                .isEqualTo(ActionOutcome.NONE);
    }

    @Test
    void publishWritesTheMessageHashWithTtlAndScoresTheTopicSetByArrival() {
        byte[] binary = {(byte) 0xff, 0, 0x20, (byte) 0xfe};
        Message m = new Message("M1", "pub", TOPIC, 1, false, binary, 1_700_000_000_123L, Map.of());
        run(functionHook(HookPoint.MESSAGE_PUBLISH, "on_message_publish", OptionalInt.of(3600)), publish(m));

        assertThat(redis.hash("mqtt:msg:M1")).containsAllEntriesOf(Map.of("id", "M1", "from", "pub", "qos", "1",
                "topic", TOPIC, "ts", "1700000000123", "retain", "false"));
        assertThat(redis.hash("mqtt:msg:M1")).containsOnlyKeys("id", "from", "qos", "topic", "payload", "ts",
                "retain");
        assertThat(redis.hashBytes("mqtt:msg:M1", "payload")).isEqualTo(binary);
        assertThat(redis.ttl("mqtt:msg:M1")).isBetween(3590L, 3600L);
        assertThat(redis.zscore("mqtt:msg:" + TOPIC, "M1")).contains(1_700_000_000_123.0);
        assertThat(redis.ttl("mqtt:msg:" + TOPIC)).as("the topic set never expires").isEqualTo(-1);
    }

    @Test
    void publishWithoutExpiredTimeUsesEmqxDefaultAndARetainedQos0IsStoredOutsideTheTopicSet() {
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(message("R0", TOPIC, 0, true, "on", 1000)));
        assertThat(redis.hash("mqtt:msg:R0")).containsEntry("retain", "true").containsEntry("qos", "0");
        assertThat(redis.ttl("mqtt:msg:R0")).isBetween(7190L, 7200L);
        assertThat(redis.exists("mqtt:msg:" + TOPIC)).isFalse();
    }

    @Test
    void queueFetchDeliversEveryStoredMessageInArrivalOrderNotMsgidOrder() {
        // msgids whose text order is the reverse of their arrival order: EMQX's all-1 scores would replay z, y, x.
        store("z", 1000);
        store("y", 2000);
        store("x", 3000);

        ActionOutcome outcome = run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_queue",
                subscribed("sub", TOPIC));

        assertThat(ids(outcome, "sub")).containsExactly("z", "y", "x");
        StoredMessage first = ((ActionOutcome.Deliver) outcome).messages().get(0);
        assertThat(first.topic()).isEqualTo(TOPIC);
        assertThat(first.sender()).isEqualTo("pub");
        assertThat(first.qos()).isEqualTo(1);
        assertThat(first.retain()).isFalse();
        assertThat(first.payload()).isEqualTo(bytes("payload z"));
        assertThat(first.arrived()).isEqualTo(1000);
    }

    @Test
    void queueAckDeletesTheMessageForEveryConsumer() {
        Message m1 = store("m1", 1000);
        store("m2", 2000);

        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_queue", acked("sub", m1));

        assertThat(redis.exists("mqtt:msg:m1")).isFalse();
        assertThat(redis.zrange("mqtt:msg:" + TOPIC)).containsExactly("m2");
        assertThat(ids(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_queue", subscribed("other", TOPIC)),
                "other")).containsExactly("m2");
    }

    @Test
    void queueAckOfAReplayFindsTheStoredMessageThroughTheMsgidProperty() {
        Message m1 = store("m1", 1000);
        Message replay = new Message("fresh", "runtime", TOPIC, 1, false, m1.payload(), 5000,
                Map.of(Message.ORIGIN_PROPERTY, "rt", Message.MSGID_PROPERTY, "m1"));
        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_queue", acked("sub", replay));
        assertThat(redis.exists("mqtt:msg:m1")).isFalse();
        assertThat(redis.zrange("mqtt:msg:" + TOPIC)).isEmpty();
    }

    @Test
    void fetchPrunesSetMembersWhoseHashExpired() {
        store("m1", 1000);
        store("m2", 2000);
        store("m3", 3000);
        redis.command("DEL", "mqtt:msg:m2");

        assertThat(ids(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_queue", subscribed("sub", TOPIC)),
                "sub")).containsExactly("m1", "m3");
        assertThat(redis.zrange("mqtt:msg:" + TOPIC)).containsExactly("m1", "m3");
    }

    @Test
    void firstPubsubSubscriptionPlacesTheCursorAtTheNewestAndDeliversNothing() {
        store("m1", 1000);
        store("m2", 2000);
        assertThat(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("sub", TOPIC)))
                .isEqualTo(ActionOutcome.NONE);
        assertThat(redis.string("mqtt:acked:sub:" + TOPIC)).contains("m2");

        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("empty", "nothing/here"));
        assertThat(redis.string("mqtt:acked:empty:nothing/here")).contains("0");
    }

    @Test
    void pubsubFetchDeliversWhatFollowsTheAckedCursorAndEachSubscriberHasItsOwn() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("a", TOPIC));
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("b", TOPIC));
        List<Message> stored = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stored.add(store("m" + i, 1000 + i));
        }
        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_pubsub", acked("a", stored.get(1)));
        assertThat(redis.string("mqtt:acked:a:" + TOPIC)).contains("m1");

        assertThat(ids(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("a", TOPIC)),
                "a")).containsExactly("m2", "m3", "m4");
        assertThat(ids(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("b", TOPIC)),
                "b")).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(redis.string("mqtt:acked:a:" + TOPIC)).as("fetching does not move the cursor").contains("m1");
        assertThat(redis.exists("mqtt:msg:m0")).as("pubsub acks delete nothing").isTrue();
    }

    @Test
    void pubsubAckNeverMovesTheCursorBack() {
        List<Message> stored = List.of(store("m0", 1000), store("m1", 2000), store("m2", 3000));
        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_pubsub", acked("a", stored.get(2)));
        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_pubsub", acked("a", stored.get(0)));
        assertThat(redis.string("mqtt:acked:a:" + TOPIC)).contains("m2");
    }

    @Test
    void messagesArrivingInTheSameMillisecondAsTheCursorAreNotSkipped() {
        store("b", 1000);
        Message cursor = store("c", 2000);
        store("a", 2000);
        store("d", 2000);
        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_pubsub", acked("s", cursor));
        assertThat(ids(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("s", TOPIC)),
                "s")).containsExactly("d");
    }

    @Test
    void aCursorWhoseMessageLeftTheSetReplaysWhatRemainsInsteadOfNothing() {
        Message m0 = store("m0", 1000);
        store("m1", 2000);
        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_pubsub", acked("s", m0));
        redis.command("DEL", "mqtt:msg:m0");
        redis.command("ZREM", "mqtt:msg:" + TOPIC, "m0");

        assertThat(ids(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_pubsub", subscribed("s", TOPIC)),
                "s")).containsExactly("m1");
    }

    @Test
    void retainStoresAPointerWithTtlAndLookupReplaysTheHashMarkedRetained() {
        Message m = message("R1", TOPIC, 1, true, "online", 1000);
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        run(functionHook(HookPoint.MESSAGE_PUBLISH, "on_message_retain", OptionalInt.of(600)), publish(m));
        assertThat(redis.string("mqtt:retain:" + TOPIC)).contains("R1");
        assertThat(redis.ttl("mqtt:retain:" + TOPIC)).isBetween(590L, 600L);

        ActionOutcome outcome = run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup", subscribed("sub", TOPIC));
        assertThat(outcome).isInstanceOfSatisfying(ActionOutcome.Deliver.class, d -> {
            assertThat(d.clientid()).isEqualTo("sub");
            assertThat(d.messages()).singleElement().satisfies(r -> {
                assertThat(r.msgid()).isEqualTo("R1");
                assertThat(r.retain()).isTrue();
                assertThat(r.payload()).isEqualTo(bytes("online"));
            });
        });
        assertThat(run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup", subscribed("sub", "no/retained")))
                .isEqualTo(ActionOutcome.NONE);
    }

    @Test
    void retainLookupOfAnExpiredHashDeliversNothingAndPrunesTheSet() {
        Message m = message("R1", TOPIC, 1, true, "online", 1000);
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain", publish(m));
        redis.command("DEL", "mqtt:msg:R1");

        assertThat(run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup", subscribed("sub", TOPIC)))
                .isEqualTo(ActionOutcome.NONE);
        assertThat(redis.zrange("mqtt:msg:" + TOPIC)).isEmpty();
    }

    @Test
    void retainDeleteRemovesThePointerAndTheMessageItPointsTo() {
        Message m = message("R1", TOPIC, 1, true, "online", 1000);
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain", publish(m));

        run(HookPoint.MESSAGE_PUBLISH, "on_retain_delete", publish(message("E", TOPIC, 1, true, "", 2000)));

        assertThat(redis.exists("mqtt:retain:" + TOPIC)).isFalse();
        assertThat(redis.exists("mqtt:msg:R1")).isFalse();
        // Nothing retained: still fine.
        run(HookPoint.MESSAGE_PUBLISH, "on_retain_delete", publish(message("E2", TOPIC, 1, true, "", 3000)));
    }

    @Test
    void keepLatestStoresOnlyTheNewestFetchesItAndAnAckDeletesIt() {
        run(functionHook(HookPoint.MESSAGE_PUBLISH, "on_message_store_keep_latest", OptionalInt.of(300)),
                publish(message("L1", TOPIC, 1, false, "first", 1000)));
        run(functionHook(HookPoint.MESSAGE_PUBLISH, "on_message_store_keep_latest", OptionalInt.of(300)),
                publish(message("L2", TOPIC, 1, false, "second", 2000)));
        assertThat(redis.hash("mqtt:latest_msg:" + TOPIC)).containsEntry("id", "L2").containsEntry("ts", "2000")
                .containsEntry("payload", "second");
        assertThat(redis.ttl("mqtt:latest_msg:" + TOPIC)).isBetween(290L, 300L);

        assertThat(ids(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_keep_latest",
                subscribed("sub", TOPIC)), "sub")).containsExactly("L2");

        run(HookPoint.MESSAGE_ACKED, "on_message_acked_for_keep_latest",
                acked("sub", message("L2", TOPIC, 1, false, "second", 2000)));
        assertThat(redis.exists("mqtt:latest_msg:" + TOPIC)).isFalse();
        assertThat(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_keep_latest", subscribed("sub", TOPIC)))
                .isEqualTo(ActionOutcome.NONE);
    }

    private Message store(String msgid, long timestamp) {
        Message m = message(msgid, TOPIC, 1, false, "payload " + msgid, timestamp);
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        return m;
    }

    private static List<String> ids(ActionOutcome outcome, String clientid) {
        assertThat(outcome).isInstanceOf(ActionOutcome.Deliver.class);
        ActionOutcome.Deliver deliver = (ActionOutcome.Deliver) outcome;
        assertThat(deliver.clientid()).isEqualTo(clientid);
        return deliver.messages().stream().map(StoredMessage::msgid).toList();
    }
}
