package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.testing.PoolRuns;

import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.action.ActionRunner;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.action.BrokerControl;
import io.mqttbackends.runtime.broker.DeadLetters;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.RedisTestDatabase;
import io.mqttbackends.runtime.testing.TestPools;
import io.mqttbackends.runtime.testing.TestRedis;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the Redis backend tests: a real Redis of the test class's own ({@link RedisTestDatabase}: a private server
 * started for its first test and stopped after its last), the pools on its database {@link #DATABASE} (flushed
 * before each test; not database 0, so a pool that ignores its {@code database} key shows), and a second plain client
 * to read what the backend wrote.
 */
abstract class RedisTestSupport {
    static final int DATABASE = 9;

    /** The server of the test class running now: JUnit runs the classes of a test JVM one at a time here. */
    static RedisTestDatabase classDatabase;

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String NODE = "emqx@127.0.0.1";
    static final ConfigLocation LOCATION = new ConfigLocation(Path.of("redis.conf"), 3, "backend.redis.hook");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Vertx vertx;
    RedisBackend backend;
    PoolContext context;
    RedisPool pool;
    TestRedis redis;

    @BeforeEach
    void openPoolOnAFreshDatabase() {
        if (classDatabase == null) {
            classDatabase = RedisTestDatabase.start(DATABASE);
        }
        vertx = Vertx.vertx();
        redis = classDatabase.connect();
        redis.flushDb();
        backend = new RedisBackend(vertx);
        context = context(new MqttBrokerControl(new MqttIngress(runtimeConfig(Map.of()))));
        pool = (RedisPool) backend.open(poolConfig(Map.of()), context);
    }

    @AfterEach
    void closeAll() {
        pool.close().await().atMost(WAIT);
        redis.close();
        vertx.close().await().atMost(WAIT);
    }

    @AfterAll
    static void stopClassServer() {
        if (classDatabase != null) {
            classDatabase.close();
            classDatabase = null;
        }
    }

    /** A pool context whose requests (a control channel's) act through {@code broker}, as the runtime's does. */
    PoolContext context(BrokerControl broker) {
        RuntimeConfig config = runtimeConfig(Map.of("retry.initial-backoff", "PT0.01S", "retry.max-backoff",
                "PT0.1S"));
        RuntimeMetrics metrics = new RuntimeMetrics(registry);
        return new ActionRunner(config, broker, new DeadLetters(config, new MqttIngress(config)), metrics)
                .poolContext();
    }

    /**
     * A complete redis pool schema for the class's server, as the configuration loader hands it over, with some keys
     * overridden.
     */
    static PoolConfig poolConfig(Map<String, String> overrides) {
        return TestPools.pool1(DatabaseKind.REDIS, classDatabase.poolSettings(), overrides);
    }

    static HookConfig functionHook(HookPoint hookPoint, String function, OptionalInt expiredTime) {
        return new HookConfig(DatabaseKind.REDIS, hookPoint, "1", Optional.of("#"),
                new ActionSpec.Function(function), "pool1", OfflineOpts.NONE, expiredTime, Optional.empty(),
                LOCATION);
    }

    static HookConfig commandsHook(HookPoint hookPoint, boolean pipeline, String... commands) {
        return new HookConfig(DatabaseKind.REDIS, hookPoint, "1", Optional.of("#"),
                new ActionSpec.Statements(ActionSpec.Language.COMMANDS, List.of(commands), pipeline), "pool1",
                OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(), LOCATION);
    }

    ActionOutcome run(HookPoint hookPoint, String function, Event event) {
        return run(functionHook(hookPoint, function, OptionalInt.empty()), event);
    }

    ActionOutcome run(HookConfig hook, Event event) {
        return PoolRuns.run(pool, hook, event).await().atMost(WAIT);
    }

    static ClientInfo client(String clientid, long timestamp) {
        return new ClientInfo(clientid, Optional.of("user-" + clientid), Optional.of("10.0.0.9"), NODE, timestamp);
    }

    static Message message(String msgid, String topic, int qos, boolean retain, String payload, long timestamp) {
        return new Message(msgid, "pub", topic, qos, retain, bytes(payload), timestamp, Map.of());
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
}
