package io.mqttbackends.runtime.backend.sql;

import io.mqttbackends.runtime.backend.FunctionsContract;
import io.mqttbackends.runtime.testing.TestSql;
import io.vertx.mutiny.sqlclient.Row;
import java.util.List;
import java.util.Optional;

/**
 * The {@link FunctionsContract} probes of the SQL databases, on the shipped EMQX tables; the SQL function names that
 * play each role. Queries use {@code $n} markers, which {@link TestSql} renders for the database.
 */
public final class SqlProbes implements FunctionsContract.Probes {
    private final TestSql sql;

    public SqlProbes(TestSql sql) {
        this.sql = sql;
    }

    /** The function of {@code emqx_backend_mysql} / {@code emqx_backend_pgsql} that plays {@code role}. */
    public static String function(FunctionsContract.Role role) {
        return switch (role) {
            case CONNECT -> "on_client_connected";
            case DISCONNECT -> "on_client_disconnected";
            case SUBSCRIBE_LOOKUP -> "on_subscribe_lookup";
            case STORE -> "on_message_publish";
            case FETCH -> "on_message_fetch";
            case ACK -> "on_message_acked";
            case RETAIN -> "on_message_retain";
            case RETAIN_DELETE -> "on_retain_delete";
            case RETAIN_LOOKUP -> "on_retain_lookup";
        };
    }

    /** {@code mqtt_client.state}: an integer in PostgreSQL, {@code varchar(3)} in MySQL; 1 online, 0 offline. */
    @Override
    public Optional<Boolean> online(String clientid) {
        List<Row> rows = sql.rows("SELECT state FROM mqtt_client WHERE clientid = $1", clientid);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        String state = String.valueOf(rows.get(0).getValue("state"));
        return switch (state) {
            case "1" -> Optional.of(true);
            case "0" -> Optional.of(false);
            default -> throw new AssertionError("mqtt_client.state of " + clientid + " is '" + state + "'");
        };
    }

    @Override
    public void storeSubscription(String clientid, String topic, int qos) {
        sql.rows("INSERT INTO mqtt_sub (clientid, topic, qos) VALUES ($1, $2, $3)", clientid, topic, qos);
    }

    /** Store order is {@code mqtt_msg.id}, the offline fetch's sequence. */
    @Override
    public List<String> storedMsgids(String topic) {
        return sql.rows("SELECT msgid FROM mqtt_msg WHERE topic = $1 ORDER BY id", topic).stream()
                .map(r -> r.getString("msgid")).toList();
    }

    @Override
    public Optional<String> retainedMsgid(String topic) {
        List<Row> rows = sql.rows("SELECT msgid FROM mqtt_retain WHERE topic = $1", topic);
        if (rows.size() > 1) {
            throw new AssertionError(rows.size() + " mqtt_retain rows for " + topic);
        }
        return rows.stream().map(r -> r.getString("msgid")).findFirst();
    }

    /**
     * {@code mqtt_acked.mid} is an {@code mqtt_msg.id}: 0 stands before every message; an id whose row is gone reads
     * as {@code #<id>}, which no test expects.
     */
    @Override
    public Optional<String> cursorMsgid(String clientid, String topic) {
        List<Row> rows = sql.rows("SELECT a.mid, m.msgid FROM mqtt_acked a LEFT JOIN mqtt_msg m ON m.id = a.mid"
                + " WHERE a.clientid = $1 AND a.topic = $2", clientid, topic);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Row row = rows.get(0);
        Object mid = row.getValue("mid");
        if (mid == null) {
            throw new AssertionError("mqtt_acked.mid of (" + clientid + ", " + topic + ") is NULL");
        }
        if (((Number) mid).longValue() == 0) {
            return Optional.of(FunctionsContract.BEFORE_EVERY_MESSAGE);
        }
        String msgid = row.getString("msgid");
        return Optional.of(msgid == null ? "#" + mid : msgid);
    }
}
