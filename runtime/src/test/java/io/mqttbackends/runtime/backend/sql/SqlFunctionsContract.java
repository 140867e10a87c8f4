package io.mqttbackends.runtime.backend.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageDelivered;
import io.vertx.mutiny.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The built-in functions of EMQX's SQL backends (docs/mysql.md, docs/postgresql.md), the same behaviour on every SQL
 * database: each
 * database's test extends this with its server.
 */
public abstract class SqlFunctionsContract extends SqlBackendTestSupport {

    private static final String TOPIC = "devices/d1/state";

    protected SqlFunctionsContract(DatabaseKind kind) {
        super(kind);
    }

    @Test
    void functionsAreTheElevenOfEmqxSqlBackends() {
        assertThat(backend.functions()).containsExactlyInAnyOrder("on_client_connected", "on_client_disconnected",
                "on_subscribe_lookup", "on_message_fetch", "on_retain_lookup", "on_message_publish",
                "on_message_store", "on_message_retain", "on_retain_delete", "on_message_acked",
                "on_message_delivered");
    }

    @Test
    void aFunctionOfAnotherDatabaseIsAConfigErrorAtTheHookLine() {
        assertThatThrownBy(() -> pool.prepare(functionHook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch_for_queue",
                OfflineOpts.NONE)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown " + kind() + " function 'on_message_fetch_for_queue'")
                .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location()).isEqualTo(location()));
    }

    @Test
    void connectUpsertsOnlineClientAndDisconnectSetsOfflineAt() {
        run(HookPoint.CLIENT_CONNECTED, "on_client_connected", new ClientConnected(client("c1", 1)));
        Row online = sql("SELECT state, node, online_at, offline_at FROM mqtt_client WHERE clientid = 'c1'").get(0);
        assertThat(state(online)).isEqualTo("1");
        assertThat(online.getString("node")).isEqualTo(NODE);
        assertThat(online.getValue("online_at")).isNotNull();
        assertThat(online.getValue("offline_at")).isNull();

        run(HookPoint.CLIENT_DISCONNECTED, "on_client_disconnected", new ClientDisconnected(client("c1", 2), ""));
        Row offline = sql("SELECT state, offline_at FROM mqtt_client WHERE clientid = 'c1'").get(0);
        assertThat(state(offline)).isEqualTo("0");
        assertThat(offline.getValue("offline_at")).isNotNull();

        run(HookPoint.CLIENT_CONNECTED, "on_client_connected", new ClientConnected(client("c1", 3)));
        List<Row> again = sql("SELECT state, offline_at FROM mqtt_client WHERE clientid = 'c1'");
        assertThat(again).hasSize(1);
        assertThat(state(again.get(0))).isEqualTo("1");
        assertThat(again.get(0).getValue("offline_at")).isNull();
    }

    @Test
    void subscribeLookupReturnsTheClientsRowsAndNothingWithoutRows() {
        sql("INSERT INTO mqtt_sub (clientid, topic, qos) VALUES ('c1', 'a/b', 1), ('c1', 'c/#', 2), ('c2', 'x', 0)");
        ActionOutcome outcome = run(HookPoint.CLIENT_CONNECTED, "on_subscribe_lookup",
                new ClientConnected(client("c1", 1)));
        assertThat(outcome).isInstanceOf(ActionOutcome.SubscribeClient.class);
        ActionOutcome.SubscribeClient subscribe = (ActionOutcome.SubscribeClient) outcome;
        assertThat(subscribe.clientid()).isEqualTo("c1");
        assertThat(subscribe.subscriptions()).containsExactlyInAnyOrder(new Subscription("a/b", 1),
                new Subscription("c/#", 2));

        assertThat(run(HookPoint.CLIENT_CONNECTED, "on_subscribe_lookup", new ClientConnected(client("c9", 1))))
                .isEqualTo(ActionOutcome.NONE);
    }

    @Test
    void publishStoresTheMessageWithMillisecondArrival() {
        long ts = 1_700_000_000_123L;
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish",
                publish(message("M1", "pub", TOPIC, 1, false, bytes("hello"), ts)));
        Row row = sql("SELECT msgid, sender, topic, qos, retain, payload, "
                + arrivedMillis() + " AS ms FROM mqtt_msg").get(0);
        assertThat(row.getString("msgid")).isEqualTo("M1");
        assertThat(row.getString("sender")).isEqualTo("pub");
        assertThat(row.getString("topic")).isEqualTo(TOPIC);
        assertThat(row.getInteger("qos")).isEqualTo(1);
        assertThat(row.getInteger("retain")).isEqualTo(0);
        assertThat(row.getBuffer("payload").getBytes()).isEqualTo(bytes("hello"));
        assertThat(row.getLong("ms")).isEqualTo(ts);
    }

    @Test
    void aMessageDeliveredAgainWithTheSameIdIsStoredOnceOnTheShippedSchema() {
        Message m = message("again", "pub", TOPIC, 1, false, bytes("x"), 1_700_000_000_000L);
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        assertThat(sql("SELECT msgid FROM mqtt_msg")).hasSize(1);
    }

    @Test
    void storeWritesTheSameRowAsPublish() {
        run(HookPoint.MESSAGE_PUBLISH, "on_message_store",
                publish(message("M0", "pub", TOPIC, 0, true, bytes("q0"), 1000)));
        Row row = sql("SELECT msgid, qos, retain, payload FROM mqtt_msg").get(0);
        assertThat(row.getString("msgid")).isEqualTo("M0");
        assertThat(row.getInteger("qos")).isEqualTo(0);
        assertThat(row.getInteger("retain")).isEqualTo(1);
        assertThat(row.getBuffer("payload").getBytes()).isEqualTo(bytes("q0"));
    }

    @Test
    void firstSubscriptionPlacesTheCursorAtTheNewestMessageAndDeliversNothing() {
        storeMessages(3);
        long newest = sql("SELECT max(id) AS id FROM mqtt_msg").get(0).getLong("id");

        ActionOutcome outcome = run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));

        assertThat(outcome).isEqualTo(ActionOutcome.NONE);
        assertThat(cursor("sub", TOPIC)).isEqualTo(newest);
    }

    @Test
    void firstSubscriptionToAnEmptyTopicPlacesTheCursorAtZero() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        assertThat(cursor("sub", TOPIC)).isZero();
    }

    @Test
    void fetchAfterAckingUpToKDeliversExactlyTheLaterMessagesAscendingWithoutMovingTheCursor() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        List<Message> stored = storeMessages(5);
        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", stored.get(1)));

        ActionOutcome outcome = run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));

        assertThat(deliveredIds(outcome, "sub")).containsExactly("m2", "m3", "m4");
        StoredMessage first = ((ActionOutcome.Deliver) outcome).messages().get(0);
        assertThat(first).satisfies(m -> {
            assertThat(m.topic()).isEqualTo(TOPIC);
            assertThat(m.sender()).isEqualTo("pub");
            assertThat(m.qos()).isEqualTo(1);
            assertThat(m.retain()).isFalse();
            assertThat(m.payload()).isEqualTo(bytes("payload 2"));
            assertThat(m.arrived()).isEqualTo(stored.get(2).timestamp());
        });
        long ackedId = sql("SELECT id FROM mqtt_msg WHERE msgid = 'm1'").get(0).getLong("id");
        assertThat(cursor("sub", TOPIC)).isEqualTo(ackedId);
    }

    @Test
    void maxReturnedCountDeliversTheNewestNInAscendingOrder() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        storeMessages(6);
        OfflineOpts opts = new OfflineOpts(OptionalInt.of(2), Optional.empty());

        ActionOutcome outcome = run(functionHook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", opts),
                subscribed("sub", TOPIC));

        assertThat(deliveredIds(outcome, "sub")).containsExactly("m4", "m5");
    }

    @Test
    void timeRangeExcludesMessagesThatArrivedEarlier() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        long now = System.currentTimeMillis();
        store(message("old", "pub", TOPIC, 1, false, bytes("old"), now - Duration.ofHours(3).toMillis()));
        store(message("recent", "pub", TOPIC, 1, false, bytes("recent"), now - Duration.ofMinutes(5).toMillis()));
        OfflineOpts opts = new OfflineOpts(OptionalInt.empty(), Optional.of(Duration.ofHours(2)));

        ActionOutcome outcome = run(functionHook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", opts),
                subscribed("sub", TOPIC));

        assertThat(deliveredIds(outcome, "sub")).containsExactly("recent");
    }

    @Test
    void fetchOnlyDeliversTheSubscribedTopic() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        store(message("other", "pub", "devices/d2/state", 1, false, bytes("x"), 1000));
        store(message("mine", "pub", TOPIC, 1, false, bytes("x"), 1000));

        assertThat(deliveredIds(run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC)),
                "sub")).containsExactly("mine");
    }

    @Test
    void ackNeverMovesTheCursorBack() {
        List<Message> stored = storeMessages(3);
        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", stored.get(2)));
        long newest = cursor("sub", TOPIC);

        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", stored.get(0)));

        assertThat(cursor("sub", TOPIC)).isEqualTo(newest);
        assertThat(newest).isEqualTo(sql("SELECT id FROM mqtt_msg WHERE msgid = 'm2'").get(0).getLong("id"));
    }

    @Test
    void ackOfAReplayMovesTheCursorThroughTheStoredMsgidProperty() {
        List<Message> stored = storeMessages(2);
        Message replay = new Message("fresh-id", "runtime", TOPIC, 1, false, bytes("payload 1"), 5000,
                Map.of(Message.ORIGIN_PROPERTY, "mqtt-backends", Message.MSGID_PROPERTY, stored.get(1).msgid()));

        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", replay));

        assertThat(cursor("sub", TOPIC)).isEqualTo(sql("SELECT id FROM mqtt_msg WHERE msgid = 'm1'").get(0)
                .getLong("id"));
    }

    @Test
    void ackOfAMessageThatWasNeverStoredWritesNothing() {
        run(HookPoint.MESSAGE_ACKED, "on_message_acked",
                acked("sub", message("unknown", "pub", TOPIC, 1, false, bytes("x"), 1000)));
        assertThat(sql("SELECT * FROM mqtt_acked")).isEmpty();
    }

    @Test
    void retainUpsertsPerTopicAndLookupDeliversItRetained() {
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain",
                publish(message("r1", "pub", TOPIC, 1, true, bytes("first"), 1_000)));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain",
                publish(message("r2", "pub2", TOPIC, 2, true, bytes("second"), 2_000)));
        assertThat(sql("SELECT msgid FROM mqtt_retain")).hasSize(1);

        ActionOutcome outcome = run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup", subscribed("sub", TOPIC));

        assertThat(deliveredIds(outcome, "sub")).containsExactly("r2");
        assertThat(((ActionOutcome.Deliver) outcome).messages()).singleElement().satisfies(m -> {
            assertThat(m.msgid()).isEqualTo("r2");
            assertThat(m.sender()).isEqualTo("pub2");
            assertThat(m.qos()).isEqualTo(2);
            assertThat(m.retain()).isTrue();
            assertThat(m.payload()).isEqualTo(bytes("second"));
            assertThat(m.arrived()).isEqualTo(2_000);
        });
    }

    @Test
    void retainDeleteRemovesTheTopicsRetainedMessageAndLookupThenFindsNothing() {
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain",
                publish(message("r1", "pub", TOPIC, 1, true, bytes("first"), 1_000)));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain",
                publish(message("r9", "pub", "other", 1, true, bytes("keep"), 1_000)));

        run(HookPoint.MESSAGE_PUBLISH, "on_retain_delete",
                publish(message("r2", "pub", TOPIC, 1, true, new byte[0], 2_000)));

        assertThat(sql("SELECT topic FROM mqtt_retain")).extracting(r -> r.getString("topic"))
                .containsExactly("other");
        assertThat(run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup", subscribed("sub", TOPIC)))
                .isEqualTo(ActionOutcome.NONE);
    }

    @Test
    void deliveredIsANoOp() {
        Message m = message("m", "pub", TOPIC, 1, false, bytes("x"), 1000);
        assertThat(run(HookPoint.MESSAGE_DELIVERED, "on_message_delivered",
                new MessageDelivered(client("sub", 1000), m))).isEqualTo(ActionOutcome.NONE);
        assertThat(sql("SELECT * FROM mqtt_acked")).isEmpty();
    }

    @Test
    void quotesBackslashesAndSqlInClientIdTopicAndPayloadLandVerbatim() {
        String evil = "'); DROP TABLE mqtt_msg; -- \\' \" \\\\ $1 ${payload}";
        byte[] payload = evil.getBytes(StandardCharsets.UTF_8);
        run(HookPoint.CLIENT_CONNECTED, "on_client_connected", new ClientConnected(client(evil, 1)));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish",
                publish(message(evil.substring(0, 20), evil, "t/" + evil, 1, false, payload, 1000)));

        assertThat(sql("SELECT clientid FROM mqtt_client").get(0).getString("clientid")).isEqualTo(evil);
        Row row = sql("SELECT sender, topic, payload FROM mqtt_msg").get(0);
        assertThat(row.getString("sender")).isEqualTo(evil);
        assertThat(row.getString("topic")).isEqualTo("t/" + evil);
        assertThat(row.getBuffer("payload").getBytes()).isEqualTo(payload);
    }

    @Test
    void nonUtf8BinaryPayloadIsByteExactInTheTableAndInTheReplay() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (255 - i);
        }
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        store(message("bin", "pub", TOPIC, 1, false, binary, 1000));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain", publish(message("bin", "pub", TOPIC, 1, true, binary,
                1000)));

        assertThat(sql("SELECT payload FROM mqtt_msg").get(0).getBuffer("payload").getBytes()).isEqualTo(binary);
        assertThat(((ActionOutcome.Deliver) run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch",
                subscribed("sub", TOPIC))).messages().get(0).payload()).isEqualTo(binary);
        assertThat(((ActionOutcome.Deliver) run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup",
                subscribed("sub", TOPIC))).messages().get(0).payload()).isEqualTo(binary);
    }

    @Test
    void aOneMebibytePayloadIsStoredFetchedAndRetainedByteExact() {
        byte[] big = new byte[1024 * 1024];
        new Random(42).nextBytes(big);
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        store(message("big", "pub", TOPIC, 1, false, big, 1000));
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain", publish(message("big", "pub", TOPIC, 1, true, big, 1000)));

        assertThat(sql("SELECT payload FROM mqtt_msg").get(0).getBuffer("payload").getBytes()).isEqualTo(big);
        assertThat(((ActionOutcome.Deliver) run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch",
                subscribed("sub", TOPIC))).messages().get(0).payload()).isEqualTo(big);
        assertThat(((ActionOutcome.Deliver) run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup",
                subscribed("sub", TOPIC))).messages().get(0).payload()).isEqualTo(big);
    }

    private List<Message> storeMessages(int count) {
        long base = System.currentTimeMillis() - 60_000;
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Message m = message("m" + i, "pub", TOPIC, 1, false, bytes("payload " + i), base + i * 1000L);
            store(m);
            messages.add(m);
        }
        return messages;
    }

    private void store(Message m) {
        run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
    }

    private long cursor(String clientid, String topic) {
        return sql("SELECT mid FROM mqtt_acked WHERE clientid = $1 AND topic = $2", clientid, topic).get(0)
                .getLong("mid");
    }

    /** {@code mqtt_client.state} as text: an integer in PostgreSQL, {@code varchar(3)} in MySQL. */
    protected static String state(Row row) {
        return String.valueOf(row.getValue("state"));
    }
}
