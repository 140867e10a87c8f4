package io.mqttbackends.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.testing.PoolRuns;
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
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database-neutral contract of the built-in functions: what every backend's client state, subscription lookup,
 * message store, retained message and offline cursor must do, whatever its database. Tests drive the pool only
 * through the SPI ({@link BackendPool#prepare}, {@link BackendPool#apply}, the reads) and observe the database only
 * through {@link Probes}, which each database implements with its own queries; no test here knows a table, a key
 * or a collection.
 *
 * <p><b>Every backend subclasses this</b>, one subclass per database kind in the backend's test package: PostgreSQL,
 * MySQL and Redis do today, and the MongoDB and Cassandra backends must subclass it too before they ship (as
 * {@code MongoNeutralFunctionsIT} and {@code CassandraNeutralFunctionsIT}). A subclass supplies:
 * <ul>
 *   <li>{@link #openFreshStore}: a pool on a database of the test's own, uniquely named (a database, a keyspace, a
 *       private server: whatever cannot collide with a concurrent run), probes reading it, and how to drop it;</li>
 *   <li>{@link #function}: which of its database's function names plays each {@link Role} (EMQX named them
 *       differently per database: {@code on_message_fetch} for SQL, {@code on_message_fetch_for_pubsub} for
 *       Redis);</li>
 *   <li>{@link #kind}: the database kind its hook lines are written for.</li>
 * </ul>
 * The contract calls {@link BackendPool#initSchema()} (the shipped schema, as {@code schema.init}) before each test
 * and closes the pool after it.
 *
 * <p>Conventions the probes share:
 * <ul>
 *   <li>the <b>cursor</b> of a (client id, topic) is read back as the msgid of the message it stands at, whatever
 *       the database stores (SQL: {@code mqtt_acked.mid}, an {@code mqtt_msg.id}; Redis: the msgid itself); a
 *       cursor placed on a topic that had no message reads {@link #BEFORE_EVERY_MESSAGE}; no cursor reads empty;</li>
 *   <li>a <b>stored</b> message is one an offline fetch of its topic could deliver, listed in store order.</li>
 * </ul>
 *
 * <p>A retained message is published through both the store and the retain function, as EMQX's sample confs hook
 * them on {@code message.publish}: Redis's retain keeps only a pointer to the stored message. The batch applied
 * twice holds the roles that are writes on every database (connect, disconnect, store, retain, ack); retain delete
 * runs alone, since on Redis it reads the pointer first (a {@link PoolAction.Read}).
 */
public abstract class FunctionsContract {

    /** What {@link Probes#cursorMsgid} answers for a cursor placed before every message (on an empty topic). */
    public static final String BEFORE_EVERY_MESSAGE = "";

    protected static final Duration WAIT = Duration.ofSeconds(20);
    protected static final String NODE = "emqx@127.0.0.1";
    private static final String TOPIC = "devices/d1/state";
    private static final String OTHER_TOPIC = "devices/d2/state";

    /**
     * The part a built-in function plays, whatever its name on a database; with the hook point it sits on. The names
     * are the subclass's ({@link #function}).
     */
    public enum Role {
        CONNECT(HookPoint.CLIENT_CONNECTED),
        DISCONNECT(HookPoint.CLIENT_DISCONNECTED),
        SUBSCRIBE_LOOKUP(HookPoint.CLIENT_CONNECTED),
        /** Stores a published message for offline fetch (QoS&gt;0; the hook stage filters QoS 0 out). */
        STORE(HookPoint.MESSAGE_PUBLISH),
        /** Offline fetch with a cursor per (client id, topic), EMQX's many-to-many mode. */
        FETCH(HookPoint.SESSION_SUBSCRIBED),
        /** Moves the fetch cursor to the acked message, never back. */
        ACK(HookPoint.MESSAGE_ACKED),
        RETAIN(HookPoint.MESSAGE_PUBLISH),
        RETAIN_DELETE(HookPoint.MESSAGE_PUBLISH),
        RETAIN_LOOKUP(HookPoint.SESSION_SUBSCRIBED);

        private final HookPoint hookPoint;

        Role(HookPoint hookPoint) {
            this.hookPoint = hookPoint;
        }

        public HookPoint hookPoint() {
            return hookPoint;
        }
    }

    /**
     * Reads (and, for test setup, writes) a database the way an application or an operator would, outside the pool
     * under test. Each database implements it with its own queries on the shipped schema.
     */
    public interface Probes {

        /** The client's state: online (true), offline (false), or never seen (empty). */
        Optional<Boolean> online(String clientid);

        /** Test setup: stores a subscription the way an application does for {@code on_subscribe_lookup}. */
        void storeSubscription(String clientid, String topic, int qos);

        /** The msgids of the topic's stored messages (those an offline fetch could deliver), in store order. */
        List<String> storedMsgids(String topic);

        /** The msgid of the topic's retained message, if any. */
        Optional<String> retainedMsgid(String topic);

        /**
         * The msgid the fetch cursor of (client id, topic) stands at; {@link #BEFORE_EVERY_MESSAGE} for a cursor
         * placed on a topic with no message; empty when there is no cursor.
         */
        Optional<String> cursorMsgid(String clientid, String topic);
    }

    /**
     * A pool on a fresh database of the test's own, the probes reading that database, and how to drop it (after the
     * contract closed the pool).
     */
    public record FreshStore(BackendPool<?> pool, Probes probes, Runnable drop) {
    }

    /** The database kind this subclass tests (its hook lines' kind). */
    protected abstract DatabaseKind kind();

    /**
     * Creates a database (or keyspace, or server) named after {@code uniqueName} that nothing else uses, opens a pool
     * on it with {@code backend.open(poolConfig(keys), PoolRuns.context())} and probes reading it; drops what it
     * created when it fails halfway. Must not create the schema: the contract calls {@link BackendPool#initSchema()}.
     *
     * @param uniqueName lower-case letters, digits and underscores, starting with a letter, at most 30 characters
     */
    protected abstract FreshStore openFreshStore(Vertx vertx, String uniqueName);

    /** The database's function name that plays {@code role}. */
    protected abstract String function(Role role);

    private Vertx vertx;
    private FreshStore store;
    protected BackendPool<?> pool;
    protected Probes probes;

    @BeforeEach
    void openPoolOnAFreshDatabase() {
        vertx = Vertx.vertx();
        store = openFreshStore(vertx, uniqueName());
        pool = store.pool();
        probes = store.probes();
        pool.initSchema().await().atMost(WAIT);
    }

    @AfterEach
    void closeAndDrop() {
        try {
            if (pool != null) {
                pool.close().await().atMost(WAIT);
            }
        } finally {
            try {
                if (store != null) {
                    store.drop().run();
                }
            } finally {
                vertx.close().await().atMost(WAIT);
            }
        }
    }

    /** {@code mqb_fc_<pid>_<random>}: unique per test, per run and per concurrent run on this machine. */
    private static String uniqueName() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return "mqb_fc_" + Long.toString(ProcessHandle.current().pid(), 36) + "_" + HexFormat.of().formatHex(random);
    }

    // ------------------------------------------------------------------------------------------------ client state

    @Test
    void connectMakesTheClientOnlineAndDisconnectOffline() {
        assertThat(probes.online("c1")).as("never connected").isEmpty();

        run(Role.CONNECT, connected("c1"));
        assertThat(probes.online("c1")).as("after connect").contains(true);

        run(Role.DISCONNECT, disconnected("c1"));
        assertThat(probes.online("c1")).as("after disconnect").contains(false);

        run(Role.CONNECT, connected("c1"));
        assertThat(probes.online("c1")).as("after connecting again").contains(true);
        assertThat(probes.online("c2")).as("another client").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ subscriptions

    @Test
    void subscribeLookupAnswersTheClientsStoredSubscriptions() {
        probes.storeSubscription("c1", "a/b", 1);
        probes.storeSubscription("c1", "c/#", 2);
        probes.storeSubscription("c2", "x", 0);

        ActionOutcome outcome = run(Role.SUBSCRIBE_LOOKUP, connected("c1"));

        assertThat(outcome).isInstanceOfSatisfying(ActionOutcome.SubscribeClient.class, s -> {
            assertThat(s.clientid()).isEqualTo("c1");
            assertThat(s.subscriptions()).containsExactlyInAnyOrder(new Subscription("a/b", 1),
                    new Subscription("c/#", 2));
        });
        assertThat(run(Role.SUBSCRIBE_LOOKUP, connected("c9"))).as("a client without subscriptions")
                .isEqualTo(ActionOutcome.NONE);
    }

    // ------------------------------------------------------------------------------------------------ store

    @Test
    void aPublishedMessageIsStoredInStoreOrderUnderItsTopic() {
        List<Message> stored = storeMessages(3);
        Message elsewhere = message("elsewhere", OTHER_TOPIC, false, System.currentTimeMillis());
        run(Role.STORE, publish(elsewhere));

        assertThat(probes.storedMsgids(TOPIC)).containsExactly(ids(stored));
        assertThat(probes.storedMsgids(OTHER_TOPIC)).containsExactly(elsewhere.msgid());
    }

    @Test
    void aMessageDeliveredAgainWithTheSameIdIsStoredOnce() {
        Message m = message("again", TOPIC, false, System.currentTimeMillis());
        run(Role.STORE, publish(m));
        run(Role.STORE, publish(m));

        assertThat(probes.storedMsgids(TOPIC)).containsExactly(m.msgid());
    }

    @Test
    void aMessageDeliveredTwiceInOneBatchIsStoredOnce() {
        Message m = message("twice", TOPIC, false, System.currentTimeMillis());
        Batch<?> batch = batch(pool, List.of(write(Role.STORE, publish(m)), write(Role.STORE, publish(m))));

        assertThat(batch.apply()).as("both writes of the batch").containsOnly(WriteResult.APPLIED);
        assertThat(probes.storedMsgids(TOPIC)).containsExactly(m.msgid());
    }

    // ------------------------------------------------------------------------------------------------ idempotence

    /**
     * The batch contract: the action stage retries writes that may have taken effect (a {@link WriteResult.NotApplied}
     * on a {@link BatchGuarantee#PER_ITEM} pool, a call that timed out after the database committed), so the same
     * batch applied again must leave the same state.
     */
    @Test
    void theSameBatchAppliedTwiceLeavesTheSameState() {
        long base = System.currentTimeMillis() - 60_000;
        Message m0 = message("m0", TOPIC, false, base);
        Message m1 = message("m1", TOPIC, false, base + 1000);
        Message m2 = message("m2", TOPIC, true, base + 2000);
        Batch<?> batch = batch(pool, List.of(
                write(Role.CONNECT, connected("c1")),
                write(Role.CONNECT, connected("c2")),
                write(Role.DISCONNECT, disconnected("c2")),
                write(Role.STORE, publish(m0)),
                write(Role.STORE, publish(m1)),
                write(Role.STORE, publish(m2)),
                write(Role.RETAIN, publish(m2)),
                write(Role.ACK, acked("sub", m1))));

        assertThat(batch.apply()).as("first apply").hasSize(8).containsOnly(WriteResult.APPLIED);
        State once = state();
        assertThat(once).as("after the first apply")
                .isEqualTo(new State(List.of(m0.msgid(), m1.msgid(), m2.msgid()), Optional.of(true),
                        Optional.of(false), Optional.of(m2.msgid()), Optional.of(m1.msgid())));

        assertThat(batch.apply()).as("second apply").hasSize(8).containsOnly(WriteResult.APPLIED);
        assertThat(state()).as("after the same batch again").isEqualTo(once);
    }

    private record State(List<String> stored, Optional<Boolean> c1, Optional<Boolean> c2, Optional<String> retained,
            Optional<String> cursor) {
    }

    private State state() {
        return new State(probes.storedMsgids(TOPIC), probes.online("c1"), probes.online("c2"),
                probes.retainedMsgid(TOPIC), probes.cursorMsgid("sub", TOPIC));
    }

    // ------------------------------------------------------------------------------------------------ retained

    @Test
    void retainThenRetainLookupDeliversTheRetainedMessageAndRetainDeleteRemovesIt() {
        long now = System.currentTimeMillis();
        Message r1 = message("r1", TOPIC, true, now - 2000);
        retain(r1);
        assertThat(probes.retainedMsgid(TOPIC)).contains(r1.msgid());
        Message r2 = message("r2", TOPIC, true, now - 1000);
        retain(r2);
        assertThat(probes.retainedMsgid(TOPIC)).as("a newer retained message replaces the first")
                .contains(r2.msgid());

        ActionOutcome outcome = run(Role.RETAIN_LOOKUP, subscribed("sub", TOPIC));

        assertThat(outcome).isInstanceOfSatisfying(ActionOutcome.Deliver.class, d -> {
            assertThat(d.clientid()).isEqualTo("sub");
            assertThat(d.messages()).singleElement().satisfies(m -> {
                assertThat(m.msgid()).isEqualTo(r2.msgid());
                assertThat(m.topic()).isEqualTo(TOPIC);
                assertThat(m.retain()).as("delivered as retained").isTrue();
                assertThat(m.payload()).isEqualTo(r2.payload());
            });
        });
        assertThat(run(Role.RETAIN_LOOKUP, subscribed("sub", OTHER_TOPIC))).as("a topic without one")
                .isEqualTo(ActionOutcome.NONE);

        run(Role.RETAIN_DELETE, publish(new Message(timeOrderedId("empty", now), "pub", TOPIC, 1, true, new byte[0],
                now, Map.of())));

        assertThat(probes.retainedMsgid(TOPIC)).as("after retain delete").isEmpty();
        assertThat(run(Role.RETAIN_LOOKUP, subscribed("sub", TOPIC))).as("lookup after retain delete")
                .isEqualTo(ActionOutcome.NONE);
    }

    // ------------------------------------------------------------------------------------------------ cursor

    @Test
    void firstSubscriptionPlacesTheCursorAtTheNewestMessageAndDeliversNothing() {
        List<Message> stored = storeMessages(3);

        assertThat(run(Role.FETCH, subscribed("sub", TOPIC))).isEqualTo(ActionOutcome.NONE);

        assertThat(probes.cursorMsgid("sub", TOPIC)).contains(stored.get(2).msgid());
    }

    @Test
    void firstSubscriptionToAnEmptyTopicPlacesTheCursorBeforeEveryMessage() {
        assertThat(probes.cursorMsgid("sub", TOPIC)).as("no cursor yet").isEmpty();

        assertThat(run(Role.FETCH, subscribed("sub", TOPIC))).isEqualTo(ActionOutcome.NONE);
        assertThat(probes.cursorMsgid("sub", TOPIC)).contains(BEFORE_EVERY_MESSAGE);

        List<Message> later = storeMessages(2);
        assertThat(delivered(run(Role.FETCH, subscribed("sub", TOPIC)), "sub")).containsExactly(ids(later));
    }

    @Test
    void afterAckingTheFirstOfThreeLaterMessagesTheNextFetchDeliversTheOtherTwoInOrder() {
        Message before = storeMessages(1).get(0);
        assertThat(run(Role.FETCH, subscribed("sub", TOPIC))).isEqualTo(ActionOutcome.NONE);
        assertThat(probes.cursorMsgid("sub", TOPIC)).contains(before.msgid());
        long base = System.currentTimeMillis() - 30_000;
        List<Message> later = List.of(message("a", TOPIC, false, base), message("b", TOPIC, false, base + 1000),
                message("c", TOPIC, false, base + 2000));
        later.forEach(m -> run(Role.STORE, publish(m)));
        run(Role.ACK, acked("sub", later.get(0)));
        assertThat(probes.cursorMsgid("sub", TOPIC)).as("after the ack").contains(later.get(0).msgid());

        ActionOutcome outcome = run(Role.FETCH, subscribed("sub", TOPIC));

        assertThat(delivered(outcome, "sub")).containsExactly(later.get(1).msgid(), later.get(2).msgid());
        assertThat(((ActionOutcome.Deliver) outcome).messages()).allSatisfy(m -> {
            assertThat(m.topic()).isEqualTo(TOPIC);
            assertThat(m.retain()).isFalse();
        });
        assertThat(((ActionOutcome.Deliver) outcome).messages().get(0).payload())
                .isEqualTo(later.get(1).payload());
        assertThat(probes.cursorMsgid("sub", TOPIC)).as("fetching does not move the cursor")
                .contains(later.get(0).msgid());
    }

    @Test
    void anAckNeverMovesTheCursorBack() {
        List<Message> stored = storeMessages(3);

        run(Role.ACK, acked("sub", stored.get(2)));
        assertThat(probes.cursorMsgid("sub", TOPIC)).contains(stored.get(2).msgid());

        run(Role.ACK, acked("sub", stored.get(1)));
        assertThat(probes.cursorMsgid("sub", TOPIC)).as("after acking an earlier message")
                .contains(stored.get(2).msgid());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Pool {@code pool1} of {@link #kind} as the configuration loader hands it to a backend: {@code keys} written as
     * conf lines ({@code backend.<db>.pool1.<key> = <value>}) and parsed, every other key at its default.
     */
    protected PoolConfig poolConfig(Map<String, String> keys) {
        String prefix = "backend." + kind().poolPrefix() + ".pool1.";
        StringBuilder conf = new StringBuilder();
        keys.forEach((key, value) -> conf.append(prefix).append(key).append(" = ").append(value).append('\n'));
        return ConfLoader.parse(List.of(new ConfFile(Path.of(kind().poolPrefix() + ".conf"), conf.toString())))
                .pool(kind(), "pool1").orElseThrow();
    }

    /** The hook line of a role's function; a subclass may override it to add database options. */
    protected HookConfig hook(Role role) {
        return new HookConfig(kind(), role.hookPoint(), "1", Optional.of("#"), new ActionSpec.Function(function(role)),
                "pool1", OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(),
                new ConfigLocation(Path.of(kind().hookPrefix() + ".conf"), 1, "backend." + kind().hookPrefix()
                        + ".hook." + role.hookPoint().confName() + ".1"));
    }

    protected ActionOutcome run(Role role, Event event) {
        return PoolRuns.run(pool, hook(role), event).await().atMost(WAIT);
    }

    private void retain(Message m) {
        run(Role.STORE, publish(m));
        run(Role.RETAIN, publish(m));
    }

    /** {@code count} QoS 1 messages {@code m0, m1, ...} on the topic, a second apart, stored in that order. */
    private List<Message> storeMessages(int count) {
        long base = System.currentTimeMillis() - 60_000;
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Message m = message("m" + i, TOPIC, false, base + i * 1000L);
            run(Role.STORE, publish(m));
            messages.add(m);
        }
        return messages;
    }

    private static String[] ids(List<Message> messages) {
        return messages.stream().map(Message::msgid).toArray(String[]::new);
    }

    private static List<String> delivered(ActionOutcome outcome, String clientid) {
        assertThat(outcome).isInstanceOf(ActionOutcome.Deliver.class);
        ActionOutcome.Deliver deliver = (ActionOutcome.Deliver) outcome;
        assertThat(deliver.clientid()).isEqualTo(clientid);
        return deliver.messages().stream().map(StoredMessage::msgid).toList();
    }

    private Map.Entry<HookConfig, Event> write(Role role, Event event) {
        return Map.entry(hook(role), event);
    }

    /** Writes prepared once, as at load, and applied as one batch as often as asked. */
    private static final class Batch<W> {
        private final BackendPool<W> pool;
        private final Map.Entry<PoolAction<W>, Event>[] writes;

        private Batch(BackendPool<W> pool, Map.Entry<PoolAction<W>, Event>[] writes) {
            this.pool = pool;
            this.writes = writes;
        }

        List<WriteResult> apply() {
            return PoolRuns.apply(pool, writes).await().atMost(WAIT);
        }
    }

    @SuppressWarnings("unchecked")
    private static <W> Batch<W> batch(BackendPool<W> pool, List<Map.Entry<HookConfig, Event>> writes) {
        Map.Entry<PoolAction<W>, Event>[] prepared = writes.stream()
                .map(w -> Map.entry(pool.prepare(w.getKey()), w.getValue()))
                .toArray(Map.Entry[]::new);
        return new Batch<>(pool, prepared);
    }

    protected static ClientInfo client(String clientid, long timestamp) {
        return new ClientInfo(clientid, Optional.of("user-" + clientid), Optional.of("10.0.0.9"), NODE, timestamp);
    }

    protected static ClientConnected connected(String clientid) {
        return new ClientConnected(client(clientid, System.currentTimeMillis()));
    }

    protected static ClientDisconnected disconnected(String clientid) {
        return new ClientDisconnected(client(clientid, System.currentTimeMillis()), "normal");
    }

    /**
     * A QoS 1 message from {@code pub} whose payload names it, with an id as the runtime meets them: 32 hex digits,
     * the first 16 the time in microseconds (EMQX 5's, and those the runtime mints), so ids sort by time as text,
     * which a store clustered by msgid (Cassandra's) relies on.
     */
    protected static Message message(String label, String topic, boolean retain, long timestamp) {
        return new Message(timeOrderedId(label, timestamp), "pub", topic, 1, retain,
                ("payload " + label).getBytes(StandardCharsets.UTF_8), timestamp, Map.of());
    }

    /** The id of a message made at {@code timestamp} (ms), its last 16 digits from {@code label}. */
    protected static String timeOrderedId(String label, long timestamp) {
        return HexFormat.of().withUpperCase().toHexDigits(timestamp * 1000)
                + HexFormat.of().withUpperCase().toHexDigits((long) label.hashCode() << 16 | label.length());
    }

    protected static MessagePublish publish(Message message) {
        return new MessagePublish(client(message.from(), message.timestamp()), message);
    }

    protected static MessageAcked acked(String receiver, Message message) {
        return new MessageAcked(client(receiver, message.timestamp()), message);
    }

    protected static SessionSubscribed subscribed(String clientid, String filter) {
        return new SessionSubscribed(client(clientid, System.currentTimeMillis()), filter, 1, true);
    }
}
