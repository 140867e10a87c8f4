package io.mqttbackends.runtime.backend.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessageDelivered;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import io.mqttbackends.runtime.testing.CassandraTestKeyspace;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestCassandra;
import io.mqttbackends.runtime.testing.TestPools;
import io.mqttbackends.runtime.testing.TestRun;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the Cassandra backend writes and reads, asserted on the rows of EMQX 4.4's tables
 * ({@code /work/cassandra-contract.md}): their shape, {@code cql} templates at every hook point with their values
 * converted to the column types, text that looks like CQL, payloads (binary, UTF-8 in a {@code text} column, 1 MiB),
 * redelivery and the order of writes of one row, the cursor (EMQX's unsubscribe line, acks out of order, EMQX 4.x
 * ids), the offline options and a keyspace named in upper case.
 */
class CassandraFunctionsIT extends CassandraTestSupport {
    private static final String TOPIC = "devices/d1/state";
    /** A fixed instant (2023-11-14T22:13:20.123Z) so that exact values can be asserted. */
    private static final long T = 1_700_000_000_123L;

    @Override
    void createExtraTables() {
        TestCassandra.execute("CREATE TABLE " + keyspace.table("probe") + " (hook text, clientid text, username text,"
                + " peerhost text, node text, ts bigint, ts_str text, arrived timestamp, arrived_str timestamp,"
                + " topic text, qos int, qos_text text, msgid text, payload blob, payload_text text, retain boolean,"
                + " retain_int int, PRIMARY KEY (hook, clientid))");
    }

    @Override
    List<String> extraTables() {
        return List.of("probe");
    }

    // ------------------------------------------------------------------------------------------------ shapes

    @Test
    void schemaInitMakesEmqxTablesWithTheContractsColumnTypes() {
        Map<String, Map<String, String>> expected = Map.of(
                "client", Map.of("clientid", "text", "node", "text", "state", "int", "connected", "timestamp",
                        "disconnected", "timestamp"),
                "sub", Map.of("clientid", "text", "topic", "text", "qos", "int"),
                "msg", Map.of("topic", "text", "msgid", "text", "sender", "text", "qos", "int", "retain", "int",
                        "payload", "blob", "arrived", "timestamp"),
                "retain", Map.of("topic", "text", "msgid", "text"),
                "acked", Map.of("clientid", "text", "topic", "text", "msgid", "text"));
        Map<String, List<String>> keys = Map.of("client", List.of("clientid"), "sub", List.of("clientid", "topic"),
                "msg", List.of("topic", "msgid"), "retain", List.of("topic"), "acked", List.of("clientid", "topic"));
        expected.forEach((table, columns) -> {
            List<Row> found = rows("SELECT column_name, type, kind, position, clustering_order FROM system_schema.columns"
                    + " WHERE keyspace_name = ? AND table_name = ?", keyspace.name(), table);
            assertThat(found.stream().collect(Collectors.toMap(r -> r.getString("column_name"),
                    r -> r.getString("type")))).as(table).isEqualTo(columns);
            List<String> key = found.stream().filter(r -> !r.getString("kind").equals("regular"))
                    .sorted((a, b) -> a.getString("kind").compareTo(b.getString("kind")) != 0
                            ? -a.getString("kind").compareTo(b.getString("kind"))
                            : Integer.compare(a.getInt("position"), b.getInt("position")))
                    .map(r -> r.getString("column_name")).toList();
            assertThat(key).as("%s primary key", table).isEqualTo(keys.get(table));
        });
        assertThat(rows("SELECT clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name ="
                + " 'msg' AND column_name = 'msgid'", keyspace.name()).get(0).getString("clustering_order"))
                .isEqualTo("desc");
    }

    @Test
    void clientRowsHaveEmqxShapeWithTheEventsTimes() {
        connect("c1", T);
        Row online = rows("SELECT * FROM {ks}.client WHERE clientid = 'c1'").get(0);
        assertThat(online.getInt("state")).isEqualTo(1);
        assertThat(online.getString("node")).isEqualTo(NODE);
        assertThat(online.getInstant("connected")).as("connected: the event's time").isEqualTo(Instant.ofEpochMilli(T));
        assertThat(online.isNull("disconnected")).isTrue();

        disconnect("c1", T + 5000);
        Row offline = rows("SELECT * FROM {ks}.client WHERE clientid = 'c1'").get(0);
        assertThat(offline.getInt("state")).isEqualTo(0);
        assertThat(offline.getInstant("disconnected")).isEqualTo(Instant.ofEpochMilli(T + 5000));
        assertThat(offline.getInstant("connected")).as("connected kept").isEqualTo(Instant.ofEpochMilli(T));

        connect("c1", T + 9000);
        Row again = rows("SELECT * FROM {ks}.client WHERE clientid = 'c1'").get(0);
        assertThat(again.getInt("state")).isEqualTo(1);
        assertThat(again.getInstant("connected")).isEqualTo(Instant.ofEpochMilli(T + 9000));
        assertThat(again.getInstant("disconnected")).as("EMQX's UPDATE leaves the last disconnect")
                .isEqualTo(Instant.ofEpochMilli(T + 5000));
        assertThat(rows("SELECT * FROM {ks}.client")).hasSize(1);
    }

