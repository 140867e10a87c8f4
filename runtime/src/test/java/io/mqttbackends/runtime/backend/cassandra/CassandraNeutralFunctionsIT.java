package io.mqttbackends.runtime.backend.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FunctionsContract;
import io.mqttbackends.runtime.testing.CassandraTestKeyspace;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestCassandra;
import io.vertx.mutiny.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;

/**
 * The database-neutral functions contract on the real Cassandra, in a keyspace of the class's own with the tables
 * {@code schema.init} creates (EMQX 4.4's). The subscription lookup plays under EMQX's default cassa conf's name,
 * {@code on_subscription_lookup}.
 */
class CassandraNeutralFunctionsIT extends FunctionsContract {

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.CASSANDRA;
    }

    /**
     * One keyspace for the class, emptied after each test: creating and dropping a keyspace with its tables takes
     * Cassandra seconds, truncating them a fraction of that.
     */
    private static CassandraTestKeyspace keyspace;

    @AfterAll
    static void dropKeyspace() {
        if (keyspace != null) {
            keyspace.close();
        }
    }

    @Override
    protected FreshStore openFreshStore(Vertx vertx, String uniqueName) {
        if (keyspace == null) {
            keyspace = CassandraTestKeyspace.create();
        }
        var pool = new CassandraBackend(vertx).open(poolConfig(keyspace.poolSettings()), PoolRuns.context());
        return new FreshStore(pool, new Probes(keyspace), () -> List.of("client", "sub", "msg", "retain", "acked")
                .forEach(table -> TestCassandra.execute("TRUNCATE " + keyspace.table(table))));
    }

    @Override
    protected String function(Role role) {
        return switch (role) {
            case CONNECT -> "on_client_connected";
            case DISCONNECT -> "on_client_disconnected";
            case SUBSCRIBE_LOOKUP -> "on_subscription_lookup";
            case STORE -> "on_message_publish";
            case FETCH -> "on_message_fetch";
            case ACK -> "on_message_acked";
            case RETAIN -> "on_message_retain";
            case RETAIN_DELETE -> "on_retain_delete";
            case RETAIN_LOOKUP -> "on_retain_lookup";
        };
    }

    /** EMQX 4.4's tables read with plain CQL; the cursor is the acked msgid itself, the empty text before all. */
    private record Probes(CassandraTestKeyspace keyspace) implements FunctionsContract.Probes {

        @Override
        public Optional<Boolean> online(String clientid) {
            return TestCassandra.rows("SELECT state FROM " + keyspace.table("client") + " WHERE clientid = ?",
                    clientid).stream().findFirst().map(r -> switch (r.getInt("state")) {
                        case 1 -> true;
                        case 0 -> false;
                        default -> throw new AssertionError("state " + r.getInt("state") + " of " + clientid);
                    });
        }

        @Override
        public void storeSubscription(String clientid, String topic, int qos) {
            TestCassandra.execute("INSERT INTO " + keyspace.table("sub") + " (clientid, topic, qos) VALUES (?, ?, ?)",
                    clientid, topic, qos);
        }

        /** The partition's rows come newest first (msgid DESC): store order is the reverse. */
        @Override
        public List<String> storedMsgids(String topic) {
            List<String> ids = new ArrayList<>();
            for (Row row : TestCassandra.rows("SELECT msgid FROM " + keyspace.table("msg") + " WHERE topic = ?",
                    topic)) {
                ids.add(0, row.getString("msgid"));
            }
            return ids;
        }

        @Override
        public Optional<String> retainedMsgid(String topic) {
            return TestCassandra.rows("SELECT msgid FROM " + keyspace.table("retain") + " WHERE topic = ?", topic)
                    .stream().findFirst().map(r -> r.getString("msgid"));
        }

        @Override
        public Optional<String> cursorMsgid(String clientid, String topic) {
            return TestCassandra.rows("SELECT msgid FROM " + keyspace.table("acked")
                    + " WHERE clientid = ? AND topic = ?", clientid, topic).stream().findFirst()
                    .map(r -> r.getString("msgid"));
        }
    }
}
