package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.testing.PoolRuns;

import io.mqttbackends.runtime.backend.FailureClass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.WriteResult;
import io.mqttbackends.runtime.event.Event;
import java.util.Map;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import io.vertx.mutiny.sqlclient.Row;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code sql} hooks, the same on every SQL database: EMQX's default statement, order, one transaction, errors. */
public abstract class SqlStatementsContract extends SqlBackendTestSupport {

    protected static final long TS = 1_700_000_000_000L;

    protected SqlStatementsContract(DatabaseKind kind) {
        super(kind);
    }

    @Test
    void placeholdersBindIntoTextVarcharIntegerBigintBinaryAndTimestampColumnsAlike() {
        sql("CREATE TABLE probe (c_text text, c_varchar varchar(20), c_int integer, c_small smallint, c_big bigint,"
                + " c_qos_text varchar(5), c_bin " + database().binaryType() + ", c_payload_text text, arrived "
                + database().timestampType() + ", c_epoch_text text, c_username text)");
        MessagePublish event = publish(message("M1", "pub", "t/1", 2, true, bytes("héllo"), TS));

        run(sqlHook(HookPoint.MESSAGE_PUBLISH, "INSERT INTO probe VALUES (${clientid}, ${topic}, ${qos}, ${retain},"
                + " ${timestamp}, ${qos}, ${payload}, ${payload}, " + database().fromEpochSeconds() + "(${timestamp}),"
                + " ${timestamp}, ${username})"), event);

        Row row = sql("SELECT *, " + arrivedMillis() + " AS ms FROM probe").get(0);
        assertThat(row.getString("c_text")).isEqualTo("pub");
        assertThat(row.getString("c_varchar")).isEqualTo("t/1");
        assertThat(row.getInteger("c_int")).isEqualTo(2);
        assertThat(row.getInteger("c_small")).isEqualTo(1);
        assertThat(row.getLong("c_big")).isEqualTo(TS / 1000);
        assertThat(row.getString("c_qos_text")).isEqualTo("2");
        assertThat(row.getBuffer("c_bin").getBytes()).isEqualTo(bytes("héllo"));
        assertThat(row.getString("c_payload_text")).isEqualTo("héllo");
        assertThat(row.getLong("ms")).isEqualTo(TS);
        assertThat(row.getString("c_epoch_text")).isEqualTo(Long.toString(TS / 1000));
        assertThat(row.getValue("c_username")).isNull();
    }

    @Test
    void emqxDefaultUnsubscribeStatementDeletesTheCursor() {
        sql("INSERT INTO mqtt_acked (clientid, topic, mid) VALUES ('c1', 'a/b', 5), ('c1', 'c/d', 6)");
        run(sqlHook(HookPoint.SESSION_UNSUBSCRIBED,
                "delete from mqtt_acked where clientid = ${clientid} and topic = ${topic}"),
                new SessionUnsubscribed(client("c1", TS), "a/b"));
        assertThat(sql("SELECT topic FROM mqtt_acked")).extracting(r -> r.getString("topic"))
                .containsExactly("c/d");
    }

    @Test
    void severalStatementsRunInOrderInOneTransaction() {
        ActionOutcome outcome = run(sqlHook(HookPoint.CLIENT_CONNECTED,
                "INSERT INTO mqtt_client (clientid, state) VALUES (${clientid}, 1)",
                "UPDATE mqtt_client SET state = state + 1, node = ${node} WHERE clientid = ${clientid}"),
                new ClientConnected(client("c1", TS)));

        assertThat(outcome).isEqualTo(ActionOutcome.NONE);
        Row row = sql("SELECT state, node FROM mqtt_client WHERE clientid = 'c1'").get(0);
        assertThat(row).satisfies(r -> assertThat(SqlFunctionsContract.state(r)).isEqualTo("2"));
        assertThat(row.getString("node")).isEqualTo(NODE);
    }

