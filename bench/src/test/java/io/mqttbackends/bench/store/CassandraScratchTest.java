package io.mqttbackends.bench.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CassandraScratchTest {

    @Test
    void harnessServerGetsAnEcqlPoolOfEightWithSchemaInitAndThePublishHook() {
        String conf = conf(CassandraScratch.Endpoint.parse("127.0.0.1:9042"), "mqttbackends_bench_1");

        assertThat(conf).isEqualTo("""
                backend.ecql.pool1.nodes = 127.0.0.1:9042
                backend.ecql.pool1.size = 8
                backend.ecql.pool1.keyspace = mqttbackends_bench_1
                backend.ecql.pool1.local_datacenter = datacenter1
                backend.ecql.pool1.consistency = LOCAL_QUORUM
                backend.ecql.pool1.schema.init = true
                backend.cassa.hook.message.publish.1 = {"topic": "#", "action": {"function": \
                "on_message_publish"}, "pool": "pool1"}
                """);
    }

    @Test
    void endpointWithCredentialsAndDatacenterGivesThemToThePool() {
        CassandraScratch.Endpoint e = CassandraScratch.Endpoint.parse("bench:p@:ss@db1.example:9142/dc2");

        assertThat(e).isEqualTo(new CassandraScratch.Endpoint("bench", "p@:ss", "db1.example", 9142, "dc2"));
        assertThat(conf(e, "ks")).contains("backend.ecql.pool1.nodes = db1.example:9142\n",
                "backend.ecql.pool1.local_datacenter = dc2\n", "backend.ecql.pool1.username = bench\n",
                "backend.ecql.pool1.password = p@:ss\n");
    }

    @Test
    void ipv6NodeKeepsItsBrackets() {
        CassandraScratch.Endpoint e = CassandraScratch.Endpoint.parse("[::1]:9042");

        assertThat(e.host()).isEqualTo("::1");
        assertThat(conf(e, "ks")).contains("backend.ecql.pool1.nodes = [::1]:9042\n");
    }

    @Test
    void endpointWithoutPortIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> CassandraScratch.Endpoint.parse("db1")).hasMessage(
                "MQTTBACKENDS_BENCH_CASSANDRA is not [user:password@]host:port[/datacenter]: 'db1'");
        assertThatThrownBy(() -> CassandraScratch.Endpoint.parse("db1:99999")).hasMessage(
                "MQTTBACKENDS_BENCH_CASSANDRA: port 99999 is not 1..65535");
    }

    @Test
    void refusedEndpointWithCredentialsDoesNotEchoThePassword() {
        assertThatThrownBy(() -> CassandraScratch.Endpoint.parse("bench:secret@db1"))
                .hasMessage("MQTTBACKENDS_BENCH_CASSANDRA is not [user:password@]host:port[/datacenter]")
                .hasMessageNotContaining("secret");
    }

    @Test
    void keyspaceIsTheRuntimesWithAtMostThreeReplicasInTheDatacenter() {
        assertThat(CassandraScratch.createKeyspace("ks", "datacenter1", 1)).isEqualTo("CREATE KEYSPACE IF NOT EXISTS ks"
                + " WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1}");
        assertThat(CassandraScratch.createKeyspace("ks", "dc'2", 5)).endsWith("{'class': 'NetworkTopologyStrategy',"
                + " 'dc''2': 3}");
    }

    private static String conf(CassandraScratch.Endpoint endpoint, String keyspace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CassandraScratch.poolConf(endpoint, keyspace, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
