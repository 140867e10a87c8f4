package io.mqttbackends.runtime.backend.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The tables {@code schema.init} creates: EMQX 4.4's own ({@code emqx_backend_cassa}, EMQX 4.4's Cassandra DDL,
 * docs/cassandra.md "Tables"), unchanged, so a
 * keyspace EMQX wrote and one made here are the same. In {@code msg} a topic is one partition, its rows clustered by
 * {@code msgid} newest first: our 32-hex message ids (EMQX 5's) sort by time as text, which the offline cursor and
 * fetch rely on.
 */
final class CassandraSchema {

    private CassandraSchema() {
    }

    /**
     * The keyspace, if missing: replicated to as many nodes of the local data centre as it has, up to three, so a
     * quorum survives a node while a one-node test cluster still works.
     */
    static String keyspace(String keyspace, String datacenter, int replicas) {
        return "CREATE KEYSPACE IF NOT EXISTS " + quote(keyspace) + " WITH replication = {'class': "
                + "'NetworkTopologyStrategy', '" + datacenter.replace("'", "''") + "': " + replicas + "}";
    }

    /** Each table's {@code CREATE TABLE IF NOT EXISTS}, in a keyspace, by table name. */
    static final Map<String, Function<String, String>> TABLES = tables();

    private static Map<String, Function<String, String>> tables() {
        Map<String, Function<String, String>> tables = new LinkedHashMap<>();
        tables.put("client", ks -> create(ks, "client", "clientid text, node text, state int, connected timestamp, "
                + "disconnected timestamp, PRIMARY KEY (clientid)"));
        tables.put("sub", ks -> create(ks, "sub", "clientid text, topic text, qos int, PRIMARY KEY (clientid, topic)"));
        tables.put("msg", ks -> create(ks, "msg", "topic text, msgid text, sender text, qos int, retain int, "
                + "payload blob, arrived timestamp, PRIMARY KEY (topic, msgid)") + " WITH CLUSTERING ORDER BY "
                + "(msgid DESC)");
        tables.put("retain", ks -> create(ks, "retain", "topic text, msgid text, PRIMARY KEY (topic)"));
        tables.put("acked", ks -> create(ks, "acked", "clientid text, topic text, msgid text, "
                + "PRIMARY KEY (clientid, topic)"));
        return Collections.unmodifiableMap(tables);
    }

    private static String create(String keyspace, String table, String columns) {
        return "CREATE TABLE IF NOT EXISTS " + quote(keyspace) + "." + table + " (" + columns + ")";
    }

    /**
     * A keyspace name as CQL reads it where the conf gives it: unquoted, so {@code MQTT} is {@code mqtt}, as the
     * driver's session and EMQX's statements take it.
     */
    static String quote(String identifier) {
        return CqlIdentifier.fromCql(identifier).asCql(true);
    }

}
