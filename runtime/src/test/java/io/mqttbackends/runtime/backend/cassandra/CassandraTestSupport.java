package io.mqttbackends.runtime.backend.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import io.mqttbackends.runtime.testing.CassandraTestKeyspace;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestCassandra;
import io.mqttbackends.runtime.testing.TestPools;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the Cassandra backend tests: one keyspace per test class (creating a keyspace and its tables takes
 * Cassandra seconds) with EMQX 4.4's tables made by the pool's {@code schema.init}, one pool on it, and every table
 * truncated after each test. Rows are read with the plain driver ({@link TestCassandra}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CassandraTestSupport {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String NODE = "emqx@127.0.0.1";
    static final ConfigLocation LOCATION = new ConfigLocation(Path.of("cassa.conf"), 3, "backend.cassa.hook");
    static final List<String> TABLES = List.of("client", "sub", "msg", "retain", "acked");

    Vertx vertx;
    CassandraTestKeyspace keyspace;
    CassandraBackend backend;
    CassandraPool pool;
    private final List<CassandraPool> extraPools = new ArrayList<>();

    @BeforeAll
    void openPoolOnTheClassKeyspace() {
        vertx = Vertx.vertx();
        keyspace = CassandraTestKeyspace.create();
        backend = new CassandraBackend(vertx);
        pool = open(Map.of());
        pool.initSchema().await().atMost(WAIT);
        createExtraTables();
    }

    /** Tables of a test class's own, created once in the class keyspace and truncated after each test. */
    void createExtraTables() {
    }

    List<String> extraTables() {
        return List.of();
    }

    @AfterEach
    void truncateTables() {
        for (CassandraPool extra : extraPools) {
            extra.close().await().atMost(WAIT);
        }
        extraPools.clear();
        for (String table : TABLES) {
            TestCassandra.execute("TRUNCATE " + keyspace.table(table));
        }
        for (String table : extraTables()) {
            TestCassandra.execute("TRUNCATE " + keyspace.table(table));
        }
    }

    @AfterAll
    void dropKeyspace() {
        try {
            if (pool != null) {
                pool.close().await().atMost(WAIT);
            }
        } finally {
            try {
                if (keyspace != null) {
                    keyspace.close();
                }
            } finally {
                vertx.close().await().atMost(WAIT);
            }
        }
    }

    /** The class keyspace's pool {@code pool1} as the loader hands it over, with some keys overridden. */
    PoolConfig poolConfig(Map<String, String> overrides) {
        return TestPools.pool1(DatabaseKind.CASSANDRA, keyspace.poolSettings(), overrides);
    }

    CassandraPool open(Map<String, String> overrides) {
        return (CassandraPool) backend.open(poolConfig(overrides), PoolRuns.context());
    }

    /** Another pool, closed after the test. */
    CassandraPool openExtra(PoolConfig config) {
        CassandraPool extra = (CassandraPool) backend.open(config, PoolRuns.context());
        extraPools.add(extra);
        return extra;
    }

    // ------------------------------------------------------------------------------------------------ hooks

    static HookConfig hook(HookPoint hookPoint, String function) {
        return hook(hookPoint, function, OfflineOpts.NONE);
    }

    static HookConfig hook(HookPoint hookPoint, String function, OfflineOpts opts) {
        return new HookConfig(DatabaseKind.CASSANDRA, hookPoint, "1", Optional.of("#"),
                new ActionSpec.Function(function), "pool1", opts, OptionalInt.empty(), Optional.empty(), LOCATION);
    }

    static HookConfig cqlHook(HookPoint hookPoint, String... statements) {
        return new HookConfig(DatabaseKind.CASSANDRA, hookPoint, "1", Optional.of("#"),
                new ActionSpec.Statements(ActionSpec.Language.CQL, List.of(statements), false), "pool1",
                OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(), LOCATION);
    }

    ActionOutcome run(HookConfig hook, Event event) {
        return run(pool, hook, event);
    }

    static ActionOutcome run(CassandraPool pool, HookConfig hook, Event event) {
        return PoolRuns.run(pool, hook, event).await().atMost(WAIT);
    }

    /** The writes a hook makes for {@code events}, made in order now (their timestamps fixed), not applied yet. */
    static List<CqlWrite> writes(CassandraPool pool, HookConfig hook, List<? extends Event> events) {
        var write = (io.mqttbackends.runtime.backend.PoolAction.Write<CqlWrite>) pool.prepare(hook);
        return events.stream().map(e -> write.write().apply(e)).toList();
    }

    static List<WriteResult> apply(CassandraPool pool, List<CqlWrite> writes) {
        return pool.apply(writes).await().atMost(WAIT);
    }

    // ------------------------------------------------------------------------------------------------ functions

    void connect(String clientid, long timestamp) {
        run(hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client(clientid, timestamp)));
    }

    void disconnect(String clientid, long timestamp) {
        run(hook(HookPoint.CLIENT_DISCONNECTED, "on_client_disconnected"),
                new ClientDisconnected(client(clientid, timestamp), "normal"));
    }

    void store(Message m) {
        run(hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(m));
    }

    void ack(String clientid, Message m) {
        run(hook(HookPoint.MESSAGE_ACKED, "on_message_acked"), acked(clientid, m));
    }

    ActionOutcome fetch(String clientid, String topic) {
        return fetch(clientid, topic, OfflineOpts.NONE);
    }

    ActionOutcome fetch(String clientid, String topic, OfflineOpts opts) {
        return run(hook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", opts), subscribed(clientid, topic));
    }

    // ------------------------------------------------------------------------------------------------ rows

    List<Row> rows(String cql, Object... values) {
        return TestCassandra.rows(cql.replace("{ks}", keyspace.name()), values);
    }

    Optional<String> cursor(String clientid, String topic) {
        return rows("SELECT msgid FROM {ks}.acked WHERE clientid = ? AND topic = ?", clientid, topic).stream()
                .findFirst().map(r -> r.getString("msgid"));
    }

    /** The topic's stored msgids in store (time) order; the partition reads newest first. */
    List<String> storedMsgids(String topic) {
        List<String> ids = new ArrayList<>();
        rows("SELECT msgid FROM {ks}.msg WHERE topic = ?", topic).forEach(r -> ids.add(0, r.getString("msgid")));
        return ids;
    }

    // ------------------------------------------------------------------------------------------------ events

    static ClientInfo client(String clientid, long timestamp) {
        return new ClientInfo(clientid, Optional.of("user-" + clientid), Optional.of("10.0.0.9"), NODE, timestamp);
    }

    /**
     * A QoS 1 message with an id as the runtime meets them: 32 hex digits, the first 16 its time in microseconds,
     * the last 16 from {@code label}.
     */
    static Message message(String label, String topic, byte[] payload, long timestamp) {
        return new Message(timeOrderedId(label, timestamp), "pub", topic, 1, false, payload, timestamp, Map.of());
    }

    static Message message(String label, String topic, long timestamp) {
        return message(label, topic, bytes("payload " + label), timestamp);
    }

    static String timeOrderedId(String label, long timestamp) {
        return HexFormat.of().withUpperCase().toHexDigits(timestamp * 1000)
                + HexFormat.of().withUpperCase().toHexDigits((long) label.hashCode() << 16 | label.length());
    }

    static MessagePublish publish(Message message) {
        return new MessagePublish(client(message.from(), message.timestamp()), message);
    }

    static MessageAcked acked(String receiver, Message message) {
        return new MessageAcked(client(receiver, message.timestamp()), message);
    }

    static SessionSubscribed subscribed(String clientid, String filter) {
        return new SessionSubscribed(client(clientid, System.currentTimeMillis()), filter, 1, true);
    }

    static SessionUnsubscribed unsubscribed(String clientid, String filter) {
        return new SessionUnsubscribed(client(clientid, System.currentTimeMillis()), filter);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<StoredMessage> delivered(ActionOutcome outcome, String clientid) {
        assertThat(outcome).as("the outcome").isInstanceOf(ActionOutcome.Deliver.class);
        ActionOutcome.Deliver deliver = (ActionOutcome.Deliver) outcome;
        assertThat(deliver.clientid()).isEqualTo(clientid);
        return deliver.messages();
    }

    static List<String> deliveredIds(ActionOutcome outcome, String clientid) {
        return delivered(outcome, clientid).stream().map(StoredMessage::msgid).toList();
    }
}
