package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The benchmark command itself, end to end and small (not a timed test: it asserts what was stored and reported,
 * never how fast): {@code src/bench/run.sh} with the jars this build packaged, a private Mosquitto, a scratch
 * PostgreSQL database and the real runtime.
 */
class BenchCommandIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final PropertyNamingStrategies.SnakeCaseStrategy SNAKE =
            new PropertyNamingStrategies.SnakeCaseStrategy();

    @Test
    void benchCommandStoresEveryMessageAndReportsEveryFigure() throws Exception {
        Path json = Files.createTempDirectory("bench-smoke").resolve("bench.json");
        runBench(json, "bench-smoke.out", "--messages", "500", "--publishers", "2", "--warmup", "100", "--half-rate");

        JsonNode report = BenchMain.json().readTree(json.toFile());
        assertEveryField(report, Report.class, "");
        JsonNode run1 = report.path("runs").path(0);
        for (String pass : new String[] {"end_to_end", "half_rate"}) {
            JsonNode e2e = run1.path(pass);
            assertThat(e2e.path("rows_verified").asLong()).as(pass + " rows verified").isEqualTo(500);
            assertThat(e2e.path("rows").asLong()).as(pass + " rows").isEqualTo(500);
            assertThat(e2e.path("distinct_msgids").asLong()).as(pass + " msgids").isEqualTo(500);
            assertThat(e2e.path("distinct_messages").asLong()).as(pass + " messages").isEqualTo(500);
            assertThat(e2e.path("verified").asBoolean()).isTrue();
            assertThat(e2e.path("msgs_per_second").asDouble()).isPositive();
            assertThat(e2e.path("latency").path("count").asLong()).isEqualTo(500);
            assertThat(e2e.path("latency").path("p99_ms").asDouble()).isPositive();
        }
        assertThat(run1.path("half_rate").path("target_rate").asDouble()).isPositive();
        assertThat(run1.path("broker_ceiling").path("received").asLong()).isEqualTo(500);
        assertThat(run1.path("broker_ceiling").path("msgs_per_second").asDouble()).isPositive();
        assertThat(run1.path("db_ceiling").path("rows").asLong()).isEqualTo(500);
        assertThat(run1.path("db_ceiling").path("rows_per_second").asDouble()).isPositive();
        assertThat(report.path("runtime_rss").path("vm_hwm_mb").asLong()).isPositive();
        assertThat(report.path("settings").path("broker_conf").asText()).contains("max_queued_messages 0",
                "max_inflight_messages 200");
        assertThat(report.path("settings").path("runtime_conf").path("emqx_backend_pgsql.conf").asText())
                .contains("on_message_publish", "schema.init = true");
        assertThat(report.path("command_line").asText()).contains("--messages 500");
        assertThat(report.path("git_commit").asText()).isNotEmpty();
        assertThat(report.path("machine").path("nproc").asInt()).isPositive();
        assertThat(report.path("verdict").asText()).isEqualTo("PASS");
    }

    /**
     * {@code --db mongo} with no MongoDB named: run.sh starts the stand-in in a JVM of its own, the runtime writes
     * mqtt_msg through its mongo pool, and the latency comes from the stand-in's stored_at.
     */
    @Test
    void benchCommandOnTheMongoStandInStoresEveryMessage() throws Exception {
        Path json = Files.createTempDirectory("bench-smoke-mongo").resolve("bench.json");
        runBench(json, "bench-smoke-mongo.out", "--db", "mongo", "--messages", "500", "--publishers", "2",
                "--warmup", "100", "--pool-opt", "batch_size=100");

        JsonNode report = BenchMain.json().readTree(json.toFile());
        JsonNode e2e = report.path("runs").path(0).path("end_to_end");
        assertThat(e2e.path("rows").asLong()).isEqualTo(500);
        assertThat(e2e.path("distinct_msgids").asLong()).isEqualTo(500);
        assertThat(e2e.path("distinct_messages").asLong()).isEqualTo(500);
        assertThat(e2e.path("latency").path("count").asLong()).isEqualTo(500);
        assertThat(e2e.path("latency").path("p99_ms").asDouble()).isPositive();
        assertThat(report.path("runs").path(0).path("db_ceiling").path("rows").asLong()).isEqualTo(500);
        assertThat(report.path("settings").path("db_ceiling_batch_rows").asInt()).isEqualTo(100);
        assertThat(report.path("settings").path("latency_definition").asText()).contains("stored_at");
        assertThat(report.path("settings").path("runtime_conf").path("emqx_backend_mongo.conf").asText())
                .contains("backend.mongo.pool1.schema.init = true", "backend.mongo.pool1.batch_size = 100",
                        "on_message_publish");
        assertThat(report.path("verdict").asText()).isEqualTo("PASS");
    }

    /**
     * {@code --db cassandra} on the run's real Cassandra (127.0.0.1:9042, started by run.sh if nothing answers):
     * the runtime writes msg in a keyspace of the run's own through its ecql pool; the latency comes from the
     * newest-row poll, the ceiling from the same INSERT into a scratch copy.
     */
    @Test
    void benchCommandOnCassandraStoresEveryMessageInItsOwnKeyspace() throws Exception {
        Path json = Files.createTempDirectory("bench-smoke-cassandra").resolve("bench.json");
        String printed = runBench(json, "bench-smoke-cassandra.out", "--db", "cassandra", "--messages", "500",
                "--publishers", "2", "--warmup", "100", "--half-rate", "--pool-opt", "batch_size=100");

        JsonNode report = BenchMain.json().readTree(json.toFile());
        for (String pass : new String[] {"end_to_end", "half_rate"}) {
            JsonNode e2e = report.path("runs").path(0).path(pass);
            assertThat(e2e.path("rows").asLong()).as(pass + " rows").isEqualTo(500);
            assertThat(e2e.path("distinct_msgids").asLong()).as(pass + " msgids").isEqualTo(500);
            assertThat(e2e.path("distinct_messages").asLong()).as(pass + " messages").isEqualTo(500);
            assertThat(e2e.path("latency").path("count").asLong()).as(pass + " latencies").isEqualTo(500);
            assertThat(e2e.path("latency").path("p99_ms").asDouble()).isPositive();
            assertThat(e2e.path("msgs_per_second").asDouble()).isPositive();
        }
        assertThat(report.path("runs").path(0).path("db_ceiling").path("rows").asLong()).isEqualTo(500);
        assertThat(report.path("settings").path("db_ceiling_batch_rows").asInt()).isEqualTo(100);
        assertThat(report.path("settings").path("db_ceiling_connections").asInt()).isEqualTo(8);
        assertThat(report.path("settings").path("latency_definition").asText()).contains("newest row");
        String conf = report.path("settings").path("runtime_conf").path("emqx_backend_cassa.conf").asText();
        assertThat(conf).contains("backend.ecql.pool1.schema.init = true", "backend.ecql.pool1.batch_size = 100",
                "backend.ecql.pool1.consistency = LOCAL_QUORUM", "backend.cassa.hook.message.publish.1",
                "on_message_publish");
        assertThat(printed).contains("publish to the runtime's write timestamp (WRITETIME");
        assertThat(report.path("verdict").asText()).isEqualTo("PASS");
        String keyspace = conf.lines().filter(l -> l.startsWith("backend.ecql.pool1.keyspace = ")).findFirst()
                .orElseThrow().substring("backend.ecql.pool1.keyspace = ".length());
        assertThat(keyspace).startsWith("mqttbackends_bench_");
        try (com.datastax.oss.driver.api.core.CqlSession session = com.datastax.oss.driver.api.core.CqlSession
                .builder().addContactPoint(new java.net.InetSocketAddress("127.0.0.1", 9042))
                .withLocalDatacenter("datacenter1").build()) {
            assertThat(session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = '"
                    + keyspace + "'").one()).as("keyspace %s dropped at exit", keyspace).isNull();
        }
    }

    /** run.sh with the jars of this build (never a nested Maven build from inside this one); exit status 0. */
    private static String runBench(Path json, String outputName, String... options) throws Exception {
        Path output = Path.of("target", outputName).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("src/bench/run.sh").toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("--json", json.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("MQTTBACKENDS_BENCH_BUILD", "never");
        builder.environment().remove("MQTTBACKENDS_BENCH_MONGO_URI");
        builder.environment().remove("MQTTBACKENDS_BENCH_CASSANDRA");
        Process run = builder.start();
        boolean finished = run.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            run.destroy();
        }
        String printed = Files.readString(output);
        assertThat(finished).as("run.sh finished; output:%n%s", printed).isTrue();
        assertThat(run.exitValue()).as("exit status; output:%n%s", printed).isZero();
        assertThat(printed).contains("rows verified", "broker ceiling", "database ceiling", "PASS");
        return printed;
    }

    /** Every component of the report's records is in the JSON, non-null (this run measures everything). */
    private static void assertEveryField(JsonNode node, Class<?> type, String path) {
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty explicit = c.getAccessor().getAnnotation(JsonProperty.class);
            String name = explicit != null ? explicit.value() : SNAKE.translate(c.getName());
            JsonNode value = node.get(name);
            assertThat(value).as(path + name).isNotNull();
            assertThat(value.isNull()).as(path + name + " is null").isFalse();
            if (c.getType().isRecord()) {
                assertEveryField(value, c.getType(), path + name + ".");
            } else if (c.getGenericType() instanceof ParameterizedType p && c.getType() == java.util.List.class
                    && p.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
                assertThat(value.size()).as(path + name).isPositive();
                value.forEach(v -> assertEveryField(v, element, path + name + "[]."));
            }
        }
    }
}