    @Test
    void messageRetainAckedAndSubRowsHaveEmqxShape() {
        Message m = new Message(timeOrderedId("m", T), "pub2", TOPIC, 2, true, bytes("two"), T, Map.of());
        store(m);
        Row row = rows("SELECT * FROM {ks}.msg WHERE topic = ?", TOPIC).get(0);
        assertThat(row.getString("msgid")).isEqualTo(m.msgid());
        assertThat(row.getString("sender")).isEqualTo("pub2");
        assertThat(row.getInt("qos")).isEqualTo(2);
        assertThat(row.getInt("retain")).isEqualTo(1);
        assertThat(bytesOf(row.getByteBuffer("payload"))).isEqualTo(bytes("two"));
        assertThat(row.getInstant("arrived")).isEqualTo(Instant.ofEpochMilli(T));

        run(hook(HookPoint.MESSAGE_PUBLISH, "on_message_retain"), publish(m));
        assertThat(rows("SELECT msgid FROM {ks}.retain WHERE topic = ?", TOPIC)).extracting(r -> r.getString(0))
                .containsExactly(m.msgid());
        assertThat(delivered(run(hook(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup"), subscribed("s", TOPIC)), "s"))
                .singleElement().satisfies(r -> {
                    assertThat(r.msgid()).isEqualTo(m.msgid());
                    assertThat(r.retain()).isTrue();
                    assertThat(r.payload()).isEqualTo(bytes("two"));
                    assertThat(r.sender()).isEqualTo("pub2");
                    assertThat(r.arrived()).isEqualTo(T);
                });

        ack("sub", m);
        assertThat(rows("SELECT clientid, topic, msgid FROM {ks}.acked")).singleElement().satisfies(r -> {
            assertThat(r.getString("clientid")).isEqualTo("sub");
            assertThat(r.getString("topic")).isEqualTo(TOPIC);
            assertThat(r.getString("msgid")).isEqualTo(m.msgid());
        });

        TestCassandra.execute("INSERT INTO " + keyspace.table("sub") + " (clientid, topic, qos) VALUES ('c1', 'a/#', 2)");
        TestCassandra.execute("INSERT INTO " + keyspace.table("sub") + " (clientid, topic, qos) VALUES ('c1', 'b', 0)");
        assertThat(run(hook(HookPoint.CLIENT_CONNECTED, "on_subscription_lookup"), new ClientConnected(client("c1", T))))
                .isInstanceOfSatisfying(ActionOutcome.SubscribeClient.class, s -> assertThat(s.subscriptions())
                        .containsExactlyInAnyOrder(new Subscription("a/#", 2), new Subscription("b", 0)));
    }

    // ------------------------------------------------------------------------------------------------ cql templates

    /** Every placeholder of EMQX 4.4's statement templates, docs/configuration.md "Placeholders" plus username,
     * peerhost, node, timestamp and timestamp_str, at each hook point. */
    @Test
    void cqlTemplatesBindEveryPlaceholderAtEveryHookPointIntoTheColumnsTypes() {
        Message m = new Message(timeOrderedId("p", T), "c-pub", "t/msg", 2, true, bytes("héllo ✓"), T, Map.of());
        Map<HookPoint, Event> events = new LinkedHashMap<>();
        events.put(HookPoint.CLIENT_CONNECTED, new ClientConnected(client("c-conn", T)));
        events.put(HookPoint.CLIENT_DISCONNECTED, new ClientDisconnected(client("c-disc", T), "normal"));
        events.put(HookPoint.SESSION_SUBSCRIBED, new SessionSubscribed(client("c-sub", T), "t/sub/#", 2, true));
        events.put(HookPoint.SESSION_UNSUBSCRIBED, new SessionUnsubscribed(client("c-unsub", T), "t/unsub"));
        events.put(HookPoint.MESSAGE_PUBLISH, new MessagePublish(client("c-pub", T), m));
        events.put(HookPoint.MESSAGE_ACKED, new MessageAcked(client("c-ack", T), m));
        events.put(HookPoint.MESSAGE_DELIVERED, new MessageDelivered(client("c-dlv", T), m));

        events.forEach((point, event) -> run(cqlHook(point, "INSERT INTO probe (hook, clientid, username, peerhost,"
                + " node, ts, ts_str, arrived, arrived_str, topic, qos, qos_text, msgid, payload, payload_text, retain,"
                + " retain_int) VALUES ('" + point.confName() + "', ${clientid}, ${username}, ${peerhost}, ${node},"
                + " ${timestamp}, ${timestamp_str}, ${timestamp}, ${timestamp_str}, ${topic}, ${qos}, ${qos},"
                + " ${msgid}, ${payload}, ${payload}, ${retain}, ${retain})"), event));

        String localTime = Event.TIMESTAMP_STR_FORMAT.format(Instant.ofEpochMilli(T));
        Map<String, Row> byHook = rows("SELECT * FROM {ks}.probe").stream()
                .collect(Collectors.toMap(r -> r.getString("hook"), r -> r));
        assertThat(byHook).hasSize(7);
        events.forEach((point, event) -> {
            Row r = byHook.get(point.confName());
            assertThat(r).as(point.confName()).isNotNull();
            String what = point.confName() + ": ";
            assertThat(r.getString("clientid")).as(what + "clientid").isEqualTo(event.clientid());
            assertThat(r.getString("username")).as(what + "username").isEqualTo("user-" + event.clientid());
            assertThat(r.getString("peerhost")).as(what + "peerhost").isEqualTo("10.0.0.9");
            assertThat(r.getString("node")).as(what + "node").isEqualTo(NODE);
            assertThat(r.getLong("ts")).as(what + "${timestamp} into bigint: epoch seconds").isEqualTo(T / 1000);
            assertThat(r.getString("ts_str")).as(what + "${timestamp_str} into text").isEqualTo(localTime);
            assertThat(r.getInstant("arrived")).as(what + "${timestamp} into timestamp")
                    .isEqualTo(Instant.ofEpochSecond(T / 1000));
            assertThat(r.getInstant("arrived_str")).as(what + "${timestamp_str} into timestamp")
                    .isEqualTo(Instant.ofEpochSecond(T / 1000));
            boolean message = point.kind() == HookPoint.Kind.MESSAGE;
            boolean session = point == HookPoint.SESSION_SUBSCRIBED || point == HookPoint.SESSION_UNSUBSCRIBED;
            assertThat(r.getString("topic")).as(what + "topic").isEqualTo(message ? "t/msg"
                    : point == HookPoint.SESSION_SUBSCRIBED ? "t/sub/#" : session ? "t/unsub" : null);
            Integer qos = message || point == HookPoint.SESSION_SUBSCRIBED ? 2 : null;
            assertThat(r.isNull("qos") ? null : r.getInt("qos")).as(what + "${qos} into int").isEqualTo(qos);
            assertThat(r.getString("qos_text")).as(what + "${qos} into text")
                    .isEqualTo(qos == null ? null : qos.toString());
            assertThat(r.getString("msgid")).as(what + "msgid").isEqualTo(message ? m.msgid() : null);
            assertThat(r.isNull("payload") ? null : bytesOf(r.getByteBuffer("payload"))).as(what + "payload blob")
                    .isEqualTo(message ? bytes("héllo ✓") : null);
            assertThat(r.getString("payload_text")).as(what + "payload text").isEqualTo(message ? "héllo ✓" : null);
            assertThat(r.isNull("retain") ? null : r.getBoolean("retain")).as(what + "${retain} into boolean")
                    .isEqualTo(message ? Boolean.TRUE : null);
            assertThat(r.isNull("retain_int") ? null : r.getInt("retain_int")).as(what + "${retain} into int")
                    .isEqualTo(message ? 1 : null);
        });
    }

    @Test
    void aValueThatCannotConvertIsAPermanentFailureNamingTheColumnAndThePoolGoesOn() {
        HookConfig textIntoInt = cqlHook(HookPoint.SESSION_SUBSCRIBED,
                "INSERT INTO probe (hook, clientid, qos) VALUES ('bad', ${clientid}, ${topic})");
        assertThatThrownBy(() -> run(textIntoInt, new SessionSubscribed(client("c1", T), "not/a/number", 1, true)))
                .hasMessageContaining("qos").hasMessageContaining("int")
                .satisfies(e -> assertThat(pool.classify(e)).as("%s", e).isEqualTo(FailureClass.PERMANENT));
        assertThatThrownBy(() -> run(textIntoInt, new SessionSubscribed(client("c1", T), "99999999999", 1, true)))
                .as("beyond an int").satisfies(e -> assertThat(pool.classify(e)).as("%s", e)
                        .isEqualTo(FailureClass.PERMANENT));

        List<CqlWrite> batch = new ArrayList<>(writes(pool, textIntoInt,
                List.of(new SessionSubscribed(client("bad", T), "x", 1, true))));
        batch.addAll(writes(pool, textIntoInt, List.of(new SessionSubscribed(client("good", T), "42", 1, true))));
        List<WriteResult> results = apply(pool, batch);
        assertThat(results.get(0)).isInstanceOfSatisfying(WriteResult.Failed.class,
                f -> assertThat(pool.classify(f.cause())).isEqualTo(FailureClass.PERMANENT));
        assertThat(results.get(1)).as("the other write of the batch").isEqualTo(WriteResult.APPLIED);

        run(textIntoInt, new SessionSubscribed(client("after", T), "7", 1, true));
        assertThat(rows("SELECT clientid, qos FROM {ks}.probe")).extracting(r -> r.getString(0) + "=" + r.getInt(1))
                .containsExactlyInAnyOrder("good=42", "after=7");
    }

    @Test
    void quotesAndCqlInClientidTopicAndPayloadAreStoredVerbatim() {
        List<String> nasty = List.of("it's", "'; DROP TABLE msg; --", "x'); DELETE FROM client WHERE clientid = 'c1';"
                + " --", "BEGIN BATCH INSERT INTO client (clientid) VALUES ('z'); APPLY BATCH;", "\"quoted\" $$ ${clientid}");
        connect("c1", T);
        long now = System.currentTimeMillis();
        for (int i = 0; i < nasty.size(); i++) {
            String text = nasty.get(i);
            connect(text, T);
            Message m = new Message(timeOrderedId("n" + i, now - 1000 + i), text, text, 1, false, bytes(text),
                    now - 1000 + i, Map.of());
            store(m);
            ack(text, m);
            run(cqlHook(HookPoint.MESSAGE_PUBLISH, "INSERT INTO probe (hook, clientid, topic, payload_text, payload)"
                    + " VALUES ('n" + i + "', ${clientid}, ${topic}, ${payload}, ${payload})"), publish(m));
        }

        assertThat(rows("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace.name()))
                .extracting(r -> r.getString(0)).contains("msg", "client", "acked", "probe");
        assertThat(rows("SELECT clientid, state FROM {ks}.client")).extracting(r -> r.getString(0) + "=" + r.getInt(1))
                .containsExactlyInAnyOrderElementsOf(Stream.concat(Stream.of("c1"), nasty.stream())
                        .map(s -> s + "=1").toList());
        for (int i = 0; i < nasty.size(); i++) {
            String text = nasty.get(i);
            Row msg = rows("SELECT sender, payload FROM {ks}.msg WHERE topic = ?", text).get(0);
            assertThat(msg.getString("sender")).isEqualTo(text);
            assertThat(bytesOf(msg.getByteBuffer("payload"))).isEqualTo(bytes(text));
            assertThat(cursor(text, text)).as("cursor of %s", text).isPresent();
            Row probe = rows("SELECT * FROM {ks}.probe WHERE hook = ?", "n" + i).get(0);
            assertThat(probe.getString("clientid")).isEqualTo(text);
            assertThat(probe.getString("topic")).isEqualTo(text);
            assertThat(probe.getString("payload_text")).isEqualTo(text);
            assertThat(bytesOf(probe.getByteBuffer("payload"))).isEqualTo(bytes(text));
        }
        assertThat(rows("SELECT * FROM {ks}.msg")).hasSize(nasty.size());
    }

    /**
     * Cassandra refuses a client timestamp on a conditional statement, and {@code USING TIMESTAMP} is the author's:
     * such templates run as written.
     */
    @Test
    void cqlTemplatesWithConditionsOrTheirOwnTimestampRunAsWritten() {
        run(cqlHook(HookPoint.CLIENT_CONNECTED, "INSERT INTO client (clientid, state) VALUES (${clientid}, 1)"
                + " IF NOT EXISTS"), new ClientConnected(client("lwt", T)));
        run(cqlHook(HookPoint.CLIENT_CONNECTED, "INSERT INTO client (clientid, state) VALUES (${clientid}, 2)"
                + " IF NOT EXISTS"), new ClientConnected(client("lwt", T)));
        run(cqlHook(HookPoint.CLIENT_CONNECTED, "UPDATE client SET node = ${node} WHERE clientid = ${clientid}"
                + " IF state = 1"), new ClientConnected(client("lwt", T)));
        assertThat(rows("SELECT state, node FROM {ks}.client WHERE clientid = 'lwt'")).singleElement()
                .satisfies(r -> {
                    assertThat(r.getInt("state")).as("the second insert was not applied").isEqualTo(1);
                    assertThat(r.getString("node")).isEqualTo(NODE);
                });

        run(cqlHook(HookPoint.CLIENT_CONNECTED, "INSERT INTO client (clientid, state) VALUES (${clientid}, 7)"
                + " USING TIMESTAMP 1000"), new ClientConnected(client("old", T)));
        assertThat(rows("SELECT state, writetime(state) AS w FROM {ks}.client WHERE clientid = 'old'"))
                .singleElement().satisfies(r -> {
                    assertThat(r.getInt("state")).isEqualTo(7);
                    assertThat(r.getLong("w")).isEqualTo(1000L);
                });
    }

    // ------------------------------------------------------------------------------------------------ payloads

    @Test
    void aBinaryPayloadIsByteExactInTheBlobAndInTheReplay() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        Message m = message("bin", TOPIC, all, System.currentTimeMillis());
        Message empty = message("empty", TOPIC, new byte[0], System.currentTimeMillis() + 1);
        store(m);
        store(empty);

        assertThat(bytesOf(rows("SELECT payload FROM {ks}.msg WHERE topic = ? AND msgid = ?", TOPIC, m.msgid()).get(0)
                .getByteBuffer(0))).isEqualTo(all);
        List<StoredMessage> replay = delivered(fetch("sub", TOPIC), "sub");
        assertThat(replay).extracting(StoredMessage::msgid).containsExactly(m.msgid(), empty.msgid());
        assertThat(replay.get(0).payload()).isEqualTo(all);
        assertThat(replay.get(1).payload()).isEmpty();
    }

    @Test
    void aOneMebibytePayloadIsStoredAndReplayedByteExact() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        byte[] big = new byte[1 << 20];
        new Random(11).nextBytes(big);
        Message m = message("big", TOPIC, big, System.currentTimeMillis());
        store(m);

        assertThat(bytesOf(rows("SELECT payload FROM {ks}.msg WHERE topic = ?", TOPIC).get(0).getByteBuffer(0)))
                .isEqualTo(big);
        assertThat(delivered(fetch("sub", TOPIC), "sub")).singleElement()
                .satisfies(r -> assertThat(r.payload()).isEqualTo(big));
    }

    /**
     * Past the server's largest mutation (half a commit log segment: 4 MiB on the test server, 16 MiB by Cassandra's
     * default) a message cannot be stored by any retry: a permanent failure, and the pool goes on.
     */
    @Test
    void aPayloadBeyondTheLargestMutationIsPermanentAndThePoolGoesOn() {
        byte[] huge = new byte[5 << 20];
        new Random(5).nextBytes(huge);
        Message m = message("huge", TOPIC, huge, System.currentTimeMillis());

        // Cassandra 5.0.9 answers InvalidQueryException "CQL Message of size 5243031 bytes exceeds allowed maximum
        // of 4194304 bytes".
        assertThatThrownBy(() -> store(m)).hasMessageContaining("exceeds allowed maximum")
                .satisfies(e -> assertThat(pool.classify(e)).as("%s", e).isEqualTo(FailureClass.PERMANENT));

        Message small = message("small", TOPIC, System.currentTimeMillis() + 1);
        store(small);
        assertThat(storedMsgids(TOPIC)).containsExactly(small.msgid());
    }

    /** EMQX's Chinese guide creates {@code msg} with {@code payload text}. */
    @Test
    void aPayloadTextColumnStoresUtf8AndReplaysIt() {
        try (CassandraTestKeyspace chinese = chineseKeyspace()) {
            CassandraPool onText = openExtra(TestPools.pool1(DatabaseKind.CASSANDRA, chinese.poolSettings(), Map.of()));
            HookConfig fetch = hook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch");
            assertThat(run(onText, fetch, subscribed("sub", TOPIC))).isEqualTo(ActionOutcome.NONE);
            String text = "温度 21.5 °C ✓ 𝄞 'quoted'";
            Message m = message("zh", TOPIC, bytes(text), System.currentTimeMillis());
            run(onText, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(m));

            assertThat(TestCassandra.rows("SELECT payload FROM " + chinese.table("msg") + " WHERE topic = ?", TOPIC)
                    .get(0).getString(0)).isEqualTo(text);
            assertThat(delivered(run(onText, fetch, subscribed("sub", TOPIC)), "sub")).singleElement()
                    .satisfies(r -> assertThat(new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo(text));
        }
    }

    /**
     * Bytes that are not UTF-8 cannot be stored byte-exact in a text column: the write must fail permanently
     * (a dead letter keeps the event) rather than store replacement characters and lose the payload.
     */
    @Test
    void aNonUtf8PayloadIntoATextColumnIsAPermanentFailureNotReplacementCharacters() {
        try (CassandraTestKeyspace chinese = chineseKeyspace()) {
            CassandraPool onText = openExtra(TestPools.pool1(DatabaseKind.CASSANDRA, chinese.poolSettings(), Map.of()));
            byte[] binary = {'a', (byte) 0xff, (byte) 0xfe, 'b'};
            Message bad = message("bin", TOPIC, binary, System.currentTimeMillis());
            Throwable failure = null;
            try {
                run(onText, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(bad));
            } catch (RuntimeException e) {
                failure = e;
            }
            List<Row> stored = TestCassandra.rows("SELECT payload FROM " + chinese.table("msg") + " WHERE topic = ?"
                    + " AND msgid = ?", TOPIC, bad.msgid());
            assertThat(failure == null ? "stored " + stored.stream().map(r -> r.getString(0)).toList()
                    : "failed " + onText.classify(failure)).as("a non-UTF-8 payload into a text column")
                    .isEqualTo("failed PERMANENT");
        }
    }

    /** A keyspace with EMQX's Chinese guide's {@code msg} ({@code payload text}) and {@code acked}. */
    private static CassandraTestKeyspace chineseKeyspace() {
        CassandraTestKeyspace chinese = CassandraTestKeyspace.create();
        TestCassandra.execute("CREATE TABLE " + chinese.table("msg") + " (topic text, msgid text, sender text,"
                + " qos int, retain int, payload text, arrived timestamp, PRIMARY KEY (topic, msgid))"
                + " WITH CLUSTERING ORDER BY (msgid DESC)");
        TestCassandra.execute("CREATE TABLE " + chinese.table("acked") + " (clientid text, topic text,"
                + " msgid text, PRIMARY KEY (clientid, topic))");
        return chinese;
    }

    // ------------------------------------------------------------------------------------------------ order

    @Test
    void aRedeliveredBatchWritesTheSameRows() {
        long now = System.currentTimeMillis();
        List<Event> events = List.of(publish(message("r1", TOPIC, now)), publish(message("r2", TOPIC, now + 1)),
                publish(message("r3", TOPIC, now + 2)));
        HookConfig store = hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish");
        List<CqlWrite> batch = writes(pool, store, events);
        assertThat(apply(pool, batch)).containsOnly(WriteResult.APPLIED);
        List<String> once = rows("SELECT topic, msgid, sender, qos, retain, payload, arrived FROM {ks}.msg").stream()
                .map(CassandraFunctionsIT::describe).toList();

        assertThat(apply(pool, batch)).as("the same writes again").containsOnly(WriteResult.APPLIED);
        assertThat(apply(pool, writes(pool, store, events))).as("made again from the events")
                .containsOnly(WriteResult.APPLIED);

        assertThat(rows("SELECT topic, msgid, sender, qos, retain, payload, arrived FROM {ks}.msg")).hasSize(3)
                .extracting(CassandraFunctionsIT::describe).containsExactlyElementsOf(once);
    }

    @Test
    void twoWritesOfOneRowInABatchApplyInBatchOrderWhateverOrderTheyArrive() {
        CqlWrite connected = writes(pool, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                List.of(new ClientConnected(client("c1", T)))).get(0);
        CqlWrite disconnected = writes(pool, hook(HookPoint.CLIENT_DISCONNECTED, "on_client_disconnected"),
                List.of(new ClientDisconnected(client("c1", T + 1), "normal"))).get(0);

        assertThat(apply(pool, List.of(connected, disconnected))).containsOnly(WriteResult.APPLIED);
        assertThat(state("c1")).as("connected then disconnected").isEqualTo(0);
        assertThat(apply(pool, List.of(connected, disconnected))).containsOnly(WriteResult.APPLIED);
        assertThat(state("c1")).as("the same batch again").isEqualTo(0);
        // The disconnect reaching the server first (a retry of the connect alone, or another connection):
        assertThat(apply(pool, List.of(disconnected))).containsOnly(WriteResult.APPLIED);
        assertThat(apply(pool, List.of(connected))).containsOnly(WriteResult.APPLIED);
        assertThat(state("c1")).as("the connect arriving last").isEqualTo(0);

        // Two statements of one cql write: the delete then the insert, the insert wins.
        connect("c2", T);
        run(cqlHook(HookPoint.CLIENT_CONNECTED, "DELETE FROM client WHERE clientid = ${clientid}",
                "INSERT INTO client (clientid, state, node) VALUES (${clientid}, 5, ${node})"),
                new ClientConnected(client("c2", T)));
        assertThat(state("c2")).isEqualTo(5);
    }

    // ------------------------------------------------------------------------------------------------ cursor

    /**
     * EMQX's default unsubscribe line deletes the cursor row at the time it runs; a subscribe right after it places
     * a cursor timestamped with the newest message's (older) time, which the tombstone would hide.
     */
    @Test
    void aSubscribeRightAfterEmqxsUnsubscribeLinePlacesACursorThatLaterAcksMove() {
        long t0 = System.currentTimeMillis() - 10_000;
        Message m1 = message("m1", TOPIC, t0);
        Message m2 = message("m2", TOPIC, t0 + 1000);
        Message m3 = message("m3", TOPIC, t0 + 2000);
        store(m1);
        store(m2);
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        assertThat(cursor("sub", TOPIC)).as("placed at the newest").contains(m2.msgid());
        store(m3);
        ack("sub", m3);
        assertThat(cursor("sub", TOPIC)).contains(m3.msgid());

        run(cqlHook(HookPoint.SESSION_UNSUBSCRIBED, "delete from acked where clientid = ${clientid} and topic ="
                + " ${topic}"), unsubscribed("sub", TOPIC));
        assertThat(cursor("sub", TOPIC)).as("deleted by the unsubscribe line").isEmpty();
        assertThat(fetch("sub", TOPIC)).as("subscribing again at once").isEqualTo(ActionOutcome.NONE);
        assertThat(cursor("sub", TOPIC)).as("the cursor exists again").contains(m3.msgid());

        Message m4 = message("m4", TOPIC, System.currentTimeMillis() + 5);
        store(m4);
        ack("sub", m4);
        assertThat(cursor("sub", TOPIC)).as("a later ack moves it").contains(m4.msgid());

        Message m5 = message("m5", TOPIC, System.currentTimeMillis() + 10);
        Message m6 = message("m6", TOPIC, System.currentTimeMillis() + 20);
        store(m5);
        store(m6);
        assertThat(deliveredIds(fetch("sub", TOPIC), "sub")).as("the reconnect's fetch")
                .containsExactly(m5.msgid(), m6.msgid());
    }

    /**
     * What the cursor rewritten after an unsubscribe costs when the broker's clock is behind the runtime's: the ack
     * of a message made before the rewrite (by the broker's clock) does not move the cursor, so that message is
     * delivered again by the next fetch. A duplicate, never a loss; acks of messages made after the rewrite move it.
     */
    @Test
    void afterTheUnsubscribeLineAnAckOfAMessageOlderThanTheRewrittenCursorIsRedeliveredNotLost() {
        long t0 = System.currentTimeMillis() - 10_000;
        Message m1 = message("m1", TOPIC, t0);
        store(m1);
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        run(cqlHook(HookPoint.SESSION_UNSUBSCRIBED, "delete from acked where clientid = ${clientid} and topic ="
                + " ${topic}"), unsubscribed("sub", TOPIC));
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        assertThat(cursor("sub", TOPIC)).contains(m1.msgid());

        Message late = message("late", TOPIC, System.currentTimeMillis() - 500);
        store(late);
        ack("sub", late);
        assertThat(cursor("sub", TOPIC)).as("an ack older than the rewritten cursor").contains(m1.msgid());
        assertThat(deliveredIds(fetch("sub", TOPIC), "sub")).as("delivered again").containsExactly(late.msgid());

        Message next = message("next", TOPIC, System.currentTimeMillis() + 5);
        store(next);
        ack("sub", next);
        assertThat(cursor("sub", TOPIC)).contains(next.msgid());
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
    }

    @Test
    void acksAppliedOutOfOrderInOneBatchNeverMoveTheCursorBack() {
        long t0 = System.currentTimeMillis() - 60_000;
        List<Message> messages = IntStream.range(0, 6).mapToObj(i -> message("o" + i, TOPIC, t0 + i * 1000L)).toList();
        messages.forEach(this::store);
        HookConfig ack = hook(HookPoint.MESSAGE_ACKED, "on_message_acked");
        List<Integer> order = List.of(4, 0, 2, 1, 3);
        assertThat(apply(pool, writes(pool, ack, order.stream().map(i -> acked("a", messages.get(i))).toList())))
                .containsOnly(WriteResult.APPLIED);
        assertThat(cursor("a", TOPIC)).contains(messages.get(4).msgid());

        assertThat(apply(pool, writes(pool, ack, List.of(acked("b", messages.get(0)), acked("b", messages.get(1)),
                acked("b", messages.get(2)))))).containsOnly(WriteResult.APPLIED);
        assertThat(cursor("b", TOPIC)).contains(messages.get(2).msgid());

        ack("a", messages.get(1));
        assertThat(cursor("a", TOPIC)).as("a late ack of an older message").contains(messages.get(4).msgid());
        ack("a", messages.get(5));
        assertThat(cursor("a", TOPIC)).contains(messages.get(5).msgid());
    }

    @Test
    void anAckOfAnEmqx4Base62MsgidStoresTheCursor() {
        Message base62 = new Message("6P9NLcJ65VXBbC22sYb4", "pub", TOPIC, 1, false, bytes("x"),
                System.currentTimeMillis(), Map.of());
        ack("sub", base62);
        assertThat(cursor("sub", TOPIC)).contains("6P9NLcJ65VXBbC22sYb4");
    }

    @Test
    void offlineFetchKeepsTheNewestMaxReturnedCountWithinTimeRangeOldestFirst() {
        assertThat(fetch("sub", TOPIC)).isEqualTo(ActionOutcome.NONE);
        assertThat(cursor("sub", TOPIC)).as("before every message").contains("");
        long now = System.currentTimeMillis();
        List<Message> messages = IntStream.range(0, 5).mapToObj(i -> message("f" + i, TOPIC, now - 5000 + i))
                .toList();
        messages.forEach(this::store);
        List<Duration> ages = List.of(Duration.ofMinutes(180), Duration.ofMinutes(121), Duration.ofMinutes(90),
                Duration.ofMinutes(30), Duration.ofMinutes(1));
        for (int i = 0; i < messages.size(); i++) {
            TestCassandra.execute("UPDATE " + keyspace.table("msg") + " SET arrived = ? WHERE topic = ? AND msgid = ?",
                    Instant.now().minus(ages.get(i)), TOPIC, messages.get(i).msgid());
        }
        List<String> ids = messages.stream().map(Message::msgid).toList();

        assertThat(deliveredIds(fetch("sub", TOPIC), "sub")).as("no options").containsExactlyElementsOf(ids);
        assertThat(deliveredIds(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.empty(),
                Optional.of(Duration.ofHours(2)))), "sub")).as("time_range 2h").containsExactlyElementsOf(ids.subList(2, 5));
        assertThat(deliveredIds(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.of(2), Optional.empty())), "sub"))
                .as("max_returned_count 2").containsExactlyElementsOf(ids.subList(3, 5));
        assertThat(deliveredIds(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.of(1),
                Optional.of(Duration.ofHours(2)))), "sub")).as("both").containsExactly(ids.get(4));
        assertThat(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.of(10), Optional.of(Duration.ofSeconds(10)))))
                .as("nothing that recent").isEqualTo(ActionOutcome.NONE);

        ack("sub", messages.get(3));
        assertThat(deliveredIds(fetch("sub", TOPIC, new OfflineOpts(OptionalInt.of(500),
                Optional.of(Duration.ofHours(2)))), "sub")).as("after the cursor").containsExactly(ids.get(4));
    }

    // ------------------------------------------------------------------------------------------------ keyspace

    /** CQL folds unquoted names: the conf's {@code MQTT_X...} is the keyspace {@code mqtt_x...}. */
    @Test
    void aKeyspaceNamedInUpperCaseWorksWithSchemaInit() {
        String upper = ("MQTT_X" + TestRun.uniqueName()).toUpperCase();
        String folded = upper.toLowerCase();
        try {
            Map<String, String> settings = new HashMap<>(keyspace.poolSettings());
            settings.put("keyspace", upper);
            CassandraPool onUpper = openExtra(TestPools.pool1(DatabaseKind.CASSANDRA, settings,
                    Map.of("schema.init", "true")));
            onUpper.initSchema().await().atMost(WAIT);
            onUpper.initSchema().await().atMost(WAIT);
            run(onUpper, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("u1", T)));

            assertThat(rows("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", folded))
                    .extracting(r -> r.getString(0)).containsExactlyInAnyOrderElementsOf(TABLES);
            assertThat(TestCassandra.rows("SELECT state FROM " + folded + ".client WHERE clientid = 'u1'"))
                    .extracting(r -> r.getInt(0)).containsExactly(1);
        } finally {
            TestCassandra.execute("DROP KEYSPACE IF EXISTS " + folded);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private int state(String clientid) {
        return rows("SELECT state FROM {ks}.client WHERE clientid = ?", clientid).get(0).getInt(0);
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static String describe(Row r) {
        return r.getString("topic") + "|" + r.getString("msgid") + "|" + r.getString("sender") + "|" + r.getInt("qos")
                + "|" + r.getInt("retain") + "|" + Arrays.toString(bytesOf(r.getByteBuffer("payload"))) + "|"
                + r.getInstant("arrived");
    }
}
