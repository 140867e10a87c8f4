package io.mqttbackends.runtime.backend.cassandra;

import java.util.List;

/**
 * The tables {@code schema.init} creates: EMQX 4.4's own ({@code emqx_backend_cassa}, spec §6.3), unchanged, so a
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

    /** The tables, in {@code keyspace}. */
    static List<String> tables(String keyspace) {
        String ks = quote(keyspace) + ".";
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + ks + "client (clientid text, node text, state int, "
                        + "connected timestamp, disconnected timestamp, PRIMARY KEY (clientid))",
                "CREATE TABLE IF NOT EXISTS " + ks + "sub (clientid text, topic text, qos int, "
                        + "PRIMARY KEY (clientid, topic))",
                "CREATE TABLE IF NOT EXISTS " + ks + "msg (topic text, msgid text, sender text, qos int, retain int, "
                        + "payload blob, arrived timestamp, PRIMARY KEY (topic, msgid)) "
                        + "WITH CLUSTERING ORDER BY (msgid DESC)",
                "CREATE TABLE IF NOT EXISTS " + ks + "retain (topic text, msgid text, PRIMARY KEY (topic))",
                "CREATE TABLE IF NOT EXISTS " + ks + "acked (clientid text, topic text, msgid text, "
                        + "PRIMARY KEY (clientid, topic))");
    }

    /** A CQL identifier, quoted so that any keyspace name the conf gives stays one identifier. */
    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
