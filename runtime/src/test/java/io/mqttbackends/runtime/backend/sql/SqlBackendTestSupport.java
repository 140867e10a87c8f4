package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.testing.PoolRuns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.mysql.MysqlBackend;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.testing.SqlTestDatabase;
import io.mqttbackends.runtime.testing.TestPools;
import io.vertx.mutiny.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of every SQL backend test: a real server, a database of the test class's own ({@link SqlTestDatabase},
 * created for its first test and dropped after its last), fresh tables per test, and a second plain pool to read the
 * rows the backend wrote. Inspection SQL is written with {@code $n} markers and rendered for the database, so one
 * test reads the same on every SQL database.
 */
public abstract class SqlBackendTestSupport {
    protected static final Duration WAIT = Duration.ofSeconds(20);
    protected static final String NODE = "emqx@127.0.0.1";

    private static final String DROP =
            "DROP TABLE IF EXISTS mqtt_client, mqtt_sub, mqtt_msg, mqtt_retain, mqtt_acked, probe";

    /** The database of the test class running now: JUnit runs the classes of a test JVM one at a time here. */
    private static SqlTestDatabase classDatabase;

    protected Vertx vertx;
    protected Backend backend;
    protected SqlPool pool;
    protected Pool db;

    private final DatabaseKind kind;

    protected SqlBackendTestSupport(DatabaseKind kind) {
        this.kind = kind;
    }

    protected DatabaseKind kind() {
        return kind;
    }

    protected String arrivedMillis() {
        return database().arrivedMillis();
    }

    protected SqlTestDatabase database() {
        return classDatabase;
    }

    @BeforeEach
    void openPoolOnFreshTables() {
        if (classDatabase == null) {
            classDatabase = SqlTestDatabase.create(kind);
        }
        vertx = Vertx.vertx();
        db = classDatabase.openPool(vertx);
        sql(DROP);
        backend = switch (kind) {
            case PGSQL -> new PgsqlBackend(vertx);
            case MYSQL -> new MysqlBackend(vertx);
            default -> throw new IllegalArgumentException(kind + " has no SQL backend");
        };
        pool = (SqlPool) backend.open(poolConfig(Map.of()), PoolRuns.context());
        createTables();
    }

    /** Our shipped schema; a test of EMQX's own DDL overrides this. */
    protected void createTables() {
        pool.initSchema().await().atMost(WAIT);
    }

    @AfterEach
    void closeAll() {
        pool.close().await().atMost(WAIT);
        db.close().await().atMost(WAIT);
        vertx.close().await().atMost(WAIT);
    }

    @AfterAll
    static void dropClassDatabase() {
        if (classDatabase != null) {
            classDatabase.close();
            classDatabase = null;
        }
    }

    protected String confFile() {
        return kind() + ".conf";
    }

    /** Where the test's hook lines come from. */
    protected ConfigLocation location() {
        return new ConfigLocation(Path.of(confFile()), 1, "backend." + kind() + ".hook");
    }

    /** The pool's configuration with some keys overridden, each located at its own conf line. */
    protected PoolConfig poolConfig(Map<String, String> overrides) {
        return TestPools.pool1(kind(), database().poolSettings(), overrides);
    }

    protected HookConfig functionHook(HookPoint hookPoint, String function, OfflineOpts opts) {
        return hook(hookPoint, new ActionSpec.Function(function), opts);
    }

    protected HookConfig sqlHook(HookPoint hookPoint, String... statements) {
        return hook(hookPoint, new ActionSpec.Statements(ActionSpec.Language.SQL, List.of(statements), false),
                OfflineOpts.NONE);
    }

    protected HookConfig hook(HookPoint hookPoint, ActionSpec action, OfflineOpts opts) {
        return new HookConfig(kind(), hookPoint, "1", Optional.of("#"), action, "pool1", opts, OptionalInt.empty(),
                Optional.empty(), location());
    }

    protected ActionOutcome run(HookPoint hookPoint, String function, Event event) {
        return run(functionHook(hookPoint, function, OfflineOpts.NONE), event);
    }

    protected ActionOutcome run(HookConfig hook, Event event) {
        return PoolRuns.run(pool, hook, event).await().atMost(WAIT);
    }

    protected static ClientInfo client(String clientid, long timestamp) {
        return new ClientInfo(clientid, Optional.empty(), Optional.empty(), NODE, timestamp);
    }

    protected static Message message(String msgid, String from, String topic, int qos, boolean retain,
            byte[] payload, long timestamp) {
        return new Message(msgid, from, topic, qos, retain, payload, timestamp, Map.of());
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

    /**
     * Runs SQL on the test's own connection (setup and inspection), outside the backend under test; {@code $n}
     * markers become the database's own.
     */
    protected List<Row> sql(String statement, Object... params) {
        List<Row> rows = new ArrayList<>();
        if (params.length == 0) {
            db.query(statement).execute().await().atMost(WAIT).forEach(rows::add);
        } else {
            SqlCommand command = SqlText.render(statement, database().numberedMarkers()).with(params);
            db.preparedQuery(command.sql()).execute(Tuple.from(command.values().stream()
                    .map(v -> v instanceof byte[] b ? Buffer.buffer(b) : v).toList()))
                    .await().atMost(WAIT).forEach(rows::add);
        }
        return rows;
    }

    protected static List<String> deliveredIds(ActionOutcome outcome, String clientid) {
        assertThat(outcome).isInstanceOf(ActionOutcome.Deliver.class);
        ActionOutcome.Deliver deliver = (ActionOutcome.Deliver) outcome;
        assertThat(deliver.clientid()).isEqualTo(clientid);
        return deliver.messages().stream().map(StoredMessage::msgid).toList();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
