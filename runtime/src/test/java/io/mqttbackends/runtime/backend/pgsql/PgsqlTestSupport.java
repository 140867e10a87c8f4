package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.runtime.action.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.config.ActionSpec;
import io.mqttbackends.runtime.config.ConfigLocation;
import io.mqttbackends.runtime.config.DatabaseKind;
import io.mqttbackends.runtime.config.HookConfig;
import io.mqttbackends.runtime.config.OfflineOpts;
import io.mqttbackends.runtime.config.PoolConfig;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.HookPoint;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.testing.TestPools;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
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
 * Base of the PostgreSQL backend tests: a real server on 127.0.0.1:5432 (trust auth), a database of our own, fresh
 * tables per test, and a second plain pool to read the rows the backend wrote.
 */
abstract class PgsqlTestSupport {
    static final String DATABASE = "mqttbackends_pgsql_it";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String NODE = "emqx@127.0.0.1";
    static final ConfigLocation LOCATION = new ConfigLocation(Path.of("pgsql.conf"), 1, "backend.pgsql.hook");

    /** EMQX 4.4's own DDL for emqx_backend_pgsql (spec §3.3): text payloads, serial int ids. */
    static final String EMQX_DDL = """
            CREATE TABLE mqtt_client (id SERIAL primary key, clientid varchar(100), state integer,
              node varchar(100), online_at timestamp, offline_at timestamp, created timestamp without time zone,
              UNIQUE (clientid));
            CREATE TABLE mqtt_sub (id SERIAL primary key, clientid varchar(100), topic varchar(200), qos integer,
              created timestamp without time zone, UNIQUE (clientid, topic));
            CREATE TABLE mqtt_msg (id SERIAL primary key, msgid varchar(60), sender varchar(100),
              topic varchar(200), qos integer, retain integer, payload text, arrived timestamp without time zone);
            CREATE TABLE mqtt_retain (id SERIAL primary key, topic varchar(200), msgid varchar(60),
              sender varchar(100), qos integer, payload text, arrived timestamp without time zone, UNIQUE (topic));
            CREATE TABLE mqtt_acked (id SERIAL primary key, clientid varchar(100), topic varchar(100),
              mid integer, created timestamp without time zone, UNIQUE (clientid, topic));
            """;

    private static final String DROP =
            "DROP TABLE IF EXISTS mqtt_client, mqtt_sub, mqtt_msg, mqtt_retain, mqtt_acked, probe";

    Vertx vertx;
    PgsqlBackend backend;
    BackendPool pool;
    Pool db;

    @BeforeEach
    void openPoolOnFreshTables() {
        vertx = Vertx.vertx();
        createDatabaseOnce();
        db = PgBuilder.pool().connectingTo(connectOptions(DATABASE)).using(vertx).build();
        sql(DROP);
        backend = new PgsqlBackend(vertx);
        pool = backend.open(poolConfig(Map.of()));
        createTables();
    }

    /** Our shipped schema; a test of EMQX's own DDL overrides this. */
    void createTables() {
        pool.initSchema().await().atMost(WAIT);
    }

    @AfterEach
    void closeAll() {
        pool.close().await().atMost(WAIT);
        db.close().await().atMost(WAIT);
        vertx.close().await().atMost(WAIT);
    }

    private void createDatabaseOnce() {
        Pool admin = PgBuilder.pool().connectingTo(connectOptions("test")).using(vertx).build();
        try {
            boolean exists = admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
                    .execute(Tuple.of(DATABASE)).await().atMost(WAIT).size() > 0;
            if (!exists) {
                admin.query("CREATE DATABASE " + DATABASE).execute().await().atMost(WAIT);
            }
        } finally {
            admin.close().await().atMost(WAIT);
        }
    }

    private static PgConnectOptions connectOptions(String database) {
        return new PgConnectOptions().setHost("127.0.0.1").setPort(5432).setUser("postgres").setDatabase(database);
    }

    /** A complete pgsql pool schema, as the configuration loader hands it over, with some keys overridden. */
    static PoolConfig poolConfig(Map<String, String> overrides) {
        Map<String, String> settings = Map.of("server", "127.0.0.1:5432", "pool_size", "4",
                "username", "postgres", "password", "", "database", DATABASE, "ssl", "false", "cacertfile", "",
                "certfile", "", "keyfile", "", "verify", "false");
        return TestPools.pool1(DatabaseKind.PGSQL, settings, overrides);
    }

    static HookConfig functionHook(HookPoint hookPoint, String function, OfflineOpts opts) {
        return hook(hookPoint, new ActionSpec.Function(function), opts);
    }

    static HookConfig sqlHook(HookPoint hookPoint, String... statements) {
        return hook(hookPoint, new ActionSpec.Statements(ActionSpec.Language.SQL, List.of(statements), false),
                OfflineOpts.NONE);
    }

    private static HookConfig hook(HookPoint hookPoint, ActionSpec action, OfflineOpts opts) {
        return new HookConfig(DatabaseKind.PGSQL, hookPoint, "1", Optional.of("#"), action, "pool1", opts,
                OptionalInt.empty(), Optional.empty(), LOCATION);
    }

    ActionOutcome run(HookPoint hookPoint, String function, Event event) {
        return run(functionHook(hookPoint, function, OfflineOpts.NONE), event);
    }

    ActionOutcome run(HookConfig hook, Event event) {
        return pool.prepare(hook).run(event).await().atMost(WAIT);
    }

    static ClientInfo client(String clientid, long timestamp) {
        return new ClientInfo(clientid, Optional.empty(), Optional.empty(), NODE, timestamp);
    }

    static Message message(String msgid, String from, String topic, int qos, boolean retain, byte[] payload,
            long timestamp) {
        return new Message(msgid, from, topic, qos, retain, payload, timestamp, Map.of());
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

    /** Runs SQL on the test's own connection (setup and inspection), outside the backend under test. */
    List<Row> sql(String statement, Object... params) {
        Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> result = params.length == 0
                ? db.query(statement).execute()
                : db.preparedQuery(statement).execute(Tuple.from(List.of(params)));
        List<Row> rows = new ArrayList<>();
        result.await().atMost(WAIT).forEach(rows::add);
        return rows;
    }
}