    @Test
    void aFailingSecondStatementLeavesNoRowFromTheFirst() {
        sql("INSERT INTO mqtt_sub (clientid, topic, qos) VALUES ('c1', 'dup', 1)");
        HookConfig hook = sqlHook(HookPoint.CLIENT_CONNECTED,
                "INSERT INTO mqtt_client (clientid, state) VALUES (${clientid}, 1)",
                "INSERT INTO mqtt_sub (clientid, topic, qos) VALUES (${clientid}, 'dup', 1)");

        assertThatThrownBy(() -> run(hook, new ClientConnected(client("c1", TS))))
                .satisfies(e -> assertThat(pool.classify(e)).isEqualTo(FailureClass.PERMANENT));

        assertThat(sql("SELECT * FROM mqtt_client")).isEmpty();
    }

    @Test
    void cqlOrCommandsOrAnUnknownPlaceholderIsAConfigErrorAtTheHookLine() {
        HookConfig cql = new HookConfig(kind(), HookPoint.CLIENT_CONNECTED, "1", Optional.empty(),
                new ActionSpec.Statements(ActionSpec.Language.CQL, List.of("select 1"), false), "pool1",
                OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(), location());
        assertThatThrownBy(() -> pool.prepare(cql)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location()).isEqualTo(location()));
        assertThatThrownBy(() -> pool.prepare(sqlHook(HookPoint.CLIENT_CONNECTED,
                "INSERT INTO mqtt_client (clientid) VALUES (${nosuch})")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nosuch");
    }

    @Test
    void aBatchOfWritesOfManyEventsRunsInOrderAsOneTransactionAndReadsAreReads() {
        PoolAction<SqlWrite> connect = pool.prepare(functionHook(HookPoint.CLIENT_CONNECTED, "on_client_connected",
                OfflineOpts.NONE));
        PoolAction<SqlWrite> store = pool.prepare(functionHook(HookPoint.MESSAGE_PUBLISH, "on_message_publish",
                OfflineOpts.NONE));
        PoolAction<SqlWrite> duplicate = pool.prepare(sqlHook(HookPoint.CLIENT_CONNECTED,
                "INSERT INTO mqtt_sub (clientid, topic, qos) VALUES (${clientid}, 'dup', 1)"));
        assertThat(List.of(connect, store, duplicate)).allMatch(a -> a instanceof PoolAction.Write);
        assertThat(pool.prepare(functionHook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", OfflineOpts.NONE)))
                .isInstanceOf(PoolAction.Read.class);
        assertThat(pool.traits().guarantee()).isEqualTo(BatchGuarantee.ATOMIC);

        List<WriteResult> applied = PoolRuns.apply(pool,
                Map.entry(store, (Event) publish(message("b1", "p", "t", 1, false, bytes("1"), TS))),
                Map.entry(store, publish(message("b2", "p", "t", 1, false, bytes("2"), TS))),
                Map.entry(connect, new ClientConnected(client("c1", TS))),
                Map.entry(store, publish(message("b3", "p", "t", 1, false, bytes("3"), TS))))
                .await().atMost(WAIT);
        assertThat(applied).containsOnly(WriteResult.APPLIED).hasSize(4);
        assertThat(sql("SELECT msgid FROM mqtt_msg ORDER BY id")).extracting(r -> r.getString("msgid"))
                .containsExactly("b1", "b2", "b3");
        assertThat(sql("SELECT clientid FROM mqtt_client")).hasSize(1);

        assertThatThrownBy(() -> PoolRuns.apply(pool,
                Map.entry(store, (Event) publish(message("b4", "p", "t", 1, false, bytes("4"), TS))),
                Map.entry(duplicate, new ClientConnected(client("c1", TS))),
                Map.entry(duplicate, new ClientConnected(client("c1", TS))))
                .await().atMost(WAIT))
                .as("a refused transaction fails the call: every write not applied")
                .satisfies(e -> assertThat(pool.classify(e)).isEqualTo(FailureClass.PERMANENT));
        assertThat(sql("SELECT msgid FROM mqtt_msg WHERE msgid = 'b4'")).isEmpty();
        assertThat(sql("SELECT * FROM mqtt_sub")).isEmpty();
    }
}
