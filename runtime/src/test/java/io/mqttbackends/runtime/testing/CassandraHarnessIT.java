package io.mqttbackends.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.HostPort;
import io.mqttbackends.model.conf.PoolConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Cassandra test harness against the run's real Cassandra ({@code deploy/local/cassandra.sh}). This proves that:
 * <ul>
 * <li>{@link CassandraTestKeyspace#create()} makes a keyspace of the run's own, replicated once, in which a table is
 * created, written through a prepared statement and read back through {@link TestCassandra}; {@code close()} drops
 * it, and a second {@code close()} does nothing;</li>
 * <li>its pool settings are every key of the cassandra pool schema but the four shared ones, naming the keyspace
 * and the server, and make a pool with the configuration loader's defaults for the rest;</li>
 * <li>when nothing answers, connecting fails with a message that says how to start Cassandra: no test is skipped
 * for want of a server.</li>
 * </ul>
 */
class CassandraHarnessIT {

    @Test
    void aKeyspaceOfTheRunsOwnIsCreatedWrittenReadAndDropped() {
        CassandraTestKeyspace keyspace = CassandraTestKeyspace.create();
        try {
            assertThat(keyspace.name()).startsWith(TestRun.ID);
            Row created = TestCassandra.rows(
                    "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace.name()).get(0);
            assertThat(created.getMap("replication", String.class, String.class))
                    .containsEntry("class", "org.apache.cassandra.locator.SimpleStrategy")
                    .containsEntry("replication_factor", "1");

            TestCassandra.execute("CREATE TABLE " + keyspace.table("msg")
                    + " (topic text, id bigint, payload blob, PRIMARY KEY (topic, id))");
            CqlSession session = TestCassandra.session();
            PreparedStatement insert = session.prepare(
                    "INSERT INTO " + keyspace.table("msg") + " (topic, id, payload) VALUES (?, ?, ?)");
            for (long id = 1; id <= 3; id++) {
                session.execute(insert.bind("t/1", id, ByteBuffer.wrap(("m" + id).getBytes(StandardCharsets.UTF_8))));
            }

            List<Row> rows = TestCassandra.rows(
                    "SELECT id, payload FROM " + keyspace.table("msg") + " WHERE topic = ?", "t/1");
            assertThat(rows).extracting(r -> r.getLong("id")).containsExactly(1L, 2L, 3L);
            assertThat(StandardCharsets.UTF_8.decode(rows.get(2).getByteBuffer("payload")).toString()).isEqualTo("m3");
        } finally {
            keyspace.close();
        }
        assertThat(TestCassandra.rows(
                "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace.name())).isEmpty();
        keyspace.close();
    }

    @Test
    void poolSettingsAreEveryKeyOfTheCassandraPoolSchema() {
        try (CassandraTestKeyspace keyspace = CassandraTestKeyspace.create()) {
            Map<String, String> settings = keyspace.poolSettings();

            Set<String> schemaKeys = new HashSet<>(DatabaseProfile.of(DatabaseKind.CASSANDRA).poolKeys().keySet());
            schemaKeys.removeAll(List.of("schema.init", "batch_size", "batch_time", "call_timeout"));
            assertThat(settings.keySet()).containsExactlyInAnyOrderElementsOf(schemaKeys);
            HostPort server = CassandraTestServer.server();
            assertThat(settings).containsEntry("nodes", server.host() + ":" + server.port())
                    .containsEntry("keyspace", keyspace.name()).containsEntry("size", "4")
                    .containsEntry("local_datacenter", CassandraTestServer.spec().datacenter());

            PoolConfig pool = TestPools.pool1(DatabaseKind.CASSANDRA, settings, Map.of());
            assertThat(pool.get("keyspace")).isEqualTo(keyspace.name());
            assertThat(pool.get("batch_size")).isEqualTo("500");
        }
    }

    @Test
    void nothingAnsweringFailsSayingHowToStartCassandra() {
        // A port nothing listens on: the connection is refused at once.
        var nowhere = CassandraTestServer.Spec.parse("127.0.0.1:" + FreePort.find() + "/datacenter1");

        assertThatThrownBy(() -> CassandraTestServer.connect(nowhere).close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No Cassandra answers CQL on " + nowhere.nodes())
                .hasMessageContaining("deploy/local/cassandra.sh start")
                .hasMessageContaining(CassandraTestServer.VARIABLE);
    }

    @Test
    void theServerVariableNamesHostPortDatacenterAndLogin() {
        assertThat(CassandraTestServer.Spec.parse(null)).isEqualTo(new CassandraTestServer.Spec(
                new HostPort("127.0.0.1", 9042), "datacenter1", "", ""));
        assertThat(CassandraTestServer.Spec.parse("cass.example:19042/dc2")).isEqualTo(new CassandraTestServer.Spec(
                new HostPort("cass.example", 19042), "dc2", "", ""));
        assertThat(CassandraTestServer.Spec.parse("cassandra:pw@10.0.0.5")).isEqualTo(new CassandraTestServer.Spec(
                new HostPort("10.0.0.5", 9042), "datacenter1", "cassandra", "pw"));
        assertThatThrownBy(() -> CassandraTestServer.Spec.parse("not a host"))
                .hasMessageContaining(CassandraTestServer.VARIABLE);
    }
}
