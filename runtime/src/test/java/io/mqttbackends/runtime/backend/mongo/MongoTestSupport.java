package io.mqttbackends.runtime.backend.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PayloadFormat;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
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
import io.mqttbackends.runtime.testing.MongoTestDatabase;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestPools;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the MongoDB backend tests: a database of each test's own on the run's MongoDB ({@link MongoTestDatabase},
 * dropped after the test), a pool on it with the shipped schema ({@code initSchema}) unless a test class says
 * otherwise, and {@link MongoProbes} reading the documents with the plain driver.
 */
abstract class MongoTestSupport {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String NODE = "emqx@127.0.0.1";
    static final ConfigLocation LOCATION = new ConfigLocation(Path.of("mongo.conf"), 3, "backend.mongo.hook");

    Vertx vertx;
    MongoTestDatabase database;
    MongoProbes probes;
    MongoBackend backend;
    BackendPool<?> pool;
    private final List<BackendPool<?>> extraPools = new ArrayList<>();

    @BeforeEach
    void openPoolOnAFreshDatabase() {
        vertx = Vertx.vertx();
        database = MongoTestDatabase.create();
        probes = new MongoProbes(database.connect());
        backend = new MongoBackend(vertx);
        pool = backend.open(poolConfig(Map.of()), PoolRuns.context());
        if (initSchemaBeforeEachTest()) {
            pool.initSchema().await().atMost(WAIT);
        }
    }

    @AfterEach
    void closeAll() {
        try {
            for (BackendPool<?> extra : extraPools) {
                extra.close().await().atMost(WAIT);
            }
            pool.close().await().atMost(WAIT);
        } finally {
            try {
                database.close();
            } finally {
                vertx.close().await().atMost(WAIT);
            }
        }
    }

    /** Whether the pool creates the shipped collections and indexes before each test. */
    boolean initSchemaBeforeEachTest() {
        return true;
    }

    /** The test database's pool {@code pool1} as the loader hands it over, with some keys overridden. */
    PoolConfig poolConfig(Map<String, String> overrides) {
        return TestPools.pool1(DatabaseKind.MONGO, database.poolSettings(), overrides);
    }

    /** Another pool of the test's backend, closed after the test. */
    BackendPool<?> openPool(Map<String, String> overrides) {
        BackendPool<?> extra = backend.open(poolConfig(overrides), PoolRuns.context());
        extraPools.add(extra);
        return extra;
    }

    static HookConfig hook(HookPoint hookPoint, String function) {
        return hook(hookPoint, function, OfflineOpts.NONE, Optional.empty());
    }

    static HookConfig hook(HookPoint hookPoint, String function, OfflineOpts opts) {
        return hook(hookPoint, function, opts, Optional.empty());
    }

    static HookConfig hook(HookPoint hookPoint, String function, PayloadFormat format) {
        return hook(hookPoint, function, OfflineOpts.NONE, Optional.of(format));
    }

    static HookConfig hook(HookPoint hookPoint, String function, OfflineOpts opts, Optional<PayloadFormat> format) {
        return new HookConfig(DatabaseKind.MONGO, hookPoint, "1", Optional.of("#"),
                new ActionSpec.Function(function), "pool1", opts, OptionalInt.empty(), format, LOCATION);
    }

    ActionOutcome run(HookConfig hook, Event event) {
        return run(pool, hook, event);
    }

    static ActionOutcome run(BackendPool<?> pool, HookConfig hook, Event event) {
        return PoolRuns.run(pool, hook, event).await().atMost(WAIT);
    }

    // ------------------------------------------------------------------------------------------------ the functions

    void connect(String clientid, long timestamp) {
        run(hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client(clientid, timestamp)));
    }

    void disconnect(String clientid, long timestamp) {
        run(hook(HookPoint.CLIENT_DISCONNECTED, "on_client_disconnected"),
                new ClientDisconnected(client(clientid, timestamp), "normal"));
    }

    ActionOutcome subscribeLookup(String clientid) {
        return run(hook(HookPoint.CLIENT_CONNECTED, "on_subscribe_lookup"),
                new ClientConnected(client(clientid, System.currentTimeMillis())));
    }

    /** {@code on_message_publish} with the default payload format. */
    void store(Message m) {
        run(hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(m));
    }

    void store(Message m, PayloadFormat format) {
        run(hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish", format), publish(m));
    }

    void retain(Message m, PayloadFormat format) {
        run(hook(HookPoint.MESSAGE_PUBLISH, "on_message_retain", format), publish(m));
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

    ActionOutcome retainLookup(String clientid, String topic) {
        return run(hook(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup"), subscribed(clientid, topic));
    }

    void ackedDelete(String clientid, String topic) {
        run(hook(HookPoint.SESSION_UNSUBSCRIBED, "on_acked_delete"),
                new SessionUnsubscribed(client(clientid, System.currentTimeMillis()), topic));
    }

    /** The writes the hook's action makes for {@code events}, prepared once and applied as one batch. */
    static List<WriteResult> applyBatch(BackendPool<?> pool, HookConfig hook, List<? extends Event> events) {
        return applyTyped(pool, hook, events);
    }

    private static <W> List<WriteResult> applyTyped(BackendPool<W> pool, HookConfig hook,
            List<? extends Event> events) {
        PoolAction.Write<W> write = (PoolAction.Write<W>) pool.prepare(hook);
        List<W> writes = events.stream().map(e -> write.write().apply(e)).toList();
        return pool.apply(writes).await().atMost(WAIT);
    }

    // ------------------------------------------------------------------------------------------------ events

    static ClientInfo client(String clientid, long timestamp) {
        return new ClientInfo(clientid, Optional.of("user-" + clientid), Optional.of("10.0.0.9"), NODE, timestamp);
    }

    static Message message(String msgid, String topic, byte[] payload, long timestamp) {
        return new Message(msgid, "pub", topic, 1, false, payload, timestamp, Map.of());
    }

    static Message message(String msgid, String topic, String payload, long timestamp) {
        return message(msgid, topic, bytes(payload), timestamp);
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

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The messages of a {@link ActionOutcome.Deliver} to {@code clientid}. */
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
